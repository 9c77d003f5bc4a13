// The connection tracking table of one namespace for one evaluation session: lookup after raw
// (PREROUTING/OUTPUT), creation of NEW connections, confirmation at the end of POSTROUTING/INPUT.
// Guarantees, as nf_conntrack: only confirmed connections are found by later packets; a packet
// matching a confirmed connection's reply tuple is ESTABLISHED and marks it as having seen a reply;
// one in the original direction is ESTABLISHED once a reply was seen, NEW before; zones separate
// connections with the same tuple. Connections are mutable records owned by the table; the rest of
// the engine holds them by `ConnectionRef`.
import type { Packet } from '../../ir/packet.ts';
import type { CtState } from '../../ir/netfilter.ts';
import { type Tuple, tupleOf, invert, tupleKey, icmpCannotStart, isIcmpError } from './tuple.ts';

export type Direction = 'original' | 'reply';

/** One conntrack entry. `reply` is the tuple a reply carries, after the NAT bindings. */
export interface Connection {
  readonly id: number;
  readonly zone: number;
  /** The tuple of the first packet, before any NAT. */
  readonly original: Tuple;
  reply: Tuple;
  /** IPS_SRC_NAT / IPS_DST_NAT: a binding changed the tuple (the `SNAT`/`DNAT` ctstates). */
  srcNat: boolean;
  dstNat: boolean;
  /** Which target made the destination binding, for reports. */
  dstNatKind: 'DNAT' | 'REDIRECT' | null;
  /** IPS_*_NAT_DONE: the nat table ran for this manip; later packets do not traverse it. */
  srcNatDone: boolean;
  dstNatDone: boolean;
  seenReply: boolean;
  confirmed: boolean;
  /** ct mark (CONNMARK). */
  mark: number;
  /** `--random-fully` SNAT: the range the kernel drew the source port from (the binding shows a representative). */
  randomPort?: readonly [number, number];
}

export interface ConnectionRef {
  readonly id: number;
  readonly zone: number;
  readonly direction: Direction;
}

/** One per namespace per evaluation session. */
export interface Conntrack {
  readonly byId: Map<number, Connection>;
  /** Confirmed connections by `tupleKey(zone, tuple)` of both their directions. */
  readonly index: Map<string, { readonly id: number; readonly direction: Direction }>;
  nextId: number;
}

export function createConntrack(): Conntrack {
  return { byId: new Map(), index: new Map(), nextId: 1 };
}

export function getConnection(ct: Conntrack, ref: ConnectionRef): Connection {
  const c = ct.byId.get(ref.id);
  // A ref is only ever made by this module for an entry it stored; never removed.
  if (!c) throw new Error(`internal: no connection ${ref.id}`);
  return c;
}

/** The confirmed connections, oldest first (for reports and tests). */
export function connections(ct: Conntrack): readonly Readonly<Connection>[] {
  return [...ct.byId.values()].filter((c) => c.confirmed);
}

/** Whether some confirmed connection of `zone` already uses `t` in either direction. */
export function tupleInUse(ct: Conntrack, zone: number, t: Tuple): boolean {
  return ct.index.has(tupleKey(zone, t));
}

export interface LookupResult {
  readonly ctState: CtState;
  readonly ct: ConnectionRef | null;
  /** Set when the state is an approximation (ICMP errors). */
  readonly note: string | null;
}

/** The conntrack lookup (`nf_conntrack_in`) for a packet in `zone`. */
export function lookup(ct: Conntrack, zone: number, packet: Packet): LookupResult {
  const t = tupleOf(packet);
  const hit = ct.index.get(tupleKey(zone, t));
  if (hit) {
    const c = ct.byId.get(hit.id)!; // the index only holds stored ids
    if (hit.direction === 'reply') c.seenReply = true;
    const state: CtState = hit.direction === 'reply' || c.seenReply ? 'ESTABLISHED' : 'NEW';
    return { ctState: state, ct: { id: c.id, zone, direction: hit.direction }, note: null };
  }
  if (isIcmpError(t)) return relatedIcmpError(ct, zone, t);
  // An ICMP answer without its query may not start a connection: INVALID, no entry.
  if (icmpCannotStart(t)) return { ctState: 'INVALID', ct: null, note: null };
  const c: Connection = {
    id: ct.nextId++,
    zone,
    original: t,
    reply: invert(t),
    srcNat: false,
    dstNat: false,
    dstNatKind: null,
    srcNatDone: false,
    dstNatDone: false,
    seenReply: false,
    confirmed: false,
    mark: 0,
  };
  ct.byId.set(c.id, c);
  return { ctState: 'NEW', ct: { id: c.id, zone, direction: 'original' }, note: null };
}

/**
 * ICMP errors quote the packet they answer, which the packet model does not carry. Approximation:
 * RELATED to a confirmed connection of the zone that has the error's destination as an endpoint,
 * with a note, so the caller marks the verdict unknown. Exact otherwise: the quoted packet comes
 * from the error's destination, so no connection without that endpoint can hold its tuple, and
 * the kernel finds none: INVALID.
 */
function relatedIcmpError(ct: Conntrack, zone: number, t: Tuple): LookupResult {
  const note = `ICMP error ${t.icmpType}/${t.icmpCode} to ${t.dst}: the quoted packet is not modelled`;
  for (const c of ct.byId.values()) {
    if (!c.confirmed || c.zone !== zone) continue;
    // The original sender appears as original.src (before NAT) or reply.dst (after NAT).
    if (c.original.src === t.dst || c.reply.dst === t.dst) return { ctState: 'RELATED', ct: { id: c.id, zone, direction: 'reply' }, note };
    if (c.original.dst === t.dst || c.reply.src === t.dst) return { ctState: 'RELATED', ct: { id: c.id, zone, direction: 'original' }, note };
  }
  return { ctState: 'INVALID', ct: null, note: null };
}

/**
 * Confirm (`nf_conntrack_confirm`): store a new connection so later packets find it. Idempotent
 * (a flooded copy of the same packet confirms once). Returns a note when a confirmed connection
 * already holds one of its tuples (the kernel drops the packet then; netproof keeps the older entry).
 */
export function confirm(ct: Conntrack, ref: ConnectionRef): string | null {
  const c = getConnection(ct, ref);
  if (c.confirmed) return null;
  const ko = tupleKey(c.zone, c.original);
  const kr = tupleKey(c.zone, c.reply);
  if (ct.index.has(ko) || ct.index.has(kr)) return `conntrack clash on confirm of ${ko}`;
  c.confirmed = true;
  // Reply second: when both tuples are one (a packet from an address to itself, no ports or equal
  // ones) the reply entry wins, as in the kernel, which adds the reply at the head of the same hash
  // chain after the original, so a later lookup meets it first (ESTABLISHED, reply direction).
  ct.index.set(ko, { id: c.id, direction: 'original' });
  ct.index.set(kr, { id: c.id, direction: 'reply' });
  return null;
}
