// The witness of a question over several senders at once (witnessAmong): senders share their packet
// variables' names but not their VLAN tag, so the packet must be decoded with the variables of the
// sender it is attributed to. Checked on a case built so that the model first takes one sender's end
// (the outside world on VLAN 200) and that sender's preferences would, across all senders, make an
// earlier-listed end of another sender (an untagged VM port) hold too: the witness must stay the first
// sender's, tag included.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getZ3, shutdownZ3, type Ctx } from '../../src/smt/z3.ts';
import { Enc } from '../../src/smt/cond.ts';
import { ipToNum, symbolicPacket } from '../../src/smt/headers.ts';
import { anyOf } from '../../src/smt/factor.ts';
import { defaultPreferences, witnessAmong } from '../../src/smt/witness.ts';

let ctx: Ctx;
let e: Enc;
beforeAll(async () => { ctx = await getZ3(); e = new Enc(ctx); });
afterAll(async () => { await shutdownZ3(); });

it('a witness is decoded with the variables of the sender whose end it is attributed to', async () => {
  // One set of names for both senders, as in a question over every sender at once.
  const outside = { sender: { name: 'outside' }, sent: symbolicPacket(ctx, 'among', 200) };
  const vm = { sender: { name: 'vm' }, sent: symbolicPacket(ctx, 'among', null) };
  const internetHost = ipToNum('8.8.8.8');
  // The VM's end is listed first and needs the source the outside world's preferences ask for.
  const hits = [
    { ...vm, pc: [e.eq(vm.sent.ip_src, internetHost, 32)], last: true },
    { ...outside, pc: [], last: true },
  ];
  const solver = new ctx.Solver();
  solver.add(e.bool(anyOf(e, hits)));
  // A first model away from the VM's end (from another solver: the question's own holds no more than the disjunction).
  const away = new ctx.Solver();
  away.add(e.bool(e.eq(outside.sent.ip_src, ipToNum('192.0.2.1'), 32)));
  expect(await away.check()).toBe('sat');
  const w = await witnessAmong(e, solver, away.model(), hits, (first) => defaultPreferences(e, first.sent, null));
  expect(w.hit.sender).toBe(outside.sender);
  expect(w.packet.vlan).toBe(200);
  // The outside world's preference held within its own ends.
  expect(w.packet.ip_src).toBe('8.8.8.8');
});
