// The source port SNAT gives a connection, for both engines (nf_nat_core.c get_unique_tuple and
// nf_nat_l4proto_unique_tuple). Without --random-fully the kernel keeps the original port when the
// resulting tuple is free, else searches a range; with --random-fully (NF_NAT_RANGE_PROTO_RANDOM_FULLY,
// which the L3 agent puts on every SNAT rule since Train) it always draws the port at random from that
// range. The range is the rule's `--to-source ip:lo-hi` when given, else by the original port's class:
// 1–511 for ports below 512, 600–1023 below 1024, 1024–65535 above.
// Guarantees: pure functions; nothing reads a packet.

/** The classes of original ports and the range each draws from when the rule gives none (ports below `below`, first match). */
export const SNAT_PORT_CLASSES: readonly { readonly below: number; readonly range: readonly [number, number] }[] = [
  { below: 512, range: [1, 511] },
  { below: 1024, range: [600, 1023] },
  { below: 65536, range: [1024, 65535] },
];

/** The range the kernel draws (or searches) a SNAT source port in. */
export function snatPortRange(original: number, given: readonly [number, number] | null): readonly [number, number] {
  if (given !== null) return given;
  return (SNAT_PORT_CLASSES.find((c) => original < c.below) ?? SNAT_PORT_CLASSES[SNAT_PORT_CLASSES.length - 1]!).range;
}

/**
 * The port a trace shows for a --random-fully SNAT (the kernel's draw cannot be known): the original
 * when it lies in the range, else the range's first. Any port of the range is as possible.
 */
export function representativePort(original: number, range: readonly [number, number]): number {
  return original >= range[0] && original <= range[1] ? original : range[0];
}

/** The words a trace shows for a port drawn at random. */
export function randomPortWords(range: readonly [number, number], shown: number): string {
  return `--random-fully: the kernel draws the source port at random from ${range[0]}–${range[1]}; ${shown} stands for it`;
}
