// Ethernet frames from netproof packets and back, for the oracles that put real frames on real Linux
// interfaces: 802.1Q tag, IPv4 with TCP (a SYN), UDP, UDP-Lite, SCTP (an INIT, or the INIT ACK that
// answers it), ICMP or any other protocol, ARP, or any other ethertype, each carrying an 8-byte marker
// in its payload so the frame can be recognised wherever it comes out (NAT rewrites addresses and
// ports, never the payload). Checksums (SCTP's CRC32c too) are computed as a real sender's would be, so
// conntrack never calls a frame INVALID for a bad checksum; a GRE frame carries a GRE header before its
// marker.
// Guarantees: decode(encode(p)) gives back p's header fields; a frame too short for its own headers
// decodes to null fields instead of throwing.
import type { Packet } from '../../src/ir/packet.ts';
import { ETH_TYPE, IP_PROTO, protoHasPorts } from '../../src/ir/packet.ts';
import { macBytes } from '../../src/net/mac.ts';

export interface FrameOptions {
  /** 8 bytes identifying the frame (hex, 16 digits). */
  readonly marker: string;
  /** ARP sender and target hardware addresses (default: eth_src, and eth_dst for a reply, zero for a request). */
  readonly arpSha?: string;
  readonly arpTha?: string;
  /** The ICMP identifier and sequence (echo) or rest-of-header word. */
  readonly icmpRest?: number;
  readonly ipId?: number;
  readonly ttl?: number;
  /** TCP flags (default SYN) and sequence number. */
  readonly tcpFlags?: number;
  readonly tcpSeq?: number;
  readonly tcpAck?: number;
  /** SCTP: the frame is the INIT ACK answering an INIT of encodeFrame's (else it is that INIT). */
  readonly sctpInitAck?: boolean;
}

const mac = (m: string): number[] => {
  const b = macBytes(m);
  if (!b) throw new Error(`not a MAC: ${m}`);
  return b;
};
const ip4 = (a: string): number[] => a.split('.').map(Number);
const u16 = (n: number) => [(n >>> 8) & 0xff, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

function checksum(bytes: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function withChecksum(bytes: number[], at: number, pseudo: readonly number[] = []): number[] {
  const c = checksum([...pseudo, ...bytes]);
  bytes[at] = c >>> 8;
  bytes[at + 1] = c & 0xff;
  return bytes;
}

/** CRC32c (Castagnoli, reflected), SCTP's checksum (RFC 9260 appendix A). */
const CRC32C_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  return c >>> 0;
});
export function crc32c(bytes: readonly number[]): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC32C_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)) >>> 0;
  return (c ^ 0xffffffff) >>> 0;
}

const SCTP = 132;
const UDPLITE = 136;
/**
 * The initiate tags of the INIT and of the INIT ACK answering it. Conntrack starts an SCTP connection
 * only on an INIT whose header carries verification tag 0, keeps the INIT's initiate tag and drops an
 * answer not carrying it (nf_conntrack_proto_sctp.c, RFC 9260 8.5).
 */
const SCTP_INIT_TAG = 0x5c7a0001;
const SCTP_ACK_TAG = 0x5c7a0002;
/** The marker rides in an INIT parameter of a type an endpoint skips (the top bits 10: skip, report). */
const SCTP_MARKER_PARAM = 0xbf00;
/** Where the marker starts after the SCTP common header: the INIT chunk's 20 bytes, the parameter's 4. */
const SCTP_MARKER_AT = 12 + 20 + 4;

function l4(p: Packet, marker: number[], o: FrameOptions): number[] {
  const pseudo = (len: number) => [...ip4(p.ip_src), ...ip4(p.ip_dst), 0, p.proto, ...u16(len)];
  if (p.proto === IP_PROTO.tcp) {
    const seg = [...u16(p.sport ?? 0), ...u16(p.dport ?? 0), ...u32(o.tcpSeq ?? 0x1000), ...u32(o.tcpAck ?? 0), 0x50, o.tcpFlags ?? 0x02, ...u16(64240), 0, 0, 0, 0, ...marker];
    return withChecksum(seg, 16, pseudo(seg.length));
  }
  if (p.proto === IP_PROTO.udp || p.proto === UDPLITE) {
    const len = 8 + marker.length;
    // UDP-Lite's length field is its checksum coverage: 0 covers the whole datagram (RFC 3828).
    const dgram = [...u16(p.sport ?? 0), ...u16(p.dport ?? 0), ...u16(p.proto === UDPLITE ? 0 : len), 0, 0, ...marker];
    const withSum = withChecksum(dgram, 6, pseudo(len));
    // A computed UDP checksum of 0 is sent as 0xffff (0 means "no checksum").
    if (withSum[6] === 0 && withSum[7] === 0) withSum[6] = withSum[7] = 0xff;
    return withSum;
  }
  if (p.proto === SCTP) {
    const ack = o.sctpInitAck === true;
    const param = [...u16(SCTP_MARKER_PARAM), ...u16(4 + marker.length), ...marker];
    // INIT or INIT ACK: initiate tag, a_rwnd, outbound and inbound streams, initial TSN, parameters.
    const chunk = [ack ? 2 : 1, 0, ...u16(20 + param.length), ...u32(ack ? SCTP_ACK_TAG : SCTP_INIT_TAG), ...u32(65535), ...u16(1), ...u16(1), ...u32(1), ...param];
    const pkt = [...u16(p.sport ?? 0), ...u16(p.dport ?? 0), ...u32(ack ? SCTP_INIT_TAG : 0), 0, 0, 0, 0, ...chunk];
    // The CRC goes on the wire least significant byte first (as Linux's sctp_end_cksum writes it).
    const crc = crc32c(pkt);
    pkt[8] = crc & 0xff;
    pkt[9] = (crc >>> 8) & 0xff;
    pkt[10] = (crc >>> 16) & 0xff;
    pkt[11] = crc >>> 24;
    return pkt;
  }
  if (p.proto === IP_PROTO.icmp) {
    return withChecksum([p.icmp_type ?? 0, p.icmp_code ?? 0, 0, 0, ...u32(o.icmpRest ?? 0x12340001), ...marker], 2);
  }
  if (p.proto === GRE) return [...GRE_V0_HEADER, ...marker];
  return marker;
}

/**
 * IP protocol 47, GRE: a plain GRE (version 0) header, as a real tunnel's packets carry, before the marker.
 * The kernel NATs the destination of a GRE packet of version 0 or 1 only (nf_nat_proto.c gre_manip_pkt:
 * "can't nat unknown GRE version" drops it), so marker bytes in the version field got a reply to an SNATed
 * GRE packet dropped, a packet no real GRE sender makes.
 */
const GRE = 47;
const GRE_V0_HEADER = [0x00, 0x00, 0x08, 0x00] as const;

/** The frame a sender puts on the wire for `p`. */
export function encodeFrame(p: Packet, o: FrameOptions): Buffer {
  const marker = Buffer.from(o.marker, 'hex');
  if (marker.length !== 8) throw new Error(`marker must be 8 bytes: ${o.marker}`);
  const m = [...marker];
  const head = [...mac(p.eth_dst), ...mac(p.eth_src), ...(p.vlan !== null ? [0x81, 0x00, ...u16(p.vlan & 0x0fff)] : []), ...u16(p.eth_type)];
  let body: number[];
  if (p.eth_type === ETH_TYPE.ipv4) {
    const payload = l4(p, m, o);
    const hdr = [0x45, 0, ...u16(20 + payload.length), ...u16(o.ipId ?? 0x4242), 0x40, 0, o.ttl ?? 64, p.proto, 0, 0, ...ip4(p.ip_src), ...ip4(p.ip_dst)];
    body = [...withChecksum(hdr, 10), ...payload];
  } else if (p.eth_type === ETH_TYPE.arp) {
    const sha = o.arpSha ?? p.eth_src;
    const tha = o.arpTha ?? (p.proto === 1 ? '00:00:00:00:00:00' : p.eth_dst);
    body = [0, 1, 0x08, 0x00, 6, 4, ...u16(p.proto), ...mac(sha), ...ip4(p.ip_src), ...mac(tha), ...ip4(p.ip_dst), ...m];
  } else {
    body = m;
  }
  const frame = [...head, ...body];
  while (frame.length < 60) frame.push(0);
  return Buffer.from(frame);
}

/** What the oracles read back from a captured frame. */
export interface DecodedFrame {
  readonly ethDst: string;
  readonly ethSrc: string;
  readonly vlan: number | null;
  readonly ethType: number;
  /** IPv4 or ARP (spa/tpa) addresses. */
  readonly ipSrc: string | null;
  readonly ipDst: string | null;
  /** IP protocol, or the ARP opcode. */
  readonly proto: number | null;
  readonly sport: number | null;
  readonly dport: number | null;
  readonly icmpType: number | null;
  readonly icmpCode: number | null;
  /** The ICMP rest-of-header word (identifier and sequence of an echo). */
  readonly icmpRest: number | null;
  readonly ttl: number | null;
  /** The IPv4 identification field (forwarding and NAT keep it; a reply the kernel builds has its own). */
  readonly ipId: number | null;
  readonly arpSha: string | null;
  readonly arpTha: string | null;
  /** The 8-byte payload marker when the frame carries one where encodeFrame puts it (hex). */
  readonly marker: string | null;
}

const hexMac = (b: Buffer, at: number) => [...b.subarray(at, at + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
const dotted = (b: Buffer, at: number) => [...b.subarray(at, at + 4)].join('.');

export function decodeFrame(b: Buffer): DecodedFrame {
  let at = 12;
  let vlan: number | null = null;
  let ethType = b.readUInt16BE(at);
  if (ethType === ETH_TYPE.vlan && b.length >= 18) {
    vlan = b.readUInt16BE(14) & 0x0fff;
    at = 16;
    ethType = b.readUInt16BE(at);
  }
  at += 2;
  const base: DecodedFrame = {
    ethDst: hexMac(b, 0), ethSrc: hexMac(b, 6), vlan, ethType, ipSrc: null, ipDst: null, proto: null, sport: null, dport: null,
    icmpType: null, icmpCode: null, icmpRest: null, ttl: null, ipId: null, arpSha: null, arpTha: null, marker: null,
  };
  const markerAt = (i: number) => (b.length >= i + 8 ? b.subarray(i, i + 8).toString('hex') : null);
  if (ethType === ETH_TYPE.ipv4 && b.length >= at + 20) {
    const ihl = (b[at]! & 0x0f) * 4;
    const proto = b[at + 9]!;
    const l4at = at + ihl;
    const ip = { ...base, ipSrc: dotted(b, at + 12), ipDst: dotted(b, at + 16), proto, ttl: b[at + 8]!, ipId: b.readUInt16BE(at + 4) };
    if (proto === SCTP && b.length >= l4at + 12) return { ...ip, sport: b.readUInt16BE(l4at), dport: b.readUInt16BE(l4at + 2), marker: markerAt(l4at + SCTP_MARKER_AT) };
    if ((proto === IP_PROTO.tcp && b.length >= l4at + 20) || ((proto === IP_PROTO.udp || proto === UDPLITE) && b.length >= l4at + 8)) {
      const off = proto === IP_PROTO.tcp ? ((b[l4at + 12]! >>> 4) * 4) : 8;
      return { ...ip, sport: b.readUInt16BE(l4at), dport: b.readUInt16BE(l4at + 2), marker: markerAt(l4at + off) };
    }
    if (proto === IP_PROTO.icmp && b.length >= l4at + 8) return { ...ip, icmpType: b[l4at]!, icmpCode: b[l4at + 1]!, icmpRest: b.readUInt32BE(l4at + 4), marker: markerAt(l4at + 8) };
    return { ...ip, marker: markerAt(proto === GRE ? l4at + GRE_V0_HEADER.length : l4at) };
  }
  if (ethType === ETH_TYPE.arp && b.length >= at + 28) {
    return { ...base, proto: b.readUInt16BE(at + 6), arpSha: hexMac(b, at + 8), ipSrc: dotted(b, at + 14), arpTha: hexMac(b, at + 18), ipDst: dotted(b, at + 24), marker: markerAt(at + 28) };
  }
  return { ...base, marker: markerAt(at) };
}

/** The netproof packet a decoded IPv4 frame carries (for building a reply to what really came out). */
export function packetOfFrame(f: DecodedFrame): Packet {
  if (f.ethType !== ETH_TYPE.ipv4 || f.ipSrc === null || f.ipDst === null || f.proto === null) throw new Error('not an IPv4 frame');
  const ports = protoHasPorts(f.proto);
  const icmp = f.proto === IP_PROTO.icmp;
  return {
    eth_src: f.ethSrc, eth_dst: f.ethDst, vlan: f.vlan, tun_id: null, eth_type: f.ethType, ip_src: f.ipSrc, ip_dst: f.ipDst, proto: f.proto,
    sport: ports ? f.sport : null, dport: ports ? f.dport : null, icmp_type: icmp ? f.icmpType : null, icmp_code: icmp ? f.icmpCode : null,
  };
}
