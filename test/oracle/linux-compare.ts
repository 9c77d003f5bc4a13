// Packets leaving a real Linux device against the copies the evaluator emits, for the oracles that
// put real frames through real bridges and router namespaces: both sides reduced to the header fields
// netproof models (MACs, VLAN, ethertype, addresses, protocol, ports, ICMP type and code, ARP opcode)
// and compared as multisets per output interface.
import type { Packet } from '../../src/ir/packet.ts';
import { ETH_TYPE, IP_PROTO, protoHasPorts } from '../../src/ir/packet.ts';
import type { DecodedFrame } from './frame.ts';
import type { ExclusionRule } from './tally.ts';

/**
 * The reply options a protocol's answer needs beyond the swapped packet: a TCP SYN is answered by a
 * SYN-ACK, an SCTP INIT by the INIT ACK carrying its tag (conntrack drops an answer without it).
 */
export function replyOptions(p: Packet): { tcpFlags?: number; tcpSeq?: number; tcpAck?: number; sctpInitAck?: boolean } {
  if (p.eth_type !== ETH_TYPE.ipv4) return {};
  if (p.proto === IP_PROTO.tcp) return { tcpFlags: 0x12, tcpSeq: 0x7000, tcpAck: 0x1000 + 1 + 8 };
  if (p.proto === IP_PROTO.sctp) return { sctpInitAck: true };
  return {};
}

/** The packets whose comparison a suite counts apart: SCTP and UDP-Lite (their ports are modelled since the packet carries them). */
export function countedKind(p: Packet): string | undefined {
  if (p.eth_type !== ETH_TYPE.ipv4) return undefined;
  return p.proto === IP_PROTO.sctp ? 'SCTP' : p.proto === IP_PROTO.udplite ? 'UDP-Lite' : undefined;
}

/** One copy leaving a device, as text both sides can produce. */
export type CopyKey = string;

const l4 = (proto: number, sport: number | null, dport: number | null, t: number | null, c: number | null) =>
  protoHasPorts(proto) ? ` ${sport}>${dport}` : proto === IP_PROTO.icmp ? ` icmp ${t}/${c}` : '';

/** The evaluator's copy as text; `sport: 'any'` leaves the source port out (a port the kernel picks at random). */
export function packetKey(port: string, p: Packet, opts: { anySport?: boolean } = {}): CopyKey {
  const head = `${port} ${p.eth_src}>${p.eth_dst} vlan=${p.vlan ?? '-'} type=0x${p.eth_type.toString(16)}`;
  if (p.eth_type === ETH_TYPE.ipv4) return `${head} ${p.ip_src}>${p.ip_dst} proto=${p.proto}${l4(p.proto, opts.anySport ? null : p.sport, p.dport, p.icmp_type, p.icmp_code)}`;
  if (p.eth_type === ETH_TYPE.arp) return `${head} arp op=${p.proto} ${p.ip_src}>${p.ip_dst}`;
  return head;
}

/** A captured frame as text, leaving the place where it came out to the caller. */
export function frameKey(port: string, f: DecodedFrame, opts: { anySport?: boolean } = {}): CopyKey {
  const head = `${port} ${f.ethSrc}>${f.ethDst} vlan=${f.vlan ?? '-'} type=0x${f.ethType.toString(16)}`;
  if (f.ethType === ETH_TYPE.ipv4) return `${head} ${f.ipSrc}>${f.ipDst} proto=${f.proto}${l4(f.proto ?? -1, opts.anySport ? null : f.sport, f.dport, f.icmpType, f.icmpCode)}`;
  if (f.ethType === ETH_TYPE.arp) return `${head} arp op=${f.proto} ${f.ipSrc}>${f.ipDst}`;
  return head;
}

/** The differences between two multisets of copies (empty when equal). */
export function diffKeys(evaluator: readonly CopyKey[], real: readonly CopyKey[]): string[] {
  const rest = [...real];
  const out: string[] = [];
  for (const k of evaluator) {
    const i = rest.indexOf(k);
    if (i >= 0) rest.splice(i, 1);
    else out.push(`evaluator only: ${k}`);
  }
  for (const k of rest) out.push(`real only: ${k}`);
  return out;
}

/** A fresh 8-byte marker (hex) from a counter and a run tag, unique within a run. */
export function markerMaker(): () => string {
  const run = Math.floor(Math.random() * 0xffffffff);
  let n = 0;
  return () => `${run.toString(16).padStart(8, '0')}${(n++).toString(16).padStart(8, '0')}`;
}

/** The reply a receiver sends to `p` in the same connection (addresses and ports swapped; an echo gets its reply). */
export function replyTo(p: Packet): Packet {
  const swapped = { ...p, eth_src: p.eth_dst, eth_dst: p.eth_src, ip_src: p.ip_dst, ip_dst: p.ip_src, sport: p.dport, dport: p.sport };
  if (p.eth_type === ETH_TYPE.ipv4 && p.proto === IP_PROTO.icmp && p.icmp_type === 8) return { ...swapped, icmp_type: 0, icmp_code: 0 };
  return swapped;
}
