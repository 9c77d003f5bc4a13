// NORMAL's admission check for a concrete frame, before any MAC table lookup: Open vSwitch drops a
// frame to a reserved multicast destination (802.1D link-local, Cisco and Extreme protocol addresses)
// instead of flooding it (src/semantics/link-layer.ts says which and why).
import type { Packet } from '../ir/packet.ts';
import { macNumber } from './addr.ts';
import { LINK_LAYER_WHY, ovsReservedDestination } from '../semantics/link-layer.ts';

/** Why NORMAL refuses the frame, or null when it admits it. */
export function normalRefusal(packet: Packet): string | null {
  return ovsReservedDestination(macNumber(packet.eth_dst)) ? `${LINK_LAYER_WHY.ovsReserved}: ${packet.eth_dst}` : null;
}
