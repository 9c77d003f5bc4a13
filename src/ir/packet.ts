// The concrete packet: the header fields every layer of netproof reads and writes.
// Addresses are kept as canonical text (lower-case MACs, dotted-quad IPv4) so that traces,
// JSON output and golden files show exactly what an operator would type.

/** A MAC address in canonical lower-case colon form, e.g. `fa:16:3e:12:34:56`. */
export type Mac = string;
/** An IPv4 address in dotted-quad form. */
export type Ipv4 = string;

export const ETH_TYPE = { ipv4: 0x0800, arp: 0x0806, ipv6: 0x86dd, vlan: 0x8100 } as const;
export const IP_PROTO = { icmp: 1, tcp: 6, udp: 17, dccp: 33, sctp: 132, udplite: 136 } as const;

/**
 * The IP protocols whose header starts with a 16-bit source and destination port: TCP, UDP, DCCP,
 * SCTP and UDP-Lite. Linux's conntrack keys their connections by the ports and its NAT rewrites them
 * alike (nf_nat_proto.c), iptables matches them (`-m tcp|udp|sctp|dccp`, `-m multiport`) and Neutron
 * accepts port ranges for exactly these. A packet carries `sport`/`dport` for these and no other.
 */
export const PORTED_PROTOS: readonly number[] = [IP_PROTO.tcp, IP_PROTO.udp, IP_PROTO.dccp, IP_PROTO.sctp, IP_PROTO.udplite];
const PORTED: ReadonlySet<number> = new Set(PORTED_PROTOS);
/** Whether packets of IP protocol `proto` have ports (PORTED_PROTOS). */
export const protoHasPorts = (proto: number): boolean => PORTED.has(proto);

/**
 * The protocols whose ports Open vSwitch's flow key holds (`tp_src`/`tp_dst` need `tcp`, `udp` or
 * `sctp`): OVS does not parse DCCP or UDP-Lite headers, so no flow matches their ports.
 */
export const OF_PORTED_PROTOS: readonly number[] = [IP_PROTO.tcp, IP_PROTO.udp, IP_PROTO.sctp];
const NAMES: ReadonlyMap<number, string> = new Map(Object.entries(IP_PROTO).map(([name, n]) => [n, name]));
/** The name of an IP protocol netproof knows by name (`IP_PROTO`), or null. */
export const ipProtoName = (proto: number): string | null => NAMES.get(proto) ?? null;

export const BROADCAST_MAC: Mac = 'ff:ff:ff:ff:ff:ff';

/**
 * One packet as it is at one point of its path. `vlan` is the 802.1Q VID when the frame is tagged;
 * `tun_id` is the tunnel key (VNI or GRE key) in the tunnel metadata while the packet is on or just
 * off a tunnel. For ARP (`eth_type` 0x0806) `ip_src`/`ip_dst` are the sender/target protocol
 * addresses (arp_spa/arp_tpa) and `proto` is the ARP opcode (1 request, 2 reply).
 */
export interface Packet {
  readonly eth_src: Mac;
  readonly eth_dst: Mac;
  readonly vlan: number | null;
  readonly tun_id: number | null;
  readonly eth_type: number;
  readonly ip_src: Ipv4;
  readonly ip_dst: Ipv4;
  /** IP protocol number (1 icmp, 6 tcp, 17 udp, …); for ARP the opcode. */
  readonly proto: number;
  /** Ports for the protocols that have them (TCP, UDP, DCCP, SCTP, UDP-Lite: `protoHasPorts`); null for other protocols. */
  readonly sport: number | null;
  readonly dport: number | null;
  /** ICMP type and code; null for other protocols. */
  readonly icmp_type: number | null;
  readonly icmp_code: number | null;
}
