// NORMAL's admission check over a symbolic frame, as src/evaluate/normal-admission.ts: a frame to a
// reserved multicast destination (src/semantics/link-layer.ts) is dropped before any MAC table lookup.
import type { SymPacket } from './headers.ts';
import type { Cond, Enc } from './cond.ts';
import { LINK_LOCAL_BASE, LINK_LOCAL_COUNT, OVS_RESERVED_MACS, isLinkLocalMac } from '../semantics/link-layer.ts';

/** The condition that NORMAL refuses the frame: its destination is one of OVS's reserved MACs. */
export function normalRefuses(e: Enc, p: SymPacket): Cond {
  // The 802.1D block is a range; the rest are single addresses.
  const others = OVS_RESERVED_MACS.filter((m) => !isLinkLocalMac(m));
  return e.or(e.range(p.eth_dst, LINK_LOCAL_BASE, LINK_LOCAL_BASE + LINK_LOCAL_COUNT - 1, 48), ...others.map((m) => e.eq(p.eth_dst, m, 48)));
}
