// Crossings of an external network that `diff` could only cut, decided once per crossing key rather
// than walked per sender (walk.ts `cutOnce`).
// Why: diff's before side (a walk with `stopAt`, `split` and `marks`) follows every sender's packets
// out of its router's gateway port, where a copy with a symbolic destination splits into one copy per
// address on the external subnet that answers ARP (every router's gateway address, every floating IP);
// each is walked across the wire to that router and cut there (diff-crossing.ts). At the large size
// that was about 580 cut ends per sender, at some 100 routers, and a quarter of the sender's walk:
// the same crossing walked again for every sender behind the same router.
// Soundness (as untold.ts's, for cuts): from the exit on, a copy's walk depends only on its headers,
// its connections (read by netfilter alone), the trail behind it (which can only end it earlier, as a
// `loop`) and the device visits so far. The crossing key fixes the exit, the visits and the fields a
// walk there is keyed on; a walk of a copy with every other field symbolic, no connection and no
// trail covers every copy with that key. When that walk lists no end but cut ends (at routers where
// `stopAt` allows a cut) and ends that tell nothing, enters no place with netfilter, and visits
// nothing `marks` watches for, every copy with the key ends only in those cuts or in nothing telling,
// and visits nothing that differs. Such a copy is then given its cut ends directly — one per router the
// decision was cut at, with the copy's own path at the exit — and is not walked. Its cut ends differ
// from the walked ones only in the path they carry (taken at the exit, not at the router): diff
// compares cut ends term for term between the sides (`crossingAgrees`), and only the walk before any
// split stands for both sides, so this is done only there (`split`, outside a split's own part):
// both sides then hold the very same cut ends. A side walked on its own (no `split`) walks every
// crossing, and a comparison with it fails and walks the sender whole, as before.
import type { EndSite } from './path.ts';

/** A crossing decided cut-only: where each of its cuts is (one per router it reaches). */
export interface CutCrossing {
  readonly cuts: readonly { readonly where: string; readonly at: EndSite }[];
}

/** How many copies were given their cuts without a walk (this process): for measurements and tests. */
export const cutCrossings = { given: 0 };
