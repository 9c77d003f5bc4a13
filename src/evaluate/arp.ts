// ARP request packets and the senders that put them on a wire. Shared by convergence (gratuitous
// ARP), `resolveArp` and a namespace's next-hop lookup.
import type { Ipv4, Mac, Packet } from '../ir/packet.ts';
import { BROADCAST_MAC, ETH_TYPE } from '../ir/packet.ts';

/** A broadcast ARP request: `proto` 1 is the opcode, ip_src/ip_dst are spa/tpa. */
export function arpRequest(srcMac: Mac, spa: Ipv4, tpa: Ipv4, vlan: number | null): Packet {
  return {
    eth_src: srcMac, eth_dst: BROADCAST_MAC, vlan, tun_id: null, eth_type: ETH_TYPE.arp,
    ip_src: spa, ip_dst: tpa, proto: 1, sport: null, dport: null, icmp_type: null, icmp_code: null,
  };
}

/** A gratuitous ARP: the sender announces its own address (spa = tpa). */
export const gratuitousArp = (mac: Mac, ip: Ipv4, vlan: number | null) => arpRequest(mac, ip, ip, vlan);
