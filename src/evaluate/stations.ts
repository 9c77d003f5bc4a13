// The edges of the dataplane receiving a frame: a VM's NIC and the outside world's upstream router.
// Guarantees: a VM takes frames addressed to its MAC or broadcast, and answers ARP only for its own
// address and the VIPs it holds in the question's choice (`vips`); the upstream router takes frames of
// its VLAN (null = untagged) as src/semantics/upstream.ts decides, for both engines: delivered when
// addressed to it, sent back onto its subnet (hairpin, after an ARP lookup there: unanswered →
// `no-arp`) when addressed to another host address of one of its subnets, else the packet has `exited`
// the cloud. Frames that are not for a station end there quietly (they are copies of a flood, not a
// drop of the trace).
import type { Ipv4, Mac, Packet } from '../ir/packet.ts';
import { BROADCAST_MAC, ETH_TYPE } from '../ir/packet.ts';
import type { Copy } from './device.ts';
import { dropCopy, emitCopy, endCopy } from './device.ts';
import type { HopEvent } from './trace.ts';
import type { OutsideStation, UpstreamRouter, VmStation } from '../semantics/topology-index.ts';
import { upstreamReceives } from '../semantics/upstream.ts';
import { concreteLogic, taken } from '../semantics/logic.ts';
import { ipv4ToNumber } from '../net/ipv4.ts';
import { macNumber } from './addr.ts';

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

/** The upstream router's ARP lookup of an address on one of its subnets (an ARP walk of its own). */
export type UpstreamArp = (station: OutsideStation, ip: Ipv4) => { readonly mac: Mac | null; readonly note: string | null };

export function receiveOutside(s: UpstreamRouter, packet: Packet, arp: UpstreamArp): Copy {
  const quiet = (rule: string) => dropCopy(packet, { host: 'outside', device: s.network, rule, origin: null }, 'quiet');
  if (packet.vlan !== s.vlan) return quiet(`outside ${s.network}: frame on VLAN ${packet.vlan ?? 'untagged'}, expects ${s.vlan ?? 'untagged'}`);
  const frame = { eth_type: packet.eth_type, proto: packet.proto, ip_dst: ipv4ToNumber(packet.ip_dst), eth_dst: macNumber(packet.eth_dst) };
  const external = { kind: 'external', network: s.network } as const;
  const action = taken(upstreamReceives(concreteLogic, s, frame));
  switch (action.kind) {
    case 'arp-reply':
      return endCopy('delivered', packet, external, { arpOwner: s.mac, events: [{ kind: 'arp', ip: packet.ip_dst, mac: s.mac }] });
    case 'broadcast':
    case 'own':
      return endCopy('delivered', packet, external);
    case 'exited':
      return endCopy('exited', packet, external);
    case 'not-for-it':
      return isArpRequest(packet)
        // The upstream router answers for its own addresses only: it is no proxy for the outside world.
        ? quiet(`ARP request for ${packet.ip_dst}: the upstream router answers only for ${s.gateways.join(', ')}`)
        : quiet(`outside ${s.network}: frame not addressed to the upstream router ${s.mac}`);
    case 'hairpin': {
      const st = action.station;
      const subnet = `${st.cidr.ip}/${st.cidr.prefixLen}`;
      const a = arp(st, packet.ip_dst);
      const events: HopEvent[] = [{ kind: 'arp', ip: packet.ip_dst, mac: a.mac }, ...(a.note ? [{ kind: 'note', text: a.note } as const] : [])];
      if (a.mac === null) {
        const rule = `no ARP reply for ${packet.ip_dst} on ${subnet}`;
        const steps = [{ where: 'route', rule: `${subnet} on-link (the upstream router's own subnet)`, action: 'drop', origin: null }];
        return endCopy('no-arp', packet, null, { drop: { host: 'outside', device: s.network, rule, origin: null }, steps, events });
      }
      const steps = [{ where: 'route', rule: `${subnet} on-link (the upstream router's own subnet)`, action: `back onto ${s.network} to ${a.mac}`, origin: null }];
      return emitCopy(`physnet:${s.physnet}`, { ...packet, eth_src: s.mac, eth_dst: a.mac, vlan: s.vlan }, steps, events);
    }
    default: {
      const never: never = action;
      throw new Error(`unknown upstream action ${JSON.stringify(never)}`);
    }
  }
}
