// A loaded model with what answering questions on it builds once and keeps: the converged evaluator
// of the rendered dataplane and the scenario contexts (failures, HA masters) asked for. The CLI makes
// one per command; a resident model (src/resident/) keeps one for as long as the model is loaded, so
// the second question on it pays neither for convergence, nor for electing masters, nor for the labels again.
// Everything kept here hangs off this object, which hangs off one Model: a reload builds a new one.
import type { Model } from '../pipeline.ts';
import { createEvaluator, type Evaluator } from '../evaluate/index.ts';
import { NO_SCENARIO, type ScenarioContext, type ScenarioSpec } from '../scenario/context.ts';
import { ScenarioContexts } from '../scenario/scenarios.ts';
import { resolveGateways, resolveRouterNeighbours } from './warm-arp.ts';
import { traceEachVm } from './warm-traces.ts';
import { labelsFor, type Labels, type MastersByNamespace } from '../report/labels.ts';

export class Session {
  private evaluatorOfModel: Evaluator | null = null;
  private readonly labelsByMasters = new Map<string, Labels>();

  private readonly scenarios: ScenarioContexts;

  constructor(readonly model: Model) {
    this.scenarios = new ScenarioContexts(model.topology, model.dataplane);
  }

  /** The reference evaluator of the rendered dataplane, converged on first use. */
  evaluator(): Evaluator {
    this.evaluatorOfModel ??= createEvaluator(this.model.dataplane);
    return this.evaluatorOfModel;
  }

  /** The scenario context of `spec` (its variants' dataplanes and evaluators are kept inside it). */
  scenario(spec: ScenarioSpec): ScenarioContext {
    return this.scenarios.of(spec);
  }

  /** The names beside ids of the model's devices (with the HA masters given, each instance's role); built once per masters. */
  labels(masters?: MastersByNamespace): Labels {
    const k = masters === undefined ? '' : JSON.stringify([...masters].map(([ns, hosts]) => [ns, [...hosts].sort()]).sort());
    let l = this.labelsByMasters.get(k);
    if (l === undefined) {
      l = labelsFor(this.model.topology, masters);
      this.labelsByMasters.set(k, l);
    }
    return l;
  }

  /**
   * Builds now what the first question would otherwise build: the converged evaluator and its per-device
   * indexes (Evaluator.prepare), and with HA routers
   * the scenario without failures and its first choice of masters (what a trace goes through), and on
   * it every VM port's ARP answer for its gateway and every router interface's for the stations on its
   * subnets (warm-arp.ts); then one trace from each VM to the next (warm-traces.ts), which builds what
   * each VM's first packet through its host otherwise builds, and compiles the code a trace runs.
   */
  warm(): void {
    let ev: Evaluator;
    if (this.hasHa) {
      const ctx = this.scenario(NO_SCENARIO);
      ev = ctx.variant(ctx.firstChoice()).evaluator;
    } else ev = this.evaluator();
    ev.prepare();
    resolveGateways(ev, this.model.dataplane);
    resolveRouterNeighbours(ev, this.model.dataplane);
    traceEachVm(this);
  }

  /** Whether the model has L3 HA routers (then every question goes through a scenario context). */
  get hasHa(): boolean {
    return this.model.topology.routers.some((r) => r.ha !== null);
  }
}
