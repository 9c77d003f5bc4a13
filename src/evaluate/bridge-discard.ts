// What a Linux bridge discards before forwarding a concrete frame (src/semantics/link-layer.ts): a
// source MAC that is all-zero or a group address, and an IEEE 802.1D link-local destination (kept for
// the host, never forwarded, except the STP group address while STP is off).
import type { Packet } from '../ir/packet.ts';
import type { LinuxBridge } from '../ir/dataplane.ts';
import { macNumber } from './addr.ts';
import { LINK_LAYER_WHY, bridgeForwardsLinkLocal, isLinkLocalMac, validBridgeSource } from '../semantics/link-layer.ts';

/** Why the bridge discards the frame, or null when it goes on to forwarding. */
export function bridgeDiscard(br: LinuxBridge, packet: Packet): string | null {
  if (!validBridgeSource(macNumber(packet.eth_src))) return `${LINK_LAYER_WHY.bridgeSource}: ${packet.eth_src}`;
  const dst = macNumber(packet.eth_dst);
  if (isLinkLocalMac(dst) && !bridgeForwardsLinkLocal(dst, br.stp === true)) return `${LINK_LAYER_WHY.bridgeLinkLocal}: ${packet.eth_dst}`;
  return null;
}
