// The connections a symbolic path has made so far, per netfilter instance (a host's root namespace or
// a router or DHCP namespace) and zone, as src/evaluate/netfilter/conntrack.ts keeps them for one
// evaluation session: a packet that comes back to an instance it went through — a VM's packet to its
// own floating IP, DNATed back to it with its floating IP as source, meets its own firewall again —
// may be the reply of the connection it opened there, ESTABLISHED, where a packet met for the first
// time is NEW. The packet is still the first of its flow when it leaves its sender: only its own path's
// connections are ever found.
// Guarantees: a lookup's branches partition its packets: ESTABLISHED (the reply tuple of a recorded
// connection without NAT, or its original tuple once a reply was seen), `unknown` (a reply of a
// connection with a NAT binding: not modelled), and the rest, left to the first-packet lookup
// (NEW/INVALID) as before.
import { ICMP_INVERSE } from '../../semantics/netfilter.ts';
import type { Cond, Enc } from '../cond.ts';
import { termKey } from '../cond.ts';
import { portedProto, type SymPacket } from '../headers.ts';

/** One connection the path opened: where, in which zone, its tuples, and whether a NAT binding changed it. */
export interface SymConn {
  /** `host/namespace` (`root` for a host's bridged firewall). */
  readonly instance: string;
  readonly zone: number;
  /** The packet as looked up (the original tuple). */
  readonly original: SymPacket;
  /** The packet as confirmed, after NAT (its inverse is the reply tuple). */
  readonly confirmed: SymPacket;
  /** A NAT binding changed the tuple (the SNAT/DNAT statuses). */
  readonly natted: Cond;
  readonly seenReply: boolean;
  /** What distinguishes it from other connections, for path keys (merge.ts). */
  readonly key: string;
}

const TUPLE = ['ip_src', 'ip_dst', 'proto', 'sport', 'dport', 'icmp_type', 'icmp_code'] as const;

export function symConn(instance: string, zone: number, original: SymPacket, confirmed: SymPacket, natted: Cond, seenReply = false): SymConn {
  const key = [instance, zone, ...TUPLE.map((f) => termKey(original[f])), ...TUPLE.map((f) => termKey(confirmed[f])), termKey(natted), seenReply].join(',');
  return { instance, zone, original, confirmed, natted, seenReply, key };
}

const icmp = (e: Enc, p: SymPacket): Cond => e.eq(p.proto, 1, 8);

/** The ICMP type a reply to type `t` carries (ICMP_INVERSE, else the same type), as a condition on `answer`. */
function inverseType(e: Enc, t: SymPacket['icmp_type'], answer: SymPacket['icmp_type']): Cond {
  const mapped = [...ICMP_INVERSE].map(([q, a]) => e.and(e.eq(t, q, 8), e.eq(answer, a, 8)));
  const unmapped = e.and(...[...ICMP_INVERSE.keys()].map((q) => e.not(e.eq(t, q, 8))), e.eq(answer, t, 8));
  return e.or(...mapped, unmapped);
}

/** `p`'s tuple equals `t`'s (ports for the protocols with ports, type and code for ICMP, as tupleOf). */
function sameTuple(e: Enc, p: SymPacket, t: SymPacket): Cond {
  return e.and(
    e.eq(p.ip_src, t.ip_src, 32), e.eq(p.ip_dst, t.ip_dst, 32), e.eq(p.proto, t.proto, 8),
    e.or(e.not(portedProto(e, p)), e.and(e.eq(p.sport, t.sport, 16), e.eq(p.dport, t.dport, 16))),
    e.or(e.not(icmp(e, p)), e.and(e.eq(p.icmp_type, t.icmp_type, 8), e.eq(p.icmp_code, t.icmp_code, 8))),
  );
}

/** `p`'s tuple is the reply tuple of the connection confirmed with `c` (its inverse). */
function replyTuple(e: Enc, p: SymPacket, c: SymPacket): Cond {
  return e.and(
    e.eq(p.ip_src, c.ip_dst, 32), e.eq(p.ip_dst, c.ip_src, 32), e.eq(p.proto, c.proto, 8),
    e.or(e.not(portedProto(e, p)), e.and(e.eq(p.sport, c.dport, 16), e.eq(p.dport, c.sport, 16))),
    e.or(e.not(icmp(e, p)), e.and(inverseType(e, c.icmp_type, p.icmp_type), e.eq(p.icmp_code, c.icmp_code, 8))),
  );
}

/** How a packet meets the path's connections at one lookup. */
export interface ConnHits {
  /** Per connection: the packet is its reply (or, after a reply, its original direction again). */
  readonly established: readonly { readonly conn: SymConn; readonly cond: Cond; readonly direction: 'reply' | 'original' }[];
  /** The packet meets a connection in a way not modelled: a reply through NAT. */
  readonly unmodelled: Cond;
  /** Any of the above: the first-packet lookup applies to the rest. */
  readonly any: Cond;
}

/**
 * The path's earlier connections of this instance and zone that the packet `p` belongs to. The
 * conditions are exclusive in order (a tuple identifies at most one connection, as the kernel's
 * hash does).
 */
export function connHits(e: Enc, conns: readonly SymConn[], instance: string, zone: number, p: SymPacket): ConnHits {
  const mine = conns.filter((c) => c.instance === instance && c.zone === zone);
  const established: { conn: SymConn; cond: Cond; direction: 'reply' | 'original' }[] = [];
  const unmodelled: Cond[] = [];
  const taken: Cond[] = [];
  for (const c of mine) {
    const reply = e.and(replyTuple(e, p, c.confirmed), ...taken.map((t) => e.not(t)));
    if (reply !== false) {
      established.push({ conn: c, cond: e.and(reply, e.not(c.natted)), direction: 'reply' });
      unmodelled.push(e.and(reply, c.natted));
      taken.push(reply);
    }
    if (c.seenReply) {
      const again = e.and(sameTuple(e, p, c.original), ...taken.map((t) => e.not(t)));
      if (again !== false) {
        established.push({ conn: c, cond: e.and(again, e.not(c.natted)), direction: 'original' });
        unmodelled.push(e.and(again, c.natted));
        taken.push(again);
      }
    }
  }
  // No ICMP error meets these connections as RELATED (the evaluator's approximation for an error
  // quoting a packet of another flow): each was opened by this path's own packet at a lookup that
  // found it NEW, so no ICMP error (one is INVALID there), and nothing on a path rewrites an IPv4
  // packet's protocol or ICMP type, so the packet is none now either. Said as a condition it would
  // only be refuted by the path's condition, which structural pruning does not see: an end the
  // solver then finds empty, but one that is walked on.
  const est = established.filter((x) => x.cond !== false);
  return { established: est, unmodelled: e.or(...unmodelled), any: e.or(...taken) };
}

/** The connections with `c` marked as having seen its reply. */
export function withReplySeen(conns: readonly SymConn[], c: SymConn): SymConn[] {
  return conns.map((x) => (x === c ? symConn(x.instance, x.zone, x.original, x.confirmed, x.natted, true) : x));
}
