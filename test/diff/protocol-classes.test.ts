// `diff` lists at most one class per protocol — TCP, UDP, ICMP, DCCP, SCTP, UDP-Lite, then every
// other protocol as one — in that order, whatever order the solver finds them in (src/questions/
// diff.ts FAMILIES). Here a rule that lets every protocol in from anywhere is added to the seed's ssh
// group, which before let in only tcp/22 and ICMP echo requests: from the outside world to vm1 every
// one of the seven differs. Asked with one incremental solver and with a fresh solver per check (two
// solvers that find the classes in different orders), both answers list the same seven classes in
// the same order, and the sender is complete: no class is left out and none swallows another.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runDiff, type DiffAnswer, type DiffHow } from '../../src/questions/diff.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { party } from './pairs.ts';

afterAll(async () => { await shutdownZ3(); });

const SEED = readFileSync('topologies/seed.yaml', 'utf8');
const ICMP = '- { direction: ingress, protocol: icmp }';
const BEFORE = SEED.replace(ICMP, '- { direction: ingress, protocol: icmp, icmp_type: 8 }');
const AFTER = BEFORE.replace('icmp_type: 8 }', 'icmp_type: 8 }\n      - { direction: ingress, protocol: any }');

async function ask(how: DiffHow): Promise<DiffAnswer> {
  const r = await runDiff(party(BEFORE)!, party(AFTER)!, { from: '8.8.8.8', to: 'vm1', via: null }, 20_000, how);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.value;
}

describe('diff lists one class per protocol, in a fixed order', () => {
  it('the edits apply', () => {
    expect(SEED).toContain(ICMP);
    expect(AFTER).toContain('protocol: any }');
  });

  for (const [name, how] of [['one incremental solver', { incremental: true }], ['a fresh solver per check', { incremental: false }]] as const) {
    it(`every protocol newly delivered, asked of ${name}`, async () => {
      const a = await ask(how);
      expect(a.senders.map((s) => [s.from, s.complete, s.unknown])).toEqual([['outside(public)', true, null]]);
      expect(a.differences.map((d) => d.change)).toEqual(['newly-delivered']);
      const classes = a.differences[0]!.classes;
      // The label's example port or type is the witness's, which another solver may choose otherwise.
      expect(classes.map((c) => c.packets.replace(/e\.g\. \d+/, 'e.g. N'))).toEqual([
        'tcp (some ports of 0-65535, e.g. N)', 'udp (every port)', 'icmp (several types, e.g. N)',
        'dccp (every port)', 'sctp (every port)', 'udplite (every port)', 'other protocols (e.g. N)',
      ]);
      expect(classes.map((c) => c.witness.proto).slice(0, 6)).toEqual([6, 17, 1, 33, 132, 136]);
      expect([6, 17, 1, 33, 132, 136]).not.toContain(classes[6]!.witness.proto);
      // tcp/22 and ICMP type 8 were let in before: no witness is one of them.
      expect(classes[0]!.witness.dport).not.toBe(22);
      expect(classes[2]!.witness.icmp_type).not.toBe(8);
    });
  }
});
