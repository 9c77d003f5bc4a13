// Property: for random small filter tables of ACCEPT/DROP/RETURN/jump/goto rules over src/dport/proto
// matches (with negation), the engine agrees with a tiny independent recursive interpreter on the
// verdict, on where the packet was dropped, and on the sequence of matched rules. 500 runs.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createConntrack, newState, runHook } from '../../src/evaluate/netfilter/index.ts';
import type { NetfilterRuleset, NfMatch, NfRule, NfTarget } from '../../src/ir/netfilter.ts';
import type { Packet } from '../../src/ir/packet.ts';
import { tcp, routed } from './build.ts';

const CHAINS = ['c0', 'c1', 'c2'];
const IPS = ['10.0.0.1', '10.0.0.2', '10.0.1.1', '192.168.0.1'];

const matchArb: fc.Arbitrary<NfMatch> = fc.oneof(
  fc.record({
    kind: fc.constant('src' as const),
    cidr: fc.record({ ip: fc.constantFrom(...IPS), prefixLen: fc.constantFrom(0, 16, 24, 32) }),
    negate: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('dport' as const),
    from: fc.constantFrom(1, 22, 80),
    to: fc.constantFrom(22, 80, 443),
    negate: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('proto' as const), proto: fc.constantFrom(0, 6, 17), negate: fc.boolean() }),
);

/** Chain `ci` may jump/goto only to `cj` with j > i, and FORWARD (index -1) to any: no cycles. */
const targetArb = (from: number): fc.Arbitrary<NfTarget> => {
  const callable = CHAINS.filter((_, j) => j > from);
  const basic = fc.constantFrom<NfTarget>({ kind: 'ACCEPT' }, { kind: 'DROP' }, { kind: 'RETURN' });
  if (callable.length === 0) return basic;
  return fc.oneof(
    basic,
    fc.constantFrom(...callable).map((c): NfTarget => ({ kind: 'jump', chain: c })),
    fc.constantFrom(...callable).map((c): NfTarget => ({ kind: 'goto', chain: c })),
  );
};

let counter = 0;
const rulesArb = (from: number): fc.Arbitrary<NfRule[]> =>
  fc.array(
    fc.record({ matches: fc.array(matchArb, { maxLength: 2 }), target: targetArb(from) }).map(
      (r): NfRule => ({ ...r, origin: { file: 'prop', line: 0, text: `rule ${counter++}` } }),
    ),
    { maxLength: 4 },
  );

const rulesetArb: fc.Arbitrary<NetfilterRuleset> = fc
  .record({ policy: fc.constantFrom<'ACCEPT' | 'DROP'>('ACCEPT', 'DROP'), base: rulesArb(-1), users: fc.tuple(rulesArb(0), rulesArb(1), rulesArb(2)) })
  .map(({ policy, base, users }) => ({
    tables: [{ name: 'filter', chains: [{ name: 'FORWARD', policy, rules: base }, ...users.map((rules, i) => ({ name: CHAINS[i]!, policy: null, rules }))] }],
    ipsets: {},
  }));

const packetArb: fc.Arbitrary<Packet> = fc
  .record({ src: fc.constantFrom(...IPS), dport: fc.constantFrom(22, 80, 443, 8080), proto: fc.constantFrom(6, 17) })
  .map(({ src, dport, proto }) => tcp(src, '10.9.9.9', 1234, dport, { proto }));

// ---- the independent reference interpreter ----
const ipNum = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
function refMatch(m: NfMatch, p: Packet): boolean {
  let r: boolean;
  if (m.kind === 'src') {
    const size = 2 ** (32 - m.cidr.prefixLen);
    r = Math.floor(ipNum(p.ip_src) / size) === Math.floor(ipNum(m.cidr.ip) / size);
  } else if (m.kind === 'dport') r = p.dport !== null && p.dport >= m.from && p.dport <= m.to;
  else if (m.kind === 'proto') r = m.proto === 0 || m.proto === p.proto;
  else throw new Error('not generated');
  return m.negate ? !r : r;
}
type RefOut = { v: 'accept' | 'drop' | 'fall'; dropRule: NfRule | null };
function refChain(rs: NetfilterRuleset, name: string, p: Packet, hits: NfRule[]): RefOut {
  const chain = rs.tables[0]!.chains.find((c) => c.name === name)!;
  for (const rule of chain.rules) {
    if (!rule.matches.every((m) => refMatch(m, p))) continue;
    hits.push(rule);
    const t = rule.target;
    if (t.kind === 'ACCEPT') return { v: 'accept', dropRule: null };
    if (t.kind === 'DROP') return { v: 'drop', dropRule: rule };
    if (t.kind === 'RETURN') return { v: 'fall', dropRule: null };
    if (t.kind === 'jump') {
      const r = refChain(rs, t.chain, p, hits);
      if (r.v !== 'fall') return r;
      continue;
    }
    if (t.kind === 'goto') return refChain(rs, t.chain, p, hits); // a tail call: its RETURN is ours
  }
  return { v: 'fall', dropRule: null };
}

describe('engine vs reference interpreter', () => {
  it('agree on verdict, drop point and matched rules (500 runs)', () => {
    fc.assert(
      fc.property(rulesetArb, packetArb, (rs, p) => {
        const hits: NfRule[] = [];
        const ref = refChain(rs, 'FORWARD', p, hits);
        const policy = rs.tables[0]!.chains[0]!.policy;
        const refVerdict = ref.v === 'fall' ? (policy === 'DROP' ? 'drop' : 'accept') : ref.v;
        const got = runHook(rs, 'FORWARD', newState(p), routed('a', 'b'), createConntrack());
        expect(got.verdict).toBe(refVerdict);
        expect(got.droppedBy?.rule ?? null).toBe(refVerdict === 'drop' ? ref.dropRule : null);
        expect(got.hits.map((h) => h.rule)).toEqual(hits);
        expect(got.uncertain).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
