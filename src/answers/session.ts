// A loaded model with what answering questions on it builds once and keeps: the converged evaluator
// of the rendered dataplane and the scenario contexts (failures, HA masters) asked for. The CLI makes
// one per command; a resident model (src/resident/) keeps one for as long as the model is loaded, so
// the second question on it pays neither for convergence, nor for electing masters, nor for the labels again.
// Everything kept here hangs off this object, which hangs off one Model: a reload builds a new one.
import type { Model } from '../pipeline.ts';
import { createEvaluator, type Evaluator } from '../evaluate/index.ts';
import { NO_SCENARIO, ScenarioContext, type ScenarioSpec } from '../scenario/context.ts';
import { labelsFor, type Labels, type MastersByNamespace } from '../report/labels.ts';

/** A stable text of a scenario spec: the same failures and pins give the same context. */
function specKey(spec: ScenarioSpec): string {
  const down = [...spec.failures.down].sort();
  const cuts = spec.failures.cuts.map(([a, b]) => (a < b ? `${a},${b}` : `${b},${a}`)).sort();
  const pins = [...spec.pins].map(([r, h]) => `${r}=${h}`).sort();
  return JSON.stringify([down, cuts, pins]);
}

export class Session {
  private evaluatorOfModel: Evaluator | null = null;
  private readonly scenarios = new Map<string, ScenarioContext>();
  private readonly labelsByMasters = new Map<string, Labels>();

  constructor(readonly model: Model) {}

  /** The reference evaluator of the rendered dataplane, converged on first use. */
  evaluator(): Evaluator {
    this.evaluatorOfModel ??= createEvaluator(this.model.dataplane);
    return this.evaluatorOfModel;
  }

  /** The scenario context of `spec` (its variants' dataplanes and evaluators are kept inside it). */
  scenario(spec: ScenarioSpec): ScenarioContext {
    const k = specKey(spec);
    let ctx = this.scenarios.get(k);
    if (ctx === undefined) {
      ctx = new ScenarioContext(this.model.topology, this.model.dataplane, spec);
      this.scenarios.set(k, ctx);
    }
    return ctx;
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
   * Builds now what the first question would otherwise build: the converged evaluator, and with HA routers
   * the scenario without failures and its first choice of masters (what a trace goes through).
   */
  warm(): void {
    if (this.hasHa) {
      const ctx = this.scenario(NO_SCENARIO);
      ctx.variant(ctx.firstChoice());
    } else this.evaluator();
  }

  /** Whether the model has L3 HA routers (then every question goes through a scenario context). */
  get hasHa(): boolean {
    return this.model.topology.routers.some((r) => r.ha !== null);
  }
}
