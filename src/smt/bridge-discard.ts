// What a Linux bridge discards before forwarding a symbolic frame, as src/evaluate/bridge-discard.ts:
// a source MAC that is all-zero or a group address, and an IEEE 802.1D link-local destination (the STP
// group address excepted while STP is off). src/semantics/link-layer.ts says why.
import type { LinuxBridge } from '../ir/dataplane.ts';
import type { SymPacket } from './headers.ts';
import type { Cond, Enc } from './cond.ts';
import { GROUP_BIT, LINK_LAYER_WHY, LINK_LOCAL_BASE, LINK_LOCAL_COUNT, bridgeForwardsLinkLocal } from '../semantics/link-layer.ts';

/** The bridge's discards, each with the condition it applies under and why (in the evaluator's words). */
export function bridgeDiscards(e: Enc, br: LinuxBridge, p: SymPacket): { readonly cond: Cond; readonly why: string }[] {
  const badSource = e.or(e.eq(p.eth_src, 0, 48), e.masked(p.eth_src, GROUP_BIT, GROUP_BIT, 48));
  const forwarded = bridgeForwardsLinkLocal(LINK_LOCAL_BASE, br.stp === true);
  const linkLocal = e.range(p.eth_dst, forwarded ? LINK_LOCAL_BASE + 1 : LINK_LOCAL_BASE, LINK_LOCAL_BASE + LINK_LOCAL_COUNT - 1, 48);
  return [
    { cond: badSource, why: LINK_LAYER_WHY.bridgeSource },
    { cond: e.and(e.not(badSource), linkLocal), why: LINK_LAYER_WHY.bridgeLinkLocal },
  ];
}
