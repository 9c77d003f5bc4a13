// The packet a question starts from (DESIGN §4): unset fields default to an ICMP echo request, or
// for TCP/UDP to source port 40000 and destination port 80.
import { ETH_TYPE, IP_PROTO, type Ipv4, type Mac, type Packet } from '../ir/packet.ts';

export type ProtoArg = 'tcp' | 'udp' | 'icmp' | number;

export interface PacketFields {
  readonly proto: ProtoArg;
  readonly sport?: number;
  readonly dport?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
}

export function protoNumber(p: ProtoArg): number {
  return typeof p === 'number' ? p : IP_PROTO[p];
}

export function firstPacket(f: PacketFields, l2: { src: Mac; dst: Mac; vlan: number | null }, l3: { src: Ipv4; dst: Ipv4 }): Packet {
  const proto = protoNumber(f.proto);
  const ported = proto === IP_PROTO.tcp || proto === IP_PROTO.udp;
  const icmp = proto === IP_PROTO.icmp;
  return {
    eth_src: l2.src,
    eth_dst: l2.dst,
    vlan: l2.vlan,
    tun_id: null,
    eth_type: ETH_TYPE.ipv4,
    ip_src: l3.src,
    ip_dst: l3.dst,
    proto,
    sport: ported ? (f.sport ?? 40000) : null,
    dport: ported ? (f.dport ?? 80) : null,
    icmp_type: icmp ? (f.icmpType ?? 8) : null,
    icmp_code: icmp ? (f.icmpCode ?? 0) : null,
  };
}
