// Neutron releases in order, and the br-int pipeline each one programs (FORMATS.md §1.3). A release
// is written as a series name (`mitaka`, `yoga`, case-insensitive) or a year-based version
// (`2023.2`, `2024.1`; the code names antelope…flamingo are accepted too) and compared by order.
// Releases before Mitaka render as Mitaka (the anti-spoofing tables 24/25 took their shape there).

import { ordinalOf, releaseOrdinal } from '../../topology/release.ts';

export { ordinalOf, releaseOrdinal };

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
