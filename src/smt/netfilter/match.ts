// The meaning of one iptables rule's matches over a symbolic packet, as src/evaluate/netfilter/match.ts
// computes it for a concrete one: interface and physdev matches are concrete (the hook context is),
// header matches become conditions, ctstate reads the path's NEW/INVALID/UNTRACKED state plus the
// connection's SNAT/DNAT status conditions. Guarantees: `cond` is the conjunction of the understood
// matches; `unknown` is set when a match is not modelled (the evaluator then treats the rule as not
// matching and uncertain, so the caller must make the packets satisfying `cond` an unknown end).
import type { CtState, NfMatch, NfRule } from '../../ir/netfilter.ts';
import type { Cidr } from '../../ir/openflow.ts';
import { IP_PROTO, protoHasPorts } from '../../ir/packet.ts';
import { ifaceMatches, physdevMatches, type NfContext } from '../../semantics/netfilter.ts';
import type { SymPacket } from '../headers.ts';
import { hasPorts, ipToNum, isIpv4, macToNum } from '../headers.ts';
import type { Cond, Enc } from '../cond.ts';
import type { Binding } from '../path.ts';
import type { NfPath } from './state.ts';

export interface SymRuleMatch {
  readonly cond: Cond;
  readonly binds: readonly Binding[];
  readonly unknown: boolean;
}

type Part = { readonly cond: Cond; readonly binds?: readonly Binding[] } | 'unknown';

export function symMatchRule(e: Enc, rule: NfRule, w: NfPath, ctx: NfContext, ipsets: Readonly<Record<string, readonly Cidr[]>>): SymRuleMatch {
  // The matches the hook context and the path's state decide come first: most rules of a hybrid
  // firewall name another port's device and are cut here before a single term is built.
  for (const m of rule.matches) {
    const c = concreteMatch(m, w, ctx);
    if (c === false) return { cond: false, binds: [], unknown: false };
  }
  const conds: Cond[] = [];
  const binds: Binding[] = [];
  let unknown = false;
  // A port match needs a packet with ports; iptables takes one only beside `-p` of its protocol, and
  // when that protocol has ports the rule's own `-p` says so: IPv4 is all that is left to require
  // (the same condition as hasPorts beside it, without the disjunction over five protocols per rule).
  const ported = portedRule(rule);
  const withPorts = (): Cond => (ported ? isIpv4(e, w.path.packet) : hasPorts(e, w.path.packet));
  for (const m of rule.matches) {
    if (concreteMatch(m, w, ctx) !== null) continue;
    const r = headerMatch(e, m, w, ctx, ipsets, withPorts);
    if (r === 'unknown') { unknown = true; continue; }
    if (r.cond === false) return { cond: false, binds: [], unknown: false };
    conds.push(r.cond);
    binds.push(...(r.binds ?? []));
  }
  return { cond: e.and(...conds), binds, unknown };
}

const portedRules = new WeakMap<NfRule, boolean>();
/** The rule has `-p` of a protocol with ports (once per rule: it is asked for every path meeting it). */
function portedRule(rule: NfRule): boolean {
  let v = portedRules.get(rule);
  if (v === undefined) portedRules.set(rule, (v = rule.matches.some((m) => m.kind === 'proto' && !m.negate && protoHasPorts(m.proto))));
  return v;
}

/** Whether a match the context and the path's state decide already fails (no term is built). */
export function failsConcretely(rule: NfRule, w: NfPath, ctx: NfContext): boolean {
  for (const m of rule.matches) if (concreteMatch(m, w, ctx) === false) return true;
  return false;
}

const neg = (e: Enc, c: Cond, negate: boolean): Cond => (negate ? e.not(c) : c);

function inCidr(e: Enc, v: SymPacket['ip_src'], c: Cidr): Cond {
  return e.prefix(v, ipToNum(c.ip), c.prefixLen);
}

/** A match decided by the context and the path's state alone, or null when it reads the headers. */
function concreteMatch(m: NfMatch, w: NfPath, ctx: NfContext): boolean | null {
  switch (m.kind) {
    case 'in-iface': return ifaceMatches(m.name, ctx.inIface ?? '') !== m.negate;
    case 'out-iface': return ifaceMatches(m.name, ctx.outIface ?? '') !== m.negate;
    case 'physdev': return physdevMatches(m, ctx);
    case 'mark': return (((w.mark & m.mask) >>> 0) === m.value >>> 0) !== m.negate;
    case 'connmark': return w.hasConn && (((w.ctMark & m.mask) >>> 0) === m.value >>> 0) !== m.negate;
    case 'comment': return true;
    case 'ctstate': {
      const c = m.states.map((s) => hasState(w, s));
      if (c.every((x) => typeof x === 'boolean')) return c.some((x) => x === true) !== m.negate;
      return null;
    }
    default: return null;
  }
}

/** `-s`/`-d`: a prefix, pinning the address when it is a /32. */
function exact(e: Enc, p: SymPacket, field: 'ip_src' | 'ip_dst', c: Cidr, negate: boolean): Part {
  return { cond: neg(e, inCidr(e, p[field], c), negate), binds: !negate && c.prefixLen >= 32 ? [{ field, value: ipToNum(c.ip) }] : [] };
}

/** A match on the packet's headers (or on the connection's NAT status) as a condition. */
function headerMatch(e: Enc, m: NfMatch, w: NfPath, ctx: NfContext, ipsets: Readonly<Record<string, readonly Cidr[]>>, withPorts: () => Cond): Part {
  const p = w.path.packet;
  switch (m.kind) {
    case 'src': return exact(e, p, 'ip_src', m.cidr, m.negate);
    case 'dst': return exact(e, p, 'ip_dst', m.cidr, m.negate);
    case 'proto':
      return {
        cond: m.proto === 0 ? !m.negate : neg(e, e.eq(p.proto, m.proto, 8), m.negate),
        binds: m.proto !== 0 && !m.negate ? [{ field: 'proto', value: m.proto }] : [],
      };
    // The tcp/udp match only sees packets with ports; `!` inverts the port test, not the protocol.
    case 'sport':
      return {
        cond: e.and(withPorts(), neg(e, e.range(p.sport, m.from, m.to, 16), m.negate)),
        binds: !m.negate && m.from === m.to ? [{ field: 'sport', value: m.from }] : [],
      };
    case 'dport':
      return {
        cond: e.and(withPorts(), neg(e, e.range(p.dport, m.from, m.to, 16), m.negate)),
        binds: !m.negate && m.from === m.to ? [{ field: 'dport', value: m.from }] : [],
      };
    case 'multiport': {
      const hit = e.or(...m.ranges.map(([lo, hi]) =>
        m.which === 'sports' ? e.range(p.sport, lo, hi, 16)
          : m.which === 'dports' ? e.range(p.dport, lo, hi, 16)
            : e.or(e.range(p.sport, lo, hi, 16), e.range(p.dport, lo, hi, 16))));
      return { cond: e.and(withPorts(), neg(e, hit, m.negate)) };
    }
    case 'icmp-type': {
      const hit = m.type === 255 ? true : e.and(e.eq(p.icmp_type, m.type, 8), m.code === null ? true : e.eq(p.icmp_code, m.code, 8));
      return { cond: e.and(e.eq(p.proto, IP_PROTO.icmp, 8), neg(e, hit, m.negate)) };
    }
    // An anti-spoofing rule pins the source MAC on the packets it lets through.
    case 'mac-source': return { cond: neg(e, e.eq(p.eth_src, macToNum(m.mac), 48), m.negate), binds: m.negate ? [] : [{ field: 'eth_src', value: macToNum(m.mac) }] };
    case 'set': {
      const members = ipsets[m.name];
      if (!members || m.flags.length !== 1) return 'unknown';
      const v = m.flags[0] === 'src' ? p.ip_src : p.ip_dst;
      return { cond: neg(e, e.or(...members.map((c) => inCidr(e, v, c))), m.negate) };
    }
    case 'ctstate': return { cond: neg(e, e.or(...m.states.map((s) => hasState(w, s))), m.negate) };
    case 'unsupported': return 'unknown';
    case 'in-iface':
    case 'out-iface':
    case 'physdev':
    case 'mark':
    case 'connmark':
    case 'comment':
      return { cond: concreteMatch(m, w, ctx) ?? false };
    default: {
      const never: never = m;
      throw new Error(`unknown match ${JSON.stringify(never)}`);
    }
  }
}

/** Whether the packet's conntrack state includes `s` (SNAT/DNAT: the connection's NAT status). */
function hasState(w: NfPath, s: CtState): Cond {
  switch (s) {
    case 'NEW':
    case 'INVALID':
    case 'UNTRACKED':
    case 'ESTABLISHED':
      return w.ctState === s;
    case 'RELATED':
      return false; // an ICMP error related to a connection of its path is an unknown end (conntrack.ts)
    case 'SNAT':
      return w.hasConn ? w.srcNat : false;
    case 'DNAT':
      return w.hasConn ? w.dstNat : false;
    default: {
      const never: never = s;
      throw new Error(`unknown ctstate ${String(never)}`);
    }
  }
}
