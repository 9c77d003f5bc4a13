// NAT bindings on conntrack entries and their application to packets, as nf_nat: a SNAT/DNAT/
// REDIRECT target sets a binding on a NEW connection (`nf_nat_setup_info`), which rewrites the
// connection's reply tuple; at each NAT hook the packet is then rewritten to match the connection
// (`nf_nat_packet`): destinations at PREROUTING/OUTPUT, sources at POSTROUTING/INPUT, and for a
// reply the inverse (a reply to a DNATed connection gets its source back at POSTROUTING, one to an
// SNATed connection its destination back at PREROUTING). Guarantees: a binding that changes
// nothing sets no SNAT/DNAT status, as in the kernel.
import type { Packet } from '../../ir/packet.ts';
import type { NatSpec } from '../../semantics/netfilter.ts';
import { representativePort, snatPortRange } from '../../semantics/snat-port.ts';
import { type Tuple, invert } from './tuple.ts';
import { type Conntrack, type Connection, type Direction, tupleInUse } from './conntrack.ts';
import type { NatEvent } from './types.ts';

export type Manip = 'src' | 'dst';

/** The tuple the original direction has after the bindings made so far. */
function current(c: Connection): Tuple {
  return invert(c.reply);
}

/** DNAT or REDIRECT: bind the destination (and port, when given and the protocol has ports). */
export function bindDst(c: Connection, ip: string, port: number | null, kind: 'DNAT' | 'REDIRECT'): void {
  const cur = current(c);
  const next: Tuple = { ...cur, dst: ip, dport: port !== null && cur.dport !== null ? port : cur.dport };
  if (next.dst === cur.dst && next.dport === cur.dport) return;
  c.reply = invert(next);
  c.dstNat = true;
  c.dstNatKind = kind;
}

/**
 * SNAT: bind the source to `ip`. The source port is kept when it is in the given range (or no range
 * is given) and the resulting reply tuple is free; otherwise the next free port of the range
 * (snat-port.ts: the rule's, else by the original port's class) is taken, as the kernel's uniqueness
 * search does. With `--random-fully` the kernel draws the port at random from that range: the
 * representative (the original port when in range) stands for the draw, and the connection says so.
 */
export function bindSrc(ct: Conntrack, c: Connection, spec: NatSpec, fullyRandom = false): void {
  const cur = current(c);
  let next: Tuple = { ...cur, src: spec.ip };
  if (cur.sport !== null) {
    const range = snatPortRange(cur.sport, spec.ports);
    const [lo, hi] = range;
    let port = fullyRandom ? representativePort(cur.sport, range) : spec.ports && (cur.sport < lo || cur.sport > hi) ? lo : cur.sport;
    if (fullyRandom) c.randomPort = range;
    next = { ...next, sport: port };
    const span = Math.max(hi - lo + 1, 1);
    for (let i = 0; i < span && tupleInUse(ct, c.zone, invert(next)); i++) {
      port = port >= hi ? lo : port + 1;
      next = { ...next, sport: port };
    }
  }
  if (next.src === cur.src && next.sport === cur.sport) return;
  c.reply = invert(next);
  c.srcNat = true;
}

function endpoint(ip: string, port: number | null, showPort: boolean): string {
  return showPort && port !== null ? `${ip}:${port}` : ip;
}

/**
 * `nf_nat_packet`: rewrite the `manip` field of a packet travelling in `direction` so that it
 * matches the connection's bindings. Returns the packet (unchanged when nothing applies) and the
 * rewrite made, if any.
 */
export function applyManip(c: Connection, direction: Direction, manip: Manip, p: Packet): { packet: Packet; event: NatEvent | null } {
  // In the reply direction the roles swap: the destination of a reply undoes SNAT, its source DNAT.
  const undoesSnat = direction === 'original' ? manip === 'src' : manip === 'dst';
  const active = undoesSnat ? c.srcNat : c.dstNat;
  if (!active) return { packet: p, event: null };
  const target = invert(direction === 'original' ? c.reply : c.original);
  const type: NatEvent['type'] = undoesSnat ? 'SNAT' : (c.dstNatKind ?? 'DNAT');
  if (manip === 'src') {
    const sport = p.sport === null ? null : target.sport;
    if (target.src === p.ip_src && sport === p.sport) return { packet: p, event: null };
    // A port drawn at random is always shown, with the range it was drawn from.
    const random = direction === 'original' && c.randomPort !== undefined && sport !== null ? c.randomPort : null;
    const showPort = sport !== p.sport || random !== null;
    return {
      packet: { ...p, ip_src: target.src, sport },
      event: { type, field: 'src', from: endpoint(p.ip_src, p.sport, showPort), to: endpoint(target.src, sport, showPort), ...(random ? { randomPortIn: random } : {}) },
    };
  }
  const dport = p.dport === null ? null : target.dport;
  if (target.dst === p.ip_dst && dport === p.dport) return { packet: p, event: null };
  const showPort = dport !== p.dport;
  return {
    packet: { ...p, ip_dst: target.dst, dport },
    event: { type, field: 'dst', from: endpoint(p.ip_dst, p.dport, showPort), to: endpoint(target.dst, dport, showPort) },
  };
}
