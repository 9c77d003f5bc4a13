// The meaning of one rule's matches for a concrete packet at a hook, as the kernel's ip_tables
// (`ip_packet_match`) and the xt match modules compute it. Each match is true, false or unknown
// (a construct netproof does not model, or an ipset that is not in the ruleset). A rule matches
// when all its matches are true. An unknown match makes the rule NOT match and is reported: the
// caller then marks the verdict unknown, so that choice never becomes a false proof. When some
// other match of the rule is false, the unknown one does not matter and nothing is reported.
import type { Packet } from '../../ir/packet.ts';
import { IP_PROTO } from '../../ir/packet.ts';
import type { Cidr } from '../../ir/openflow.ts';
import type { CtState, NfMatch, NfRule } from '../../ir/netfilter.ts';
import type { Connection } from './conntrack.ts';
import type { NfContext } from './types.ts';
import { inCidr } from '../../net/ipv4.ts';
import { ifaceMatches, physdevMatches } from '../../semantics/netfilter.ts';

export interface MatchEnv {
  readonly packet: Packet;
  readonly mark: number;
  readonly ctState: CtState;
  /** The packet's connection, null when untracked/invalid or not looked up yet. */
  readonly conn: Connection | null;
  readonly ctx: NfContext;
  readonly ipsets: Readonly<Record<string, readonly Cidr[]>>;
}

type Tri = boolean | 'unknown';

export type RuleMatch = { readonly kind: 'match' } | { readonly kind: 'no-match' } | { readonly kind: 'unknown' };

// One object per answer, shared: a trace asks this of every candidate rule it meets.
const MATCH: RuleMatch = { kind: 'match' };
const NO_MATCH: RuleMatch = { kind: 'no-match' };
const UNKNOWN: RuleMatch = { kind: 'unknown' };

export function matchRule(rule: NfRule, env: MatchEnv): RuleMatch {
  let unknown = false;
  for (const m of rule.matches) {
    const r = matchOne(m, env);
    if (r === false) return NO_MATCH;
    if (r === 'unknown') unknown = true;
  }
  return unknown ? UNKNOWN : MATCH;
}

const xor = (b: boolean, negate: boolean): boolean => b !== negate;
const inRange = (v: number, from: number, to: number): boolean => v >= from && v <= to;

/** The ctstate bits of xt_conntrack: the base state plus SNAT/DNAT when the connection has them. */
function ctStates(env: MatchEnv): ReadonlySet<CtState> {
  const s = new Set<CtState>([env.ctState]);
  if (env.conn?.srcNat) s.add('SNAT');
  if (env.conn?.dstNat) s.add('DNAT');
  return s;
}

// A switch, not ts-pattern: this runs for every match of every rule a packet meets, and the
// pattern objects cost more than the tests themselves.
function matchOne(m: NfMatch, env: MatchEnv): Tri {
  const p = env.packet;
  switch (m.kind) {
    case 'src': return xor(inCidr(p.ip_src, m.cidr), m.negate);
    case 'dst': return xor(inCidr(p.ip_dst, m.cidr), m.negate);
    // ip_packet_match compares against "" when the device is unknown (no -o before routing).
    case 'in-iface': return xor(ifaceMatches(m.name, env.ctx.inIface ?? ''), m.negate);
    case 'out-iface': return xor(ifaceMatches(m.name, env.ctx.outIface ?? ''), m.negate);
    case 'proto': return xor(m.proto === 0 || m.proto === p.proto, m.negate);
    // The tcp/udp match only sees packets with ports; `!` inverts the port test, not the protocol.
    case 'sport': return p.sport !== null && xor(inRange(p.sport, m.from, m.to), m.negate);
    case 'dport': return p.dport !== null && xor(inRange(p.dport, m.from, m.to), m.negate);
    case 'multiport': {
      if (p.sport === null || p.dport === null) return false;
      const s = p.sport;
      const d = p.dport;
      const hit = m.ranges.some(([lo, hi]) => (m.which === 'sports' ? inRange(s, lo, hi) : m.which === 'dports' ? inRange(d, lo, hi) : inRange(s, lo, hi) || inRange(d, lo, hi)));
      return xor(hit, m.negate);
    }
    case 'icmp-type': {
      if (p.proto !== IP_PROTO.icmp || p.icmp_type === null) return false;
      // Type 255 is iptables' `any`; a type without a code matches every code.
      const hit = m.type === 255 || (m.type === p.icmp_type && (m.code === null || m.code === p.icmp_code));
      return xor(hit, m.negate);
    }
    case 'physdev': return physdevMatches(m, env.ctx);
    case 'mac-source': return xor(m.mac.toLowerCase() === p.eth_src.toLowerCase(), m.negate);
    case 'set': {
      const members = env.ipsets[m.name];
      // Only single-dimension (hash:ip / hash:net) sets are modelled.
      if (!members || m.flags.length !== 1) return 'unknown';
      const ip = m.flags[0] === 'src' ? p.ip_src : p.ip_dst;
      return xor(members.some((c) => inCidr(ip, c)), m.negate);
    }
    case 'ctstate': {
      const have = ctStates(env);
      return xor(m.states.some((s) => have.has(s)), m.negate);
    }
    case 'mark': return xor(((env.mark & m.mask) >>> 0) === m.value >>> 0, m.negate);
    // xt_connmark: no connection → false whatever the `!`.
    case 'connmark': return env.conn !== null && xor(((env.conn.mark & m.mask) >>> 0) === m.value >>> 0, m.negate);
    case 'comment': return true;
    case 'unsupported': return 'unknown';
    default: {
      const never: never = m;
      throw new Error(`unknown match ${JSON.stringify(never)}`);
    }
  }
}
