// Neutron releases in order, and the br-int pipeline each one programs (FORMATS.md §1.3). A release
// is written as a series name (`mitaka`, `yoga`, case-insensitive) or a year-based version
// (`2023.2`, `2024.1`; the code names antelope…flamingo are accepted too) and compared by order.
// Releases before Mitaka render as Mitaka (the anti-spoofing tables 24/25 took their shape there).

const SERIES = [
  'austin', 'bexar', 'cactus', 'diablo', 'essex', 'folsom', 'grizzly', 'havana', 'icehouse', 'juno',
  'kilo', 'liberty', 'mitaka', 'newton', 'ocata', 'pike', 'queens', 'rocky', 'stein', 'train',
  'ussuri', 'victoria', 'wallaby', 'xena', 'yoga', 'zed',
] as const;

/** Code names of the year-based releases. */
const CODE_NAMES: Readonly<Record<string, string>> = {
  antelope: '2023.1', bobcat: '2023.2', caracal: '2024.1', dalmatian: '2024.2', epoxy: '2025.1', flamingo: '2025.2',
};

const ZED = SERIES.indexOf('zed');

/** The release's position in time (larger is newer), or null when the string names no release. */
export function releaseOrdinal(release: string): number | null {
  const r = release.trim().toLowerCase();
  const named = SERIES.indexOf(r as (typeof SERIES)[number]);
  if (named >= 0) return named;
  const m = /^(\d{4})\.([12])$/.exec(CODE_NAMES[r] ?? r);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < 2023) return null;
  return ZED + (year - 2023) * 2 + Number(m[2]);
}

/** Like `releaseOrdinal` but for releases the code itself names (templates, pipeline): throws on a typo. */
export function ordinalOf(release: string): number {
  const o = releaseOrdinal(release);
  if (o === null) throw new Error(`unknown Neutron release "${release}"`);
  return o;
}

/** Whether `release` lies within `[since, until]` (each bound optional, inclusive). */
export function releaseWithin(release: string, since?: string, until?: string): boolean {
  const r = ordinalOf(release);
  return (since === undefined || r >= ordinalOf(since)) && (until === undefined || r <= ordinalOf(until));
}

/** The release-wide continuations of the br-int pipeline, as dump text. */
export interface IntPipeline {
  /** Where table 0's default, the provisioning flows and the ND allow flows hand traffic on. */
  readonly next: string;
  /** Where table 25 (MAC anti-spoofing) hands allowed traffic on. */
  readonly afterMacSpoof: string;
}

/**
 * ≤ Ocata: NORMAL everywhere. Pike…2023.1: TRANSIENT table 60 (Yoga really used 59 for packet-rate
 * limits in some builds; netproof renders Yoga like 2023.1 with 60). 2023.2+: PACKET_RATE_LIMIT 58.
 * From Yoga table 25 hands on to the Local IP egress table 30.
 */
export function intPipeline(release: string): IntPipeline {
  const next = releaseWithin(release, undefined, 'ocata') ? 'NORMAL'
    : releaseWithin(release, '2023.2') ? 'resubmit(,58)'
      : 'resubmit(,60)';
  const afterMacSpoof = releaseWithin(release, 'yoga') ? 'resubmit(,30)' : next;
  return { next, afterMacSpoof };
}
