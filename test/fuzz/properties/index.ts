// Every fuzz property by name, in two profiles: `ci` (what `npm test` runs on a pinned seed: smaller
// topologies and a few models per source, to stay within its time budget) and `campaign` (what
// `npm run fuzz` runs: the full generator, every feasible end of every source).
import type { AnyFuzzProperty, FuzzProperty } from '../property.ts';
import { symbolicAgreementProperty } from './symbolic-agreement.ts';
import { concreteAgreementProperty } from './concrete-agreement.ts';
import { faultKillProperty } from './fault-kill.ts';
import { queryShortcutProperty } from './query-shortcut.ts';
import { walkShortcutsProperty } from './walk-shortcuts.ts';
import { diffShortcutsProperty } from './diff-shortcuts.ts';

export type Profile = 'ci' | 'campaign';

/** Topology bounds of the `ci` profile: the ranges trimmed to what a test budget affords. */
export const CI_BOUNDS = { maxHosts: 4, maxNetworks: 3, maxRouters: 2, maxVms: 4, maxPortsPerVm: 2, maxRules: 3 } as const;

const erase = <C>(p: FuzzProperty<C>): AnyFuzzProperty => p as unknown as AnyFuzzProperty;

export function fuzzProperties(profile: Profile): AnyFuzzProperty[] {
  const ci = profile === 'ci';
  return [
    erase(symbolicAgreementProperty(ci ? { bounds: CI_BOUNDS, maxSources: 1, maxEndsPerSource: 8 } : {})),
    erase(concreteAgreementProperty(ci ? { bounds: CI_BOUNDS, packetsPerTopology: 10 } : {})),
    erase(faultKillProperty(ci ? { bounds: CI_BOUNDS } : {})),
    erase(queryShortcutProperty({ ci })),
    erase(walkShortcutsProperty({ ci })),
    erase(diffShortcutsProperty({ ci })),
  ];
}

export function fuzzProperty(name: string, profile: Profile): AnyFuzzProperty {
  const p = fuzzProperties(profile).find((x) => x.name === name);
  if (!p) throw new Error(`no fuzz property "${name}" (${fuzzProperties(profile).map((x) => x.name).join(', ')})`);
  return p;
}
