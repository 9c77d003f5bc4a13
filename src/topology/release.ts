// Neutron releases in order, so `defaults.release` can be checked when loading and the renderers can
// say "since Train" or "until Ocata". A release is a series name (`mitaka`, case-insensitive), a
// year-based version (`2024.1`) or its code name (`caracal`), or a neutron version tag (`12.0.0`).

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
const LIBERTY = SERIES.indexOf('liberty');
/** neutron 7.0.0 is Liberty; each series adds one major version up to Zed (21.0.0), then 22.0.0 is 2023.1. */
const LIBERTY_MAJOR = 7;

/** The release's position in time (larger is newer), or null when the string names no release. */
export function releaseOrdinal(release: string): number | null {
  const r = release.trim().toLowerCase();
  const named = SERIES.indexOf(r as (typeof SERIES)[number]);
  if (named >= 0) return named;
  const tag = /^(\d+)\.\d+\.\d+$/.exec(r);
  if (tag) {
    const major = Number(tag[1]);
    return major >= LIBERTY_MAJOR && major < 100 ? LIBERTY + (major - LIBERTY_MAJOR) : null;
  }
  const m = /^(\d{4})\.([12])$/.exec(CODE_NAMES[r] ?? r);
  if (!m) return null;
  const year = Number(m[1]);
  if (year === 2014 && m[2] === '2') return SERIES.indexOf('juno');
  if (year === 2015 && m[2] === '1') return SERIES.indexOf('kilo');
  if (year < 2023) return null;
  return ZED + (year - 2023) * 2 + Number(m[2]);
}

/** Like `releaseOrdinal` for releases the code itself names (templates): throws on a typo in the code. */
export function ordinalOf(release: string): number {
  const o = releaseOrdinal(release);
  if (o === null) throw new Error(`unknown Neutron release "${release}"`);
  return o;
}
