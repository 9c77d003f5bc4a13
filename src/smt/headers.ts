// Symbolic headers: a packet whose fields are Z3 bit-vectors (or plain numbers while they are known),
// the widths of each field, and the conversions between concrete `Packet`s and symbolic ones.
// Guarantees: `symbolicPacket` names one fresh variable per field, so a model of the variables is a
// packet; VLAN and tunnel presence are concrete (`null` = absent): no IR action makes presence depend
// on header data, so every path knows it. `sport`/`dport` mean something only for the protocols
// with ports (TCP, UDP, DCCP, SCTP, UDP-Lite: PORTED_PROTOS) and
// `icmp_type`/`icmp_code` only for ICMP (`hasPorts`/`isIcmp`), as in the concrete `Packet`.
import type { Packet } from '../ir/packet.ts';
import { ETH_TYPE, IP_PROTO, OF_PORTED_PROTOS, PORTED_PROTOS } from '../ir/packet.ts';
import type { Ctx } from './z3.ts';
import type { Cond, Enc, Val } from './cond.ts';
import { formatIpv4 as numToIp, ipv4ToNumber } from '../net/ipv4.ts';
import { formatMac as numToMac, macToNumber } from '../net/mac.ts';

/** Bit widths of the header fields (and of the per-path metadata the walker keeps). */
export const WIDTH = {
  eth_src: 48, eth_dst: 48, vlan: 12, tun_id: 32, eth_type: 16, ip_src: 32, ip_dst: 32, proto: 8,
  sport: 16, dport: 16, icmp_type: 8, icmp_code: 8, mark: 32, zone: 16,
} as const;

export interface SymPacket {
  readonly eth_src: Val;
  readonly eth_dst: Val;
  /** The VID when tagged, null when untagged. */
  readonly vlan: Val | null;
  /** The tunnel key while on or just off a tunnel, null otherwise. */
  readonly tun_id: Val | null;
  readonly eth_type: Val;
  readonly ip_src: Val;
  readonly ip_dst: Val;
  readonly proto: Val;
  readonly sport: Val;
  readonly dport: Val;
  readonly icmp_type: Val;
  readonly icmp_code: Val;
}

/** The header fields a sender chooses freely (VLAN and tunnel presence are the station's). */
export const FREE_FIELDS = ['eth_src', 'eth_dst', 'eth_type', 'ip_src', 'ip_dst', 'proto', 'sport', 'dport', 'icmp_type', 'icmp_code'] as const;
export type FreeField = (typeof FREE_FIELDS)[number];

/** A packet with a fresh variable per free field (named `<prefix>.<field>`). */
export function symbolicPacket(ctx: Ctx, prefix: string, vlan: number | null): SymPacket {
  const v = (f: FreeField) => ctx.BitVec.const(`${prefix}.${f}`, WIDTH[f]);
  return {
    eth_src: v('eth_src'), eth_dst: v('eth_dst'), vlan, tun_id: null, eth_type: v('eth_type'),
    ip_src: v('ip_src'), ip_dst: v('ip_dst'), proto: v('proto'), sport: v('sport'), dport: v('dport'),
    icmp_type: v('icmp_type'), icmp_code: v('icmp_code'),
  };
}

// Header values as the solver's numbers (48-bit MACs, 32-bit addresses); malformed text throws.
export { numToIp, numToMac };

// The device models read the same few hundred addresses of the IR over and over: parse each once.
const macs = new Map<string, number>();
const ips = new Map<string, number>();

/** A MAC's 48-bit value (throws on a malformed MAC, as `macToNumber`). */
export function macToNum(mac: string): number {
  let n = macs.get(mac);
  if (n === undefined) {
    n = macToNumber(mac);
    macs.set(mac, n);
  }
  return n;
}

/** An IPv4 address's 32-bit value (throws on a malformed address, as `ipv4ToNumber`). */
export function ipToNum(ip: string): number {
  let n = ips.get(ip);
  if (n === undefined) {
    n = ipv4ToNumber(ip);
    ips.set(ip, n);
  }
  return n;
}

/** A concrete packet as a (fully concrete) symbolic one; absent ports/ICMP fields read as 0. */
export function concretePacket(p: Packet): SymPacket {
  return {
    eth_src: macToNum(p.eth_src), eth_dst: macToNum(p.eth_dst), vlan: p.vlan, tun_id: p.tun_id,
    eth_type: p.eth_type, ip_src: ipToNum(p.ip_src), ip_dst: ipToNum(p.ip_dst), proto: p.proto,
    sport: p.sport ?? 0, dport: p.dport ?? 0, icmp_type: p.icmp_type ?? 0, icmp_code: p.icmp_code ?? 0,
  };
}

/** The conditions under which a symbolic packet equals a concrete one (for fixing a query's packet). */
export function equalsPacket(e: Enc, s: SymPacket, p: Packet): Cond {
  const c = concretePacket(p);
  const parts: Cond[] = [
    e.eq(s.eth_src, c.eth_src, 48), e.eq(s.eth_dst, c.eth_dst, 48), e.eq(s.eth_type, c.eth_type, 16),
    e.eq(s.ip_src, c.ip_src, 32), e.eq(s.ip_dst, c.ip_dst, 32), e.eq(s.proto, c.proto, 8),
  ];
  if (p.sport !== null) parts.push(e.eq(s.sport, p.sport, 16));
  if (p.dport !== null) parts.push(e.eq(s.dport, p.dport, 16));
  if (p.icmp_type !== null) parts.push(e.eq(s.icmp_type, p.icmp_type, 8));
  if (p.icmp_code !== null) parts.push(e.eq(s.icmp_code, p.icmp_code, 8));
  return e.and(...parts);
}

export const isIpv4 = (e: Enc, p: SymPacket): Cond => e.eq(p.eth_type, ETH_TYPE.ipv4, 16);
export const isArp = (e: Enc, p: SymPacket): Cond => e.eq(p.eth_type, ETH_TYPE.arp, 16);
/** The protocol is one with ports (PORTED_PROTOS), whatever the ethertype (conntrack's tuples: IPv4 only there). */
export const portedProto = (e: Enc, p: SymPacket): Cond => e.or(...PORTED_PROTOS.map((x) => e.eq(p.proto, x, 8)));
/** IPv4 TCP, UDP, DCCP, SCTP or UDP-Lite: the packet has ports. */
export const hasPorts = (e: Enc, p: SymPacket): Cond => e.and(isIpv4(e, p), portedProto(e, p));
/** IPv4 TCP, UDP or SCTP: the packet has ports an OpenFlow match reads (OF_PORTED_PROTOS). */
export const hasFlowPorts = (e: Enc, p: SymPacket): Cond => e.and(isIpv4(e, p), e.or(...OF_PORTED_PROTOS.map((x) => e.eq(p.proto, x, 8))));
export const isIcmp = (e: Enc, p: SymPacket): Cond => e.and(isIpv4(e, p), e.eq(p.proto, IP_PROTO.icmp, 8));
/** Group bit of the destination MAC (broadcast or multicast). */
export const isGroupDst = (e: Enc, p: SymPacket): Cond => e.masked(p.eth_dst, 0x010000000000, 0x010000000000, 48);
