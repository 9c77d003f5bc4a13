// NAT of the first packet of a flow over a symbolic packet, as src/evaluate/netfilter/nat.ts: a SNAT,
// DNAT or REDIRECT target binds the connection, and the hook's NAT stage rewrites the packet: DNAT sets
// the destination (and the port when one is given and the packet has ports), SNAT the source (keeping
// the source port when it is in the given range, else the range's first port; with --random-fully any
// port of the range the kernel draws from, snat-port.ts), REDIRECT the
// destination to the incoming interface's address (127.0.0.1 from OUTPUT) and port.
// Guarantees: the rewritten fields are If-then-else terms where the packet's protocol is not known;
// the connection's SNAT/DNAT status is the condition that the binding changed something.
// Approximation: SNAT ignores port clashes with other connections (there are none for a first packet
// in an empty conntrack table, which is what a query asks about).
import type { NfTarget } from '../../ir/netfilter.ts';
import { type Hook, type NfContext, natTargetAllowed, parseNatSpec, redirectAddress } from '../../semantics/netfilter.ts';
import { type DnatPortRange, dnatPortMap, rangeText } from '../../semantics/dnat-port.ts';
import type { SymPacket } from '../headers.ts';
import { hasPorts, ipToNum } from '../headers.ts';
import { textKey, type Cond, type Enc, type Val } from '../cond.ts';
import { SNAT_PORT_CLASSES } from '../../semantics/snat-port.ts';
import type { NfPath } from './state.ts';

export interface NatBinding {
  readonly manip: 'src' | 'dst';
  readonly ip: number;
  /** DNAT/REDIRECT: the new destination port; SNAT: the source port range. */
  readonly port: number | null;
  readonly range: readonly [number, number] | null;
  /** SNAT --random-fully: the source port is drawn at random (snat-port.ts). */
  readonly random?: boolean;
  /** DNAT to a port range (semantics/dnat-port.ts): the port mapped by offset, kept, or any of the range. */
  readonly ports?: DnatPortRange;
}

type NatTarget = Extract<NfTarget, { kind: 'SNAT' | 'DNAT' | 'REDIRECT' }>;

export type NatOutcome =
  | { readonly kind: 'bind'; readonly binding: NatBinding }
  | { readonly kind: 'drop' }
  | { readonly kind: 'bad'; readonly why: string };

export function natBinding(t: NatTarget, table: string, hook: Hook, w: NfPath, ctx: NfContext): NatOutcome {
  if (!natTargetAllowed(t, table, hook) || !w.hasConn) return { kind: 'bad', why: `${t.kind} outside its table or hook` };
  switch (t.kind) {
    case 'DNAT': {
      const spec = parseNatSpec(t.to);
      if (!spec) return { kind: 'bad', why: 'NAT address not understood' };
      const map = dnatPortMap(t, spec);
      const ip = ipToNum(spec.ip);
      if (map.kind === 'range') return { kind: 'bind', binding: { manip: 'dst', ip, port: null, range: null, ports: map.range } };
      return { kind: 'bind', binding: { manip: 'dst', ip, port: map.kind === 'set' ? map.port : null, range: null } };
    }
    case 'SNAT': {
      const spec = parseNatSpec(t.to);
      if (!spec) return { kind: 'bad', why: 'NAT address not understood' };
      return { kind: 'bind', binding: { manip: 'src', ip: ipToNum(spec.ip), port: null, range: spec.ports, random: t.fully_random } };
    }
    case 'REDIRECT': {
      const ip = redirectAddress(hook, ctx);
      // The kernel drops when the interface has no address; the evaluator marks that uncertain too.
      if (ip === null) return { kind: 'bad', why: 'REDIRECT on an interface without address' };
      return { kind: 'bind', binding: { manip: 'dst', ip: ipToNum(ip), port: t.toPort, range: null } };
    }
    default: {
      const never: never = t;
      throw new Error(`unknown NAT target ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The packet after the binding, the condition that the binding changed it (the ct NAT status), and
 * what the path must assume with it: a --random-fully source port is a fresh value (one per original
 * port term and binding) anywhere in the range the kernel draws from, its replayed value registered
 * with the encoder (`randomChoice`) so a witness never has to rely on the draw.
 */
export function applyBinding(e: Enc, b: NatBinding, p: SymPacket): { packet: SymPacket; changed: Cond; assume: Cond } {
  const ports = hasPorts(e, p);
  if (b.manip === 'src' && b.random === true) {
    const orig = p.sport;
    const classes = b.range !== null ? [{ from: 0, to: 65535, range: b.range }] : SNAT_PORT_CLASSES.map((c, i) => ({ from: i === 0 ? 0 : SNAT_PORT_CLASSES[i - 1]!.below, to: c.below - 1, range: c.range }));
    let rep: Val = orig;
    const within: Cond[] = [];
    for (const c of classes) {
      const inClass = e.range(orig, c.from, c.to, 16);
      rep = e.ite(inClass, e.ite(e.range(orig, c.range[0], c.range[1], 16), orig, c.range[0], 16), rep, 16);
      within.push(inClass);
    }
    const v = e.randomChoice(`snat.${textKey(orig)}.${b.ip}.${b.range?.join('-') ?? 'class'}`, 16, rep);
    const drawn = e.or(...classes.map((c, i) => e.and(within[i]!, e.range(v, c.range[0], c.range[1], 16))));
    const sport = e.ite(ports, v, orig, 16);
    const changed = e.or(e.not(e.eq(p.ip_src, b.ip, 32)), e.and(ports, e.not(e.eq(v, orig, 16))));
    return { packet: { ...p, ip_src: b.ip, sport }, changed, assume: e.or(e.not(ports), drawn) };
  }
  if (b.manip === 'dst' && b.ports !== undefined) {
    // rangePortFor (semantics/dnat-port.ts) over a symbolic port: the mapped port where the kernel's choice is
    // fixed, else a value the kernel chooses, anywhere in the range (the range's first in a replay).
    const r = b.ports;
    const fixed = r.base !== null ? e.range(p.dport, r.base, 65535, 16) : e.range(p.dport, r.from, r.to, 16);
    const mapped = r.base !== null ? e.offsetMod(p.dport, r.base, r.from, r.to - r.from + 1, 16) : p.dport;
    let port: Val = mapped;
    let assume: Cond = true;
    if (fixed !== true) {
      const v = e.randomChoice(`dnat.${textKey(p.dport)}.${b.ip}.${rangeText(r)}`, 16, r.from);
      port = e.ite(fixed, mapped, v, 16);
      assume = e.or(e.not(ports), fixed, e.range(v, r.from, r.to, 16));
    }
    const dport = e.ite(ports, port, p.dport, 16);
    const changed = e.or(e.not(e.eq(p.ip_dst, b.ip, 32)), e.and(ports, e.not(e.eq(p.dport, port, 16))));
    return { packet: { ...p, ip_dst: b.ip, dport }, changed, assume };
  }
  if (b.manip === 'dst') {
    const dport = b.port === null ? p.dport : e.ite(ports, b.port, p.dport, 16);
    const changed = e.or(e.not(e.eq(p.ip_dst, b.ip, 32)), b.port === null ? false : e.and(ports, e.not(e.eq(p.dport, b.port, 16))));
    return { packet: { ...p, ip_dst: b.ip, dport }, changed, assume: true };
  }
  let sport = p.sport;
  if (b.range !== null) {
    const [lo, hi] = b.range;
    sport = e.ite(e.and(ports, e.not(e.range(p.sport, lo, hi, 16))), lo, p.sport, 16);
  }
  const changed = e.or(e.not(e.eq(p.ip_src, b.ip, 32)), b.range === null ? false : e.not(e.eq(sport, p.sport, 16)));
  return { packet: { ...p, ip_src: b.ip, sport }, changed, assume: true };
}
