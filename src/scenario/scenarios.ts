// The failure scenarios netproof enumerates, and their contexts, in one place. `verify --failures N`
// checks the scenario given and every combination of up to N more host failures; `ha-failover` asks,
// for each host of an HA router, the scenario with that host down as well: the single failures of the
// same enumeration, among the router's hosts. `ScenarioContexts` builds each scenario's context once,
// for whoever asks first (ha-failover builds the single failures that `--failures 1` then checks), and
// names a scenario by what it is, whatever order its hosts and cuts were given in.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Topology } from '../topology/model.ts';
import { ScenarioContext, type ScenarioSpec } from './context.ts';
import { combineFailures } from './failures.ts';

/** A stable text of a scenario spec: the same failures and pins give the same key. */
export function specKey(spec: ScenarioSpec): string {
  const down = [...spec.failures.down].sort();
  const cuts = spec.failures.cuts.map(([a, b]) => (a < b ? `${a},${b}` : `${b},${a}`)).sort();
  const pins = [...spec.pins].map(([r, h]) => `${r}=${h}`).sort();
  return JSON.stringify([down, cuts, pins]);
}

/** `base` with `hosts` down as well. */
export const alsoDown = (base: ScenarioSpec, hosts: readonly string[]): ScenarioSpec =>
  ({ ...base, failures: combineFailures(base.failures, { down: [...hosts], cuts: [] }) });

/** Every combination of `k` of `items`, in order. */
function combinations<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  return items.flatMap((x, i) => combinations(items.slice(i + 1), k - 1).map((rest) => [x, ...rest]));
}

/** `base`, then `base` with each combination of up to `n` of `hosts` (those not down in it) down too: fewer first, in the hosts' order. */
export function failureScenarios(base: ScenarioSpec, hosts: readonly string[], n: number): ScenarioSpec[] {
  const live = hosts.filter((h) => !base.failures.down.includes(h));
  const out: ScenarioSpec[] = [base];
  for (let k = 1; k <= Math.min(n, live.length); k++) for (const c of combinations(live, k)) out.push(alsoDown(base, c));
  return out;
}

/** `verify --failures N`'s scenarios: the scenario given, then every combination of up to `n` more of the topology's hosts down. */
export const scenariosOf = (topo: Topology, base: ScenarioSpec, n: number): ScenarioSpec[] =>
  failureScenarios(base, topo.hosts.map((h) => h.name), n);

/** Scenario contexts of one dataplane, each built once. */
export class ScenarioContexts {
  private readonly built = new Map<string, ScenarioContext>();

  constructor(readonly topology: Topology, readonly dataplane: Dataplane) {}

  of(spec: ScenarioSpec): ScenarioContext {
    const k = specKey(spec);
    let ctx = this.built.get(k);
    if (ctx === undefined) {
      ctx = new ScenarioContext(this.topology, this.dataplane, spec);
      this.built.set(k, ctx);
    }
    return ctx;
  }

  /** Forgets every context but those of `keep` (a context holds its variants' evaluators). */
  keepOnly(keep: readonly ScenarioSpec[]): void {
    const wanted = new Set(keep.map(specKey));
    for (const k of [...this.built.keys()]) if (!wanted.has(k)) this.built.delete(k);
  }
}
