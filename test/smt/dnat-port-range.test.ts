// DNAT to a port range (semantics/dnat-port.ts), the evaluator against the solver: with a base port
// (`IP:C-D/B`, Neutron's port-forwarding ranges) each matched port maps to one port, the same in both, and
// symbolically to exactly C + (p − B) mod size; without a base a port within C..D is kept and any other
// one may become any port of C..D — the solver keeps every one possible and the evaluator calls the
// trace uncertain, never picking one as the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3, type Ctx } from '../../src/smt/z3.ts';
import { Enc, type Cond } from '../../src/smt/cond.ts';
import { ipToNum, numToIp, symbolicPacket } from '../../src/smt/headers.ts';
import { symRunHook } from '../../src/smt/netfilter/hook.ts';
import { newNfPath } from '../../src/smt/netfilter/state.ts';
import { checkSat } from '../../src/smt/solve.ts';
import { createConntrack, newState, runHook } from '../../src/evaluate/netfilter/index.ts';
import type { NfMatch } from '../../src/ir/netfilter.ts';
import { chain, ipv4, rule, ruleset } from './build.ts';
import { throughHooks } from './hooks-both.ts';

let ctx: Ctx;
let e: Enc;
beforeAll(async () => { ctx = await getZ3(); e = new Enc(ctx); });
afterAll(async () => { await shutdownZ3(); });
const sat = async (...cs: Cond[]) => (await checkSat(ctx, e, e.and(...cs), 5000)).status;

const FIP = '203.0.113.50';
const tcpTo = (from: number, to: number): NfMatch[] => [
  { kind: 'dst', cidr: { ip: FIP, prefixLen: 32 }, negate: false },
  { kind: 'proto', proto: 6, negate: false },
  { kind: 'dport', from, to, negate: false },
];
const rs = ruleset({
  nat: [chain('PREROUTING', [
    rule(tcpTo(8080, 8090), { kind: 'DNAT', to: '10.0.0.6', port: null, ports: { from: 80, to: 90, base: 8080 } }, 'offset'),
    rule(tcpTo(7000, 7020), { kind: 'DNAT', to: '10.0.0.6', port: null, ports: { from: 200, to: 210, base: 7000 } }, 'wrapping'),
    rule(tcpTo(9000, 9100), { kind: 'DNAT', to: '10.0.0.6', port: null, ports: { from: 100, to: 110, base: null } }, 'plain'),
    rule(tcpTo(5000, 5010), { kind: 'DNAT', to: '10.0.0.6', port: 53 }, 'one'),
  ], 'ACCEPT')],
});
const inQg = { inIface: 'qg-1', outIface: null, physdevIn: null, physdevOut: null, bridged: false };

describe('DNAT to a port range: evaluator and solver', () => {
  it('a fixed packet: the same port in both wherever the kernel\'s choice is fixed; elsewhere the evaluator is uncertain and the solver keeps the whole range', async () => {
    const expected: Record<number, number | 'any'> = {
      8080: 80, 8085: 85, 8090: 90, 7000: 200, 7015: 204, 7020: 209, 9000: 'any', 9050: 'any', 9100: 'any', 5000: 53, 5010: 53, 22: 22,
    };
    let compared = 0;
    for (const [dportText, want] of Object.entries(expected)) {
      const p = ipv4({ ip_dst: FIP, ip_src: '192.0.2.1', proto: 6, sport: 40000, dport: Number(dportText) });
      const { refVerdict, ref, sym } = throughHooks(e, rs, [['PREROUTING', { inIface: 'qg-1', outIface: null }]], p);
      expect(refVerdict).toBe('accept');
      const { uncertain } = runHook(rs, 'PREROUTING', newState(p), inQg, createConntrack());
      expect(sym.length).toBe(1);
      const out = sym[0]!.path.packet;
      if (want === 'any') {
        expect(uncertain.length, dportText).toBeGreaterThan(0);
        expect(typeof out.dport).not.toBe('number');
        for (const port of [100, 105, 110]) expect(await sat(...sym[0]!.path.pc, e.eq(out.dport, port, 16)), `${dportText} → ${port}`).toBe('sat');
        expect(await sat(...sym[0]!.path.pc, e.not(e.range(out.dport, 100, 110, 16)))).toBe('unsat');
      } else {
        expect(uncertain, dportText).toEqual([]);
        expect(ref.packet.dport, dportText).toBe(want);
        expect(out.dport, dportText).toBe(want);
        expect(numToIp(out.ip_dst as number)).toBe(want === 22 ? FIP : '10.0.0.6');
      }
      compared++;
    }
    expect(compared).toBe(Object.keys(expected).length);
  });

  it('symbolically: every TCP port of 8080-8090 leaves as itself minus 8000, and a port of 9000-9100 outside 100-110 as any of 100-110', async () => {
    const sent = symbolicPacket(ctx, 'pfr', null);
    const r = symRunHook(e, rs, 'PREROUTING', newNfPath({ pc: [], packet: sent }), inQg, 'ns');
    const natted = r.accepted.filter((a) => a.path.packet.ip_dst === ipToNum('10.0.0.6'));
    expect(natted.length).toBeGreaterThan(0);
    const all = (f: (a: (typeof natted)[number]) => Cond) => e.or(...natted.map((a) => e.and(...a.path.pc, f(a))));
    const tcp = (a: (typeof natted)[number]) => e.and(e.eq(a.path.packet.eth_type, 0x0800, 16), e.eq(a.path.packet.proto, 6, 8));
    // A packet sent to 8080-8090 whose port is not p − 8000: none.
    expect(await sat(all((a) => e.and(tcp(a), e.range(sent.dport, 8080, 8090, 16), ...[...Array(11).keys()].map((i) => e.not(e.and(e.eq(sent.dport, 8080 + i, 16), e.eq(a.path.packet.dport, 80 + i, 16)))))))).toBe('unsat');
    // Sent to 9050 (outside 100-110): 110 is possible, 111 is not.
    expect(await sat(all((a) => e.and(tcp(a), e.eq(sent.dport, 9050, 16), e.eq(a.path.packet.dport, 110, 16))))).toBe('sat');
    expect(await sat(all((a) => e.and(tcp(a), e.eq(sent.dport, 9050, 16), e.eq(a.path.packet.dport, 111, 16))))).toBe('unsat');
  });

});
