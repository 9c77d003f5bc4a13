// The meaning of one iptables rule's matches over a symbolic packet, as src/evaluate/netfilter/match.ts
// computes it for a concrete one: interface and physdev matches are concrete (the hook context is),
// header matches become conditions, ctstate reads the path's NEW/INVALID/UNTRACKED state plus the
// connection's SNAT/DNAT status conditions. Guarantees: `cond` is the conjunction of the understood
// matches; `unknown` is set when a match is not modelled (the evaluator then treats the rule as not
// matching and uncertain, so the caller must make the packets satisfying `cond` an unknown end).
import { match } from 'ts-pattern';
import type { CtState, NfMatch, NfRule } from '../ir/netfilter.ts';
import type { Cidr } from '../ir/openflow.ts';
import { IP_PROTO } from '../ir/packet.ts';
import { ifaceMatches } from '../evaluate/netfilter/match.ts';
import type { NfContext } from '../evaluate/netfilter/types.ts';
import type { SymPacket } from './headers.ts';
import { hasPorts, ipToNum, macToNum } from './headers.ts';
import type { Cond, Enc } from './cond.ts';
import type { Binding } from './path.ts';
import type { NfPath } from './nf-state.ts';

export interface SymRuleMatch {
  readonly cond: Cond;
  readonly binds: readonly Binding[];
  readonly unknown: boolean;
}

type Part = { readonly cond: Cond; readonly binds?: readonly Binding[] } | 'unknown';

export function symMatchRule(e: Enc, rule: NfRule, w: NfPath, ctx: NfContext, ipsets: Readonly<Record<string, readonly Cidr[]>>): SymRuleMatch {
  const conds: Cond[] = [];
  const binds: Binding[] = [];
  let unknown = false;
  for (const m of rule.matches) {
    const r = matchOne(e, m, w, ctx, ipsets);
    if (r === 'unknown') { unknown = true; continue; }
    if (r.cond === false) return { cond: false, binds: [], unknown: false };
    conds.push(r.cond);
    binds.push(...(r.binds ?? []));
  }
  return { cond: e.and(...conds), binds, unknown };
}

const neg = (e: Enc, c: Cond, negate: boolean): Cond => (negate ? e.not(c) : c);

function inCidr(e: Enc, v: SymPacket['ip_src'], c: Cidr): Cond {
  return e.prefix(v, ipToNum(c.ip), c.prefixLen);
}

function matchOne(e: Enc, m: NfMatch, w: NfPath, ctx: NfContext, ipsets: Readonly<Record<string, readonly Cidr[]>>): Part {
  const p = w.path.packet;
  const exact = (field: 'ip_src' | 'ip_dst', c: Cidr, negate: boolean): Part =>
    ({ cond: neg(e, inCidr(e, p[field], c), negate), binds: !negate && c.prefixLen >= 32 ? [{ field, value: ipToNum(c.ip) }] : [] });
  const ports = hasPorts(e, p);
  return match<NfMatch, Part>(m)
    .with({ kind: 'src' }, (x) => exact('ip_src', x.cidr, x.negate))
    .with({ kind: 'dst' }, (x) => exact('ip_dst', x.cidr, x.negate))
    .with({ kind: 'in-iface' }, (x) => ({ cond: ifaceMatches(x.name, ctx.inIface ?? '') !== x.negate }))
    .with({ kind: 'out-iface' }, (x) => ({ cond: ifaceMatches(x.name, ctx.outIface ?? '') !== x.negate }))
    .with({ kind: 'proto' }, (x) => ({
      cond: x.proto === 0 ? !x.negate : neg(e, e.eq(p.proto, x.proto, 8), x.negate),
      binds: x.proto !== 0 && !x.negate ? [{ field: 'proto', value: x.proto }] : [],
    }))
    // The tcp/udp match only sees packets with ports; `!` inverts the port test, not the protocol.
    .with({ kind: 'sport' }, (x) => ({ cond: e.and(ports, neg(e, e.range(p.sport, x.from, x.to, 16), x.negate)) }))
    .with({ kind: 'dport' }, (x) => ({
      cond: e.and(ports, neg(e, e.range(p.dport, x.from, x.to, 16), x.negate)),
      binds: !x.negate && x.from === x.to ? [{ field: 'dport', value: x.from }] : [],
    }))
    .with({ kind: 'multiport' }, (x) => {
      const hit = e.or(...x.ranges.map(([lo, hi]) =>
        match(x.which)
          .with('sports', () => e.range(p.sport, lo, hi, 16))
          .with('dports', () => e.range(p.dport, lo, hi, 16))
          .with('ports', () => e.or(e.range(p.sport, lo, hi, 16), e.range(p.dport, lo, hi, 16)))
          .exhaustive()));
      return { cond: e.and(ports, neg(e, hit, x.negate)) };
    })
    .with({ kind: 'icmp-type' }, (x) => {
      const hit = x.type === 255 ? true : e.and(e.eq(p.icmp_type, x.type, 8), x.code === null ? true : e.eq(p.icmp_code, x.code, 8));
      return { cond: e.and(e.eq(p.proto, IP_PROTO.icmp, 8), neg(e, hit, x.negate)) };
    })
    .with({ kind: 'physdev' }, (x) => ({ cond: physdev(x, ctx) }))
    .with({ kind: 'mac-source' }, (x) => ({ cond: neg(e, e.eq(p.eth_src, macToNum(x.mac), 48), x.negate) }))
    .with({ kind: 'set' }, (x): Part => {
      const members = ipsets[x.name];
      if (!members || x.flags.length !== 1) return 'unknown';
      const v = x.flags[0] === 'src' ? p.ip_src : p.ip_dst;
      return { cond: neg(e, e.or(...members.map((c) => inCidr(e, v, c))), x.negate) };
    })
    .with({ kind: 'ctstate' }, (x) => ({ cond: neg(e, e.or(...x.states.map((s) => hasState(w, s))), x.negate) }))
    .with({ kind: 'mark' }, (x) => ({ cond: (((w.mark & x.mask) >>> 0) === x.value >>> 0) !== x.negate }))
    .with({ kind: 'connmark' }, (x) => ({ cond: w.hasConn && (((w.ctMark & x.mask) >>> 0) === x.value >>> 0) !== x.negate }))
    .with({ kind: 'comment' }, () => ({ cond: true }))
    .with({ kind: 'unsupported' }, (): Part => 'unknown')
    .exhaustive();
}

/** Whether the packet's conntrack state includes `s` (SNAT/DNAT: the connection's NAT status). */
function hasState(w: NfPath, s: CtState): Cond {
  switch (s) {
    case 'NEW':
    case 'INVALID':
    case 'UNTRACKED':
      return w.ctState === s;
    case 'ESTABLISHED':
    case 'RELATED':
      return false; // the first packet of a flow is never either
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

type Physdev = Extract<NfMatch, { kind: 'physdev' }>;

/** xt_physdev, as the evaluator reads it (the context is concrete). */
function physdev(x: Physdev, ctx: NfContext): boolean {
  const xor = (b: boolean, n: boolean) => b !== n;
  if (!ctx.bridged) return [x.in, x.out, x.isBridged, x.isIn, x.isOut].every((o) => o === null || o.negate);
  const indev = ctx.physdevIn;
  const outdev = ctx.physdevOut;
  if (x.isBridged && !xor(outdev !== null, x.isBridged.negate)) return false;
  if (x.isIn && !xor(indev !== null, x.isIn.negate)) return false;
  if (x.isOut && !xor(outdev !== null, x.isOut.negate)) return false;
  if (x.in && indev !== null && !xor(ifaceMatches(x.in.name, indev), x.in.negate)) return false;
  if (x.out) return outdev !== null && xor(ifaceMatches(x.out.name, outdev), x.out.negate);
  return true;
}
