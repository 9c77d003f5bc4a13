// The multicast both engines deliver. Linux takes every multicast frame an interface receives up to
// IP (pkt_type PACKET_MULTICAST), delivers an IPv4 packet to a group the interface joined locally, and
// never routes one on (no multicast routing in Neutron's namespaces). The only groups netproof's
// namespaces join are VRRP's: keepalived joins 224.0.0.18 on the interface of each of its instances
// (vrrp_instance `interface`), where it hears the other instances' advertisements (IP protocol 112).
import type { Namespace } from '../ir/dataplane.ts';
import type { Ipv4 } from '../ir/packet.ts';

/** VRRP's group (RFC 3768 §5.2.2): advertisements go to 224.0.0.18, TTL 255. */
export const VRRP_GROUP: Ipv4 = '224.0.0.18';
/** The Ethernet address of 224.0.0.18 (01:00:5e + the low 23 bits). */
export const VRRP_GROUP_MAC = '01:00:5e:00:00:12';
export const IP_PROTO_VRRP = 112;

/** The multicast groups `iface` of `ns` has joined. */
export function joinedGroups(ns: Namespace, iface: string): readonly Ipv4[] {
  return (ns.vrrp ?? []).some((v) => v.interface === iface) ? [VRRP_GROUP] : [];
}
