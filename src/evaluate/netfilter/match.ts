// The meaning of one rule's matches for a concrete packet at a hook, as the kernel's ip_tables
// (`ip_packet_match`) and the xt match modules compute it. Each match is true, false or unknown
// (a construct netproof does not model, or an ipset that is not in the ruleset). A rule matches
// when all its matches are true. An unknown match makes the rule NOT match and is reported: the
// caller then marks the verdict unknown, so that choice never becomes a false proof. When some
// other match of the rule is false, the unknown one does not matter and nothing is reported.
import { match } from 'ts-pattern';
import type { Packet } from '../../ir/packet.ts';
import { IP_PROTO } from '../../ir/packet.ts';
import type { Cidr } from '../../ir/openflow.ts';
import type { CtState, NfMatch, NfRule } from '../../ir/netfilter.ts';
import type { Connection } from './conntrack.ts';
import type { NfContext } from './types.ts';
import { inCidr } from '../../net/ipv4.ts';

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

export function matchRule(rule: NfRule, env: MatchEnv): RuleMatch {
  let unknown = false;
  for (const m of rule.matches) {
    const r = matchOne(m, env);
    if (r === false) return { kind: 'no-match' };
    if (r === 'unknown') unknown = true;
  }
  return unknown ? { kind: 'unknown' } : { kind: 'match' };
}

/** `-i`/`-o`/physdev names: a trailing `+` is a prefix wildcard (`qg-+`, and `+` alone is any). */
export function ifaceMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
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

function matchOne(m: NfMatch, env: MatchEnv): Tri {
  const p = env.packet;
  return match(m)
    .with({ kind: 'src' }, (x) => xor(inCidr(p.ip_src, x.cidr), x.negate))
    .with({ kind: 'dst' }, (x) => xor(inCidr(p.ip_dst, x.cidr), x.negate))
    // ip_packet_match compares against "" when the device is unknown (no -o before routing).
    .with({ kind: 'in-iface' }, (x) => xor(ifaceMatches(x.name, env.ctx.inIface ?? ''), x.negate))
    .with({ kind: 'out-iface' }, (x) => xor(ifaceMatches(x.name, env.ctx.outIface ?? ''), x.negate))
    .with({ kind: 'proto' }, (x) => xor(x.proto === 0 || x.proto === p.proto, x.negate))
    // The tcp/udp match only sees packets with ports; `!` inverts the port test, not the protocol.
    .with({ kind: 'sport' }, (x) => p.sport !== null && xor(inRange(p.sport, x.from, x.to), x.negate))
    .with({ kind: 'dport' }, (x) => p.dport !== null && xor(inRange(p.dport, x.from, x.to), x.negate))
    .with({ kind: 'multiport' }, (x) => {
      if (p.sport === null || p.dport === null) return false;
      const s = p.sport;
      const d = p.dport;
      const hit = x.ranges.some(([lo, hi]) =>
        match(x.which)
          .with('sports', () => inRange(s, lo, hi))
          .with('dports', () => inRange(d, lo, hi))
          .with('ports', () => inRange(s, lo, hi) || inRange(d, lo, hi))
          .exhaustive(),
      );
      return xor(hit, x.negate);
    })
    .with({ kind: 'icmp-type' }, (x) => {
      if (p.proto !== IP_PROTO.icmp || p.icmp_type === null) return false;
      // Type 255 is iptables' `any`; a type without a code matches every code.
      const hit = x.type === 255 || (x.type === p.icmp_type && (x.code === null || x.code === p.icmp_code));
      return xor(hit, x.negate);
    })
    .with({ kind: 'physdev' }, (x) => physdev(x, env.ctx))
    .with({ kind: 'mac-source' }, (x) => xor(x.mac.toLowerCase() === p.eth_src.toLowerCase(), x.negate))
    .with({ kind: 'set' }, (x): Tri => {
      const members = env.ipsets[x.name];
      // Only single-dimension (hash:ip / hash:net) sets are modelled.
      if (!members || x.flags.length !== 1) return 'unknown';
      const ip = x.flags[0] === 'src' ? p.ip_src : p.ip_dst;
      return xor(members.some((c) => inCidr(ip, c)), x.negate);
    })
    .with({ kind: 'ctstate' }, (x) => {
      const have = ctStates(env);
      return xor(x.states.some((s) => have.has(s)), x.negate);
    })
    .with({ kind: 'mark' }, (x) => xor(((env.mark & x.mask) >>> 0) === x.value >>> 0, x.negate))
    // xt_connmark: no connection → false whatever the `!`.
    .with({ kind: 'connmark' }, (x) => env.conn !== null && xor(((env.conn.mark & x.mask) >>> 0) === x.value >>> 0, x.negate))
    .with({ kind: 'comment' }, () => true)
    .with({ kind: 'unsupported' }, (): Tri => 'unknown')
    .exhaustive();
}

type Physdev = Extract<NfMatch, { kind: 'physdev' }>;

/**
 * xt_physdev, line by line: outside a bridge every non-negated option fails; inside, `--physdev-is-bridged`
 * holds iff the output port is known (FORWARD/POSTROUTING), `--physdev-in` is skipped when the input
 * port is unknown, and `--physdev-out` fails when the output port is unknown (PREROUTING), even negated.
 */
function physdev(x: Physdev, ctx: NfContext): boolean {
  if (!ctx.bridged) {
    const opts = [x.in, x.out, x.isBridged, x.isIn, x.isOut];
    return opts.every((o) => o === null || o.negate);
  }
  const indev = ctx.physdevIn;
  const outdev = ctx.physdevOut;
  if (x.isBridged && xor(outdev !== null, x.isBridged.negate) === false) return false;
  if (x.isIn && xor(indev !== null, x.isIn.negate) === false) return false;
  if (x.isOut && xor(outdev !== null, x.isOut.negate) === false) return false;
  if (x.in && indev !== null && xor(ifaceMatches(x.in.name, indev), x.in.negate) === false) return false;
  if (x.out) {
    if (outdev === null) return false;
    return xor(ifaceMatches(x.out.name, outdev), x.out.negate);
  }
  return true;
}
