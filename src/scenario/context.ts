// One failure scenario of a topology's dataplane, with what VRRP can elect in it, and the dataplanes
// the questions are asked on: one per choice of masters (a variant). The scenario's failures are
// applied once; the VRRP model (hearing.ts, election.ts) comes from the evaluator on that dataplane;
// a variant applies one stable state per VRRP group (vrrp-state.ts) and gets its own evaluator, built
// on demand and kept; the variants' evaluators share what convergence learned announcer by announcer
// (src/evaluate/converge.ts), since choices of masters differ only in namespaces' addresses and routes.
// Pinned masters (`--master ROUTER=HOST`) keep only the states of the pinned instance's group in which
// that instance is master. Which variants a question needs is decided by variants.ts.
import type { Dataplane, Failures } from '../ir/dataplane.ts';
import type { Topology, RouterT } from '../topology/model.ts';
import { AnnouncerFacts, createEvaluator, type Evaluator } from '../evaluate/index.ts';
import { deviceName } from '../render/names.ts';
import { observedMasters, siteKey, withVrrpState } from '../dataplane/vrrp-state.ts';
import { applyFailures, NO_FAILURES } from './failures.ts';
import { vrrpModel, type VrrpGroup, type VrrpModel } from './election.ts';
import { noteFirstChoice } from './siblings.ts';

/** What the user asked for: the failures, and masters pinned per HA router (router name → host). */
export interface ScenarioSpec {
  readonly failures: Failures;
  readonly pins: ReadonlyMap<string, string>;
}

export const NO_SCENARIO: ScenarioSpec = { failures: NO_FAILURES, pins: new Map() };

/** A dataplane with one stable state chosen in every VRRP group, and its evaluator. */
export interface Variant {
  /** Per group (the model's order), the index of the chosen state in the group's `states`. */
  readonly choice: readonly number[];
  /** Site keys of every master. */
  readonly masters: ReadonlySet<string>;
  readonly dataplane: Dataplane;
  readonly evaluator: Evaluator;
}

/** An HA router as the scenario sees it: its instances (site keys) and their hosts. */
export interface HaRouterView {
  readonly router: RouterT;
  readonly namespace: string;
  /** Live instances' site keys, by host. */
  readonly sites: ReadonlyMap<string, string>;
  /** The groups its live instances are in (indexes into `groups`). */
  readonly groups: readonly number[];
}

export class ScenarioContext {
  /** The dataplane under the scenario's failures, with the VRRP state as rendered or collected. */
  readonly dataplane: Dataplane;
  readonly vrrp: VrrpModel;
  /** Per group, the stable states left by the pins (site keys of the masters). */
  readonly states: readonly (readonly (readonly string[])[])[];
  readonly haRouters: readonly HaRouterView[];
  private readonly hearingEvaluator: Evaluator;
  private readonly cache = new Map<string, Variant>();
  /** What convergence's announcers learned, shared by the variants: each walks only the announcers its masters add. */
  readonly learned = new AnnouncerFacts();

  constructor(readonly topology: Topology, base: Dataplane, readonly spec: ScenarioSpec) {
    this.dataplane = applyFailures(base, spec.failures);
    // Advertisements are multicast: flooded whatever the switches learned, so no learning is needed.
    this.hearingEvaluator = createEvaluator(this.dataplane, { unconverged: true });
    this.vrrp = vrrpModel(this.dataplane, this.hearingEvaluator);
    this.haRouters = topology.routers.filter((r) => r.ha !== null).map((router) => {
      const namespace = deviceName.qrouter(router.id);
      const sites = new Map<string, string>();
      for (const [k, s] of this.vrrp.sites) if (s.namespace === namespace) sites.set(s.host, k);
      const groups = this.vrrp.groups.flatMap((g, i) => (g.members.some((m) => [...sites.values()].includes(m)) ? [i] : []));
      return { router, namespace, sites, groups };
    });
    const pinned = new Set<string>();
    for (const [name, host] of spec.pins) {
      const k = this.haRouters.find((h) => h.router.name === name)?.sites.get(host);
      if (k !== undefined) pinned.add(k);
    }
    this.states = this.vrrp.groups.map((g) => {
      const mine = g.members.filter((m) => pinned.has(m));
      return mine.length === 0 ? g.stable : g.stable.filter((s) => mine.every((m) => s.includes(m)));
    });
  }

  get groups(): readonly VrrpGroup[] {
    return this.vrrp.groups;
  }

  /** The choice the model takes first: each group's first state (when pins allow it), else its first allowed one. */
  firstChoice(): number[] {
    return this.vrrp.groups.map((g, i) => {
      const states = this.states[i] ?? [];
      const at = states.findIndex((s) => s.length === g.first.length && s.every((k) => g.first.includes(k)));
      return Math.max(0, at);
    });
  }

  /** The variant of `choice` (one state index per group), built once. */
  variant(choice: readonly number[]): Variant {
    const key = choice.join(',');
    const hit = this.cache.get(key);
    if (hit) return hit;
    const masters = new Set<string>();
    choice.forEach((c, i) => { for (const k of this.states[i]?.[c] ?? []) masters.add(k); });
    // The state the dataplane already shows needs no new dataplane.
    const observed = observedMasters(this.dataplane);
    const same = observed.size === masters.size && [...masters].every((k) => observed.has(k));
    const dataplane = same ? this.dataplane : withVrrpState(this.dataplane, (s) => masters.has(siteKey(s)));
    const v: Variant = { choice: [...choice], masters, dataplane, evaluator: createEvaluator(dataplane, { learned: this.learned }) };
    // The first variant built (the diagonal's first) is where questions about one device were asked first.
    const first = this.cache.values().next().value;
    if (first !== undefined) noteFirstChoice(v.evaluator, first);
    this.cache.set(key, v);
    return v;
  }

  /** The hosts of `router`'s masters in `v` (several in a split brain, none when its group elected another router's instance). */
  mastersOf(router: HaRouterView, v: Variant): string[] {
    return [...router.sites].filter(([, k]) => v.masters.has(k)).map(([h]) => h);
  }

  /** `edge on network2, backend on network1 and network2`: the masters of `v`, router by router. */
  describeMasters(v: Variant, routers: readonly HaRouterView[] = this.haRouters): string {
    return routers.map((r) => {
      const m = this.mastersOf(r, v);
      return `${r.router.name} ${m.length === 0 ? 'without a master' : `on ${m.join(' and ')}`}`;
    }).join(', ');
  }

  /** Router name → hosts of its masters in `v`, for JSON. */
  mastersJson(v: Variant): Record<string, string[]> {
    return Object.fromEntries(this.haRouters.map((r) => [r.router.name, this.mastersOf(r, v)]));
  }
}
