// OpenFlow match semantics: whether one flow's match holds for a packet entering a bridge port.
// Guarantees (as Open vSwitch): absent fields are wildcards; L3/L4 fields only match packets of
// the matching eth_type / IP protocol; `vlan_tci` is compared over (tagged ? 0x1000|vid : 0);
// `nd_target` never matches (no IPv6); a flow with fields netproof does not understand is treated
// as not matching, and that is reported as uncertain when everything else did match.
import type { Packet } from '../ir/packet.ts';
import { ETH_TYPE, IP_PROTO, OF_PORTED_PROTOS } from '../ir/packet.ts';
import type { FlowMatch, MaskedInt, OvsBridge } from '../ir/openflow.ts';
import { portName } from '../semantics/ovs-bridge.ts';
import { inPrefix } from '../net/ipv4.ts';
import { macMatches } from './addr.ts';

export interface MatchInput {
  readonly packet: Packet;
  /** The current in_port, by name. */
  readonly inPort: string;
  readonly regs: Readonly<Record<number, number>>;
}

export interface MatchResult {
  readonly matched: boolean;
  /** Set when only unsupported fields stood between the flow and a match. */
  readonly uncertain: string | null;
}

function maskedInt(v: number, m: MaskedInt): boolean {
  const mask = m.mask ?? 0xffffffff;
  return ((v & mask) >>> 0) === ((m.value & mask) >>> 0);
}

const isIpv4 = (p: Packet) => p.eth_type === ETH_TYPE.ipv4;
const isArp = (p: Packet) => p.eth_type === ETH_TYPE.arp;
// OVS holds transport ports in its flow key for TCP, UDP and SCTP only (not DCCP or UDP-Lite).
const hasPorts = (p: Packet) => isIpv4(p) && OF_PORTED_PROTOS.includes(p.proto) && p.sport !== null && p.dport !== null;

/** Every understood field of the match holds (unsupported fields are not looked at). */
function supportedFieldsHold(bridge: OvsBridge, m: FlowMatch, x: MatchInput): boolean {
  const p = x.packet;
  if (m.in_port !== undefined && portName(bridge, m.in_port) !== x.inPort) return false;
  if (m.dl_vlan !== undefined && p.vlan !== m.dl_vlan) return false;
  if (m.vlan_tci !== undefined) {
    const tci = p.vlan === null ? 0 : 0x1000 | p.vlan;
    const mask = m.vlan_tci.mask ?? 0xffff;
    if ((tci & mask) !== (m.vlan_tci.value & mask)) return false;
  }
  if (m.dl_src !== undefined && !macMatches(p.eth_src, m.dl_src.mac, m.dl_src.mask)) return false;
  if (m.dl_dst !== undefined && !macMatches(p.eth_dst, m.dl_dst.mac, m.dl_dst.mask)) return false;
  if (m.dl_type !== undefined && p.eth_type !== m.dl_type) return false;
  // OVS reads nw_proto as the ARP opcode for ARP frames.
  if (m.nw_proto !== undefined && (!(isIpv4(p) || isArp(p)) || p.proto !== m.nw_proto)) return false;
  if (m.nw_src !== undefined && (!isIpv4(p) || !inPrefix(p.ip_src, m.nw_src.ip, m.nw_src.prefixLen))) return false;
  if (m.nw_dst !== undefined && (!isIpv4(p) || !inPrefix(p.ip_dst, m.nw_dst.ip, m.nw_dst.prefixLen))) return false;
  if (m.arp_spa !== undefined && (!isArp(p) || !inPrefix(p.ip_src, m.arp_spa.ip, m.arp_spa.prefixLen))) return false;
  if (m.arp_tpa !== undefined && (!isArp(p) || !inPrefix(p.ip_dst, m.arp_tpa.ip, m.arp_tpa.prefixLen))) return false;
  if (m.arp_op !== undefined && (!isArp(p) || p.proto !== m.arp_op)) return false;
  if (m.tp_src !== undefined && (!hasPorts(p) || !maskedInt(p.sport!, m.tp_src))) return false;
  if (m.tp_dst !== undefined && (!hasPorts(p) || !maskedInt(p.dport!, m.tp_dst))) return false;
  const icmp = isIpv4(p) && p.proto === IP_PROTO.icmp;
  if (m.icmp_type !== undefined && (!icmp || p.icmp_type !== m.icmp_type)) return false;
  if (m.icmp_code !== undefined && (!icmp || p.icmp_code !== m.icmp_code)) return false;
  // Outside a tunnel the tunnel metadata reads as 0 in OVS.
  if (m.tun_id !== undefined && !maskedInt(p.tun_id ?? 0, m.tun_id)) return false;
  if (m.regs !== undefined) {
    for (const [reg, value] of Object.entries(m.regs)) {
      if ((x.regs[Number(reg)] ?? 0) !== value) return false;
    }
  }
  if (m.nd_target !== undefined) return false;
  return true;
}

// The two answers without a text, shared: a packet is matched against many flows per table.
const MATCHED: MatchResult = { matched: true, uncertain: null };
const NOT_MATCHED: MatchResult = { matched: false, uncertain: null };

export function matchFlow(bridge: OvsBridge, m: FlowMatch, x: MatchInput): MatchResult {
  if (!supportedFieldsHold(bridge, m, x)) return NOT_MATCHED;
  if (m.unsupported !== undefined && m.unsupported.length > 0) {
    return { matched: false, uncertain: `unsupported match ${m.unsupported.join(',')} on ${bridge.name}` };
  }
  return MATCHED;
}
