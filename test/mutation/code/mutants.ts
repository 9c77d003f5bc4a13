// Single faults in the two engines' code (src/smt, src/evaluate), each a one-place edit of the kind a
// slip of the hand makes: a bound made strict, an earlier flow no longer shadowing a later one, an
// action or a negation dropped, a route lookup or a NAT direction turned round. Each names the suites
// that must kill it (a test fails with the fault in place). `npm run mutation:code` applies them one
// at a time to a copy of the repository and runs those suites (run.ts).

export interface CodeMutant {
  readonly id: string;
  readonly file: string;
  /** Text that occurs exactly once in `file`, and what it becomes. */
  readonly find: string;
  readonly replace: string;
  readonly what: string;
  /** Test files or folders that must fail with the fault in place. */
  readonly killers: readonly string[];
  /** Symbolic-agreement fuzz cases (`npm run fuzz`, seed 7) run after the suites, when they all pass. */
  readonly fuzzRuns: number;
}

const SMT = ['test/smt', 'test/agreement', 'test/user-properties', 'test/regressions'];
const EVAL = ['test/evaluate', 'test/evaluate-netfilter', 'test/agreement', 'test/regressions'];

export const CODE_MUTANTS: readonly CodeMutant[] = [
  {
    id: 'smt-range-upper-strict', file: 'src/smt/cond.ts', what: 'a port range\'s upper bound made exclusive in the symbolic encoding (ule → ult)',
    find: 'x.ule(this.bv(hi, bits))', replace: 'x.ult(this.bv(hi, bits))', killers: SMT, fuzzRuns: 40,
  },
  {
    id: 'smt-range-lower-strict', file: 'src/smt/cond.ts', what: 'a port range\'s lower bound made exclusive in the symbolic encoding (uge → ugt)',
    find: 'x.uge(this.bv(lo, bits))', replace: 'x.ugt(this.bv(lo, bits))', killers: SMT, fuzzRuns: 40,
  },
  {
    id: 'smt-no-shadowing', file: 'src/smt/openflow.ts', what: 'a lower-priority flow no longer shadowed by the higher ones that match (symbolic OpenFlow)',
    find: 'const taken = assume(r.path, e.and(notEarlier, m.supported.cond), m.supported.binds);', replace: 'const taken = assume(r.path, m.supported.cond, m.supported.binds);', killers: SMT, fuzzRuns: 40,
  },
  {
    id: 'smt-strip-vlan-noop', file: 'src/smt/openflow.ts', what: 'strip_vlan does nothing (symbolic OpenFlow)',
    find: "case 'strip_vlan':\n      return [withRunPacket(r, { ...pk, vlan: null })];", replace: "case 'strip_vlan':\n      return [r];", killers: SMT, fuzzRuns: 40,
  },
  {
    id: 'smt-ipset-negation-ignored', file: 'src/smt/netfilter/match.ts', what: '`! --match-set` read as `--match-set` (symbolic netfilter)',
    find: 'return { cond: neg(e, e.or(...members.map((c) => inCidr(e, v, c))), m.negate) };', replace: 'return { cond: e.or(...members.map((c) => inCidr(e, v, c))) };', killers: SMT, fuzzRuns: 40,
  },
  {
    id: 'smt-mac-source-reads-dst', file: 'src/smt/netfilter/match.ts', what: '`-m mac --mac-source` compared with the destination MAC (symbolic netfilter)',
    find: "case 'mac-source': return { cond: neg(e, e.eq(p.eth_src, macToNum(m.mac), 48), m.negate), binds: m.negate ? [] : [{ field: 'eth_src', value: macToNum(m.mac) }] };",
    replace: "case 'mac-source': return { cond: neg(e, e.eq(p.eth_dst, macToNum(m.mac), 48), m.negate), binds: m.negate ? [] : [{ field: 'eth_dst', value: macToNum(m.mac) }] };", killers: SMT, fuzzRuns: 40,
  },
  {
    id: 'smt-route-shortest-prefix', file: 'src/smt/route.ts', what: 'routes tried shortest prefix first (symbolic routing)',
    find: 'const sorted = [...routes].sort((a, b) => b.dst.prefixLen - a.dst.prefixLen);', replace: 'const sorted = [...routes].sort((a, b) => a.dst.prefixLen - b.dst.prefixLen);', killers: SMT, fuzzRuns: 40,
  },
  {
    id: 'smt-dnat-rewrites-source', file: 'src/smt/netfilter/nat.ts', what: 'DNAT binds the source instead of the destination (symbolic netfilter)',
    find: "return { kind: 'bind', binding: { manip: 'dst', ip, port: map.kind === 'set' ? map.port : null, range: null } };", replace: "return { kind: 'bind', binding: { manip: 'src', ip, port: map.kind === 'set' ? map.port : null, range: null } };", killers: SMT, fuzzRuns: 40,
  },
  {
    id: 'eval-strip-vlan-noop', file: 'src/evaluate/openflow.ts', what: 'strip_vlan does nothing (evaluator)',
    find: 'packet = { ...packet, vlan: null };', replace: 'packet = { ...packet };', killers: EVAL, fuzzRuns: 40,
  },
  {
    id: 'eval-mac-source-negation-ignored', file: 'src/evaluate/netfilter/match.ts', what: '`! -m mac --mac-source` read without its `!` (evaluator)',
    find: "case 'mac-source': return xor(m.mac.toLowerCase() === p.eth_src.toLowerCase(), m.negate);", replace: "case 'mac-source': return m.mac.toLowerCase() === p.eth_src.toLowerCase();", killers: EVAL, fuzzRuns: 40,
  },
  {
    id: 'eval-route-shortest-prefix', file: 'src/evaluate/namespace.ts', what: 'the shortest matching prefix wins the route lookup (evaluator)',
    find: 'if (best === null || r.dst.prefixLen > best.dst.prefixLen) best = r;', replace: 'if (best === null || r.dst.prefixLen < best.dst.prefixLen) best = r;', killers: EVAL, fuzzRuns: 40,
  },
  {
    id: 'smt-hairpin-keeps-source', file: 'src/smt/walk.ts', what: 'the upstream router sends a packet back onto its subnet with the source MAC it came with (symbolic walk)',
    find: 'eth_src: macToNum(u.mac), eth_dst: m, vlan: u.vlan', replace: 'eth_dst: m, vlan: u.vlan', killers: ['test/agreement/hairpin.test.ts'], fuzzRuns: 40,
  },
  {
    id: 'eval-hairpin-keeps-source', file: 'src/evaluate/stations.ts', what: 'the upstream router sends a packet back onto its subnet with the source MAC it came with (evaluator)',
    find: '{ ...packet, eth_src: s.mac, eth_dst: a.mac, vlan: s.vlan }', replace: '{ ...packet, eth_dst: a.mac, vlan: s.vlan }', killers: ['test/evaluate/hairpin.test.ts', 'test/agreement/hairpin.test.ts'], fuzzRuns: 40,
  },
  {
    id: 'upstream-no-hairpin', file: 'src/semantics/upstream.ts', what: 'the upstream router routes its own subnet\'s addresses out of the cloud, as before the hairpin (both engines)',
    find: '...u.stations.map((s)', replace: '...u.stations.slice(0, 0).map((s)', killers: ['test/evaluate/hairpin.test.ts', 'test/properties/concrete.test.ts'], fuzzRuns: 40,
  },
];
