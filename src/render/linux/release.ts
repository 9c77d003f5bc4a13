// Neutron releases in order, so templates can say "since Train" or "until Queens". Accepts series
// names (`queens`), year-based names (`2024.1`) and neutron version tags (`12.0.0`); anything
// unrecognised is taken as the current release, whose layout is the default everywhere.

export type Release =
  | 'juno' | 'kilo' | 'liberty' | 'mitaka' | 'newton' | 'ocata' | 'pike' | 'queens' | 'rocky'
  | 'stein' | 'train' | 'ussuri' | 'victoria' | 'wallaby' | 'xena' | 'yoga' | 'zed' | '2023.1';

const ORDER: readonly Release[] = [
  'juno', 'kilo', 'liberty', 'mitaka', 'newton', 'ocata', 'pike', 'queens', 'rocky',
  'stein', 'train', 'ussuri', 'victoria', 'wallaby', 'xena', 'yoga', 'zed', '2023.1',
];
// neutron major version of Juno is 2014.2; Kilo 2015.1; Liberty is 7.0.0 and each series adds one.
const LIBERTY_MAJOR = 7;
const CURRENT = 1000;

/** A comparable rank: higher is newer. */
export function releaseRank(release: string): number {
  const r = release.trim().toLowerCase();
  const named = ORDER.indexOf(r as Release);
  if (named >= 0) return named;
  const year = /^(\d{4})\.(\d)$/.exec(r);
  if (year) {
    const y = Number(year[1]);
    const half = Number(year[2]);
    if (y === 2014) return ORDER.indexOf('juno');
    if (y === 2015) return ORDER.indexOf('kilo');
    // 2023.1 (Antelope) onwards: one step per half-year.
    return ORDER.indexOf('2023.1') + (y - 2023) * 2 + (half - 1);
  }
  const tag = /^(\d+)\.\d+(\.\d+)?$/.exec(r);
  if (tag) {
    const major = Number(tag[1]);
    if (major >= LIBERTY_MAJOR && major < 100) return ORDER.indexOf('liberty') + (major - LIBERTY_MAJOR);
  }
  return CURRENT;
}

/** Whether `release` is within [since, until). */
export function releaseIn(release: string, since: Release | undefined, until: Release | undefined): boolean {
  const rank = releaseRank(release);
  if (since !== undefined && rank < releaseRank(since)) return false;
  if (until !== undefined && rank >= releaseRank(until)) return false;
  return true;
}
