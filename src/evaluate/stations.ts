// The edges of the dataplane receiving a frame: a VM's NIC and the outside world's upstream router.
// Guarantees: a VM takes frames addressed to its MAC or broadcast, and answers ARP only for its own
// address and the VIPs it holds in the question's choice (`vips`); the outside station takes frames of its VLAN (null = untagged) addressed to its MAC —
// delivered when the IP destination is its own gateway address or the limited broadcast, else the
// packet has `exited` the cloud — and broadcast frames to its gateway address or the limited
// broadcast (delivered: a router does not route a link-layer broadcast on); it answers ARP for its
// gateway addresses (one per subnet of its network) and nothing else. Frames that are not for a station end there quietly (they are
// copies of a flood, not a drop of the trace).
import type { Packet } from '../ir/packet.ts';
import { BROADCAST_MAC, ETH_TYPE } from '../ir/packet.ts';
import type { Copy } from './device.ts';
import { dropCopy, endCopy } from './device.ts';
import type { UpstreamRouter, VmStation } from '../semantics/topology-index.ts';

const LIMITED_BROADCAST = '255.255.255.255';

const isArpRequest = (p: Packet) => p.eth_type === ETH_TYPE.arp && p.proto === 1;

export function receiveAtVm(s: VmStation, device: string, packet: Packet): Copy {
  const quiet = (rule: string) => dropCopy(packet, { host: s.host, device, rule, origin: null }, 'quiet');
  if (packet.eth_dst !== s.mac && packet.eth_dst !== BROADCAST_MAC) return quiet(`NIC ${s.vm}:${s.index}: frame not addressed to ${s.mac}`);
  if (packet.vlan !== null) return quiet(`NIC ${s.vm}:${s.index}: tagged frame (VLAN ${packet.vlan})`);
  const delivery = { kind: 'vm', vm: s.vm, port: s.index, host: s.host } as const;
  if (isArpRequest(packet)) {
    if (packet.ip_dst !== s.ip && !(s.vips ?? []).includes(packet.ip_dst)) return quiet(`ARP request for ${packet.ip_dst}: not ${s.vm}:${s.index}'s address`);
    return endCopy('delivered', packet, delivery, { arpOwner: s.mac, events: [{ kind: 'arp', ip: packet.ip_dst, mac: s.mac }] });
  }
  return endCopy('delivered', packet, delivery);
}

export function receiveOutside(s: UpstreamRouter, packet: Packet): Copy {
  const quiet = (rule: string) => dropCopy(packet, { host: 'outside', device: s.network, rule, origin: null }, 'quiet');
  if (packet.vlan !== s.vlan) return quiet(`outside ${s.network}: frame on VLAN ${packet.vlan ?? 'untagged'}, expects ${s.vlan ?? 'untagged'}`);
  if (isArpRequest(packet)) {
    // The upstream router answers for its own addresses only: it is no proxy for the outside world.
    if (!s.gateways.includes(packet.ip_dst)) return quiet(`ARP request for ${packet.ip_dst}: the upstream router answers only for ${s.gateways.join(', ')}`);
    return endCopy('delivered', packet, { kind: 'external', network: s.network }, { arpOwner: s.mac, events: [{ kind: 'arp', ip: packet.ip_dst, mac: s.mac }] });
  }
  const toGateway = packet.eth_type === ETH_TYPE.ipv4 && (s.gateways.includes(packet.ip_dst) || packet.ip_dst === LIMITED_BROADCAST);
  // A broadcast frame reaches the upstream router itself (a DHCP discover, say) but is never routed on.
  if (packet.eth_dst === BROADCAST_MAC && toGateway) return endCopy('delivered', packet, { kind: 'external', network: s.network });
  if (packet.eth_dst !== s.mac) return quiet(`outside ${s.network}: frame not addressed to the upstream router ${s.mac}`);
  if (toGateway) return endCopy('delivered', packet, { kind: 'external', network: s.network });
  return endCopy('exited', packet, { kind: 'external', network: s.network });
}
