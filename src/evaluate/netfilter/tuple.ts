// Conntrack tuples: the part of a packet that identifies its connection, their inversion (the
// tuple a reply carries) and a stable key for lookups. ICMP queries carry their type and code so
// that an echo request (8) and the echo reply (0) that answers it are the two directions of one
// connection, while a request in the other direction is a connection of its own, as in the kernel
// (the ICMP id is not in the packet model, so pings between the same two hosts share a connection).
import type { Packet } from '../../ir/packet.ts';
import { IP_PROTO } from '../../ir/packet.ts';
import { ICMP_ERROR_TYPES, ICMP_INVERSE, ICMP_NEW_TYPES } from '../../semantics/netfilter.ts';

export interface Tuple {
  readonly src: string;
  readonly dst: string;
  readonly proto: number;
  /** Ports (TCP, UDP, DCCP, SCTP, UDP-Lite); null for other protocols. */
  readonly sport: number | null;
  readonly dport: number | null;
  /** ICMP type and code; null for other protocols. */
  readonly icmpType: number | null;
  readonly icmpCode: number | null;
}

/** The types that may start a connection. */
const ICMP_NEW: ReadonlySet<number> = new Set(ICMP_NEW_TYPES);
const ICMP_ERROR: ReadonlySet<number> = new Set(ICMP_ERROR_TYPES);

export function tupleOf(p: Packet): Tuple {
  const icmp = p.proto === IP_PROTO.icmp;
  return {
    src: p.ip_src,
    dst: p.ip_dst,
    proto: p.proto,
    sport: p.sport,
    dport: p.dport,
    icmpType: icmp ? p.icmp_type : null,
    icmpCode: icmp ? p.icmp_code : null,
  };
}

/** The tuple a reply to `t` carries. `invert(invert(t))` equals `t`. */
export function invert(t: Tuple): Tuple {
  return {
    src: t.dst,
    dst: t.src,
    proto: t.proto,
    sport: t.dport,
    dport: t.sport,
    icmpType: t.icmpType === null ? null : (ICMP_INVERSE.get(t.icmpType) ?? t.icmpType),
    icmpCode: t.icmpCode,
  };
}

export function tupleKey(zone: number, t: Tuple): string {
  return `${zone}|${t.src}|${t.dst}|${t.proto}|${t.sport}|${t.dport}|${t.icmpType}|${t.icmpCode}`;
}

/** An ICMP packet that may not start a connection (an answer or an error without its query). */
export function icmpCannotStart(t: Tuple): boolean {
  return t.proto === IP_PROTO.icmp && (t.icmpType === null || !ICMP_NEW.has(t.icmpType));
}

export function isIcmpError(t: Tuple): boolean {
  return t.proto === IP_PROTO.icmp && t.icmpType !== null && ICMP_ERROR.has(t.icmpType);
}
