// When an ARP request counts as answered, for both engines. A station's request is answered either
// where it reaches a station owning the address (that station replies: the end carries its MAC as
// `arpOwner`), or when the dataplane itself turns it into a reply that comes back to the requester —
// Open vSwitch's br-tun ARP responder (`arp_responder = True` with l2population) does, with
// `load`/`move` actions. Such a reply answers the request when it is an ARP reply (opcode 2) whose
// sender protocol address is the address asked for, sent to the requester's MAC and protocol address;
// the answer is its sender hardware address, which netproof reads as the frame's source
// (src/semantics/header-write.ts).
import { ETH_TYPE } from '../ir/packet.ts';
import type { Logic } from './logic.ts';

/** The request being resolved: who asks (MAC and address) and for which address. */
export interface ArpAsked {
  readonly mac: number;
  readonly ip: number;
  readonly target: number;
}

const ARP_REPLY = 2;

/** A frame reaching an end answers `asked` (the MAC it answers with is its source). */
export function answersArp<C, V>(l: Logic<C, V>, p: { readonly eth_type: V; readonly proto: V; readonly ip_src: V; readonly ip_dst: V; readonly eth_dst: V }, asked: ArpAsked): C {
  return l.and(
    l.eq(p.eth_type, ETH_TYPE.arp, 16),
    l.eq(p.proto, ARP_REPLY, 8),
    l.eq(p.ip_src, asked.target, 32),
    l.eq(p.ip_dst, asked.ip, 32),
    l.eq(p.eth_dst, asked.mac, 48),
  );
}
