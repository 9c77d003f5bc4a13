// A split of a copy per address of an external subnet, kept per group of copies alike for it, so that
// the addresses whose branch can only tell nothing are passed over instead of branched on per sender.
// Why: under `onlyTelling` with `stopAcrossExternal` (the built-in properties' `near` walks), every
// sender's packet with a symbolic destination that a router sends by its connected route onto an
// external network branches once per address there that answers ARP (every router's gateway address,
// every floating IP), and each branch's copy is decided untold (untold.ts) and dropped; a copy the
// upstream router sends back onto its subnet (its hairpin) branches the same way, each branch cut at
// the router it reaches (walk.ts `hairpinAcross`). Both are non-telling ends, never kept: yet making
// them cost a term, a path and an ARP lookup per address, per sender and packet state — the sweep's
// product of senders and addresses (README, Performance).
// Soundness: which branches tell is decided by the group's key alone. For the next hop: the leaving
// interface, the device visits so far and the EtherType (what a branch's crossing key holds besides
// the address and its ARP answer, both fixed per address for the requester, surveys and answers
// being kept). For the hairpin: the upstream router and subnet, and whether the copy came from a
// router's MAC (what `hairpinAcross` reads besides the address). A symbolic destination makes every
// address a branch (`eq` folds only on two numbers). The `no-arp` branch for the rest is no telling
// end either. Only the branches' non-telling ends are left out, which a walk keeping telling ends
// drops anyway; the budget of ends counts what it counted before (walk.ts `nextHop`).
import type { Port } from './walk-ctx.ts';

/** Off only in tests that hold the walk to splitting per sender (test/fuzz/properties/walk-shortcuts.ts); `reused`: splits taken from a group's first, in the process. */
export const quietSplitsSwitch = { on: true, reused: 0 };

/** What the first split of a group showed: the addresses to branch on, in order, and how many copies were untold. */
export interface QuietSplit {
  readonly follow: readonly number[];
  readonly untold: number;
}

/** The group of a routed copy's split at its next hop: leaving `from` by a connected route, after `hops` visits, of EtherType `ethType`. */
export function nextHopGroup(from: Port, route: string, hops: number, ethType: number): string {
  return `N\u0000${from.host}\u0000${from.device}\u0000${from.port}\u0000${route}\u0000${hops}\u0000${ethType}`;
}

/** The group of a hairpin's split: the upstream router's network, the subnet, and whether a router sent the copy. */
export function hairpinGroup(network: string, cidr: string, byRouter: boolean): string {
  return `H\u0000${network}\u0000${cidr}\u0000${byRouter}`;
}
