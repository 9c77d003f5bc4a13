// Release windows for the Linux-side templates ("since Train", "until Queens"), on the one release
// order of src/topology/release.ts.

import { ordinalOf, releaseOrdinal } from '../../topology/release.ts';

export type Release =
  | 'juno' | 'kilo' | 'liberty' | 'mitaka' | 'newton' | 'ocata' | 'pike' | 'queens' | 'rocky'
  | 'stein' | 'train' | 'ussuri' | 'victoria' | 'wallaby' | 'xena' | 'yoga' | 'zed' | '2023.1';

/** A comparable rank: higher is newer (the loader has already rejected unknown releases). */
export function releaseRank(release: string): number {
  return releaseOrdinal(release) ?? ordinalOf(release);
}

/** Whether `release` is within [since, until). */
export function releaseIn(release: string, since: Release | undefined, until: Release | undefined): boolean {
  const rank = releaseRank(release);
  if (since !== undefined && rank < releaseRank(since)) return false;
  if (until !== undefined && rank >= releaseRank(until)) return false;
  return true;
}
