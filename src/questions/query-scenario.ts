// `query` under a failure scenario and HA routers: reachable only if reachable whichever instances are
// masters (every combination VRRP allows of the routers behind the endpoints, src/scenario/variants.ts;
// masters pinned with --master stay put). An unreachable answer under one combination is the answer,
// with that combination's masters; an unknown one makes it unknown.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Topology } from '../topology/model.ts';
import type { Result } from '../errors.ts';
import { ScenarioContext, type ScenarioSpec, type Variant } from '../scenario/context.ts';
import { productChoices } from '../scenario/variants.ts';
import { planQuery, runQuery, type QueryAnswer, type QueryParams } from './query.ts';
import { scenarioEndpoints } from './scenario-endpoints.ts';

export interface ScenarioQueryAnswer {
  readonly answer: QueryAnswer;
  readonly ctx: ScenarioContext;
  /** The masters the answer (its witness or counterexample) was found with. */
  readonly variant: Variant;
  /** How many combinations of masters were asked. */
  readonly asked: number;
}

export function runQueryUnder(topo: Topology, base: Dataplane, spec: ScenarioSpec, p: QueryParams, timeoutMs: number): Promise<Result<ScenarioQueryAnswer>> {
  return runQueryIn(new ScenarioContext(topo, base, spec), p, timeoutMs);
}

/** The same in a scenario already built (its variants' evaluators are kept for the next question). */
export async function runQueryIn(ctx: ScenarioContext, p: QueryParams, timeoutMs: number): Promise<Result<ScenarioQueryAnswer>> {
  const topo = ctx.topology;
  const eps = scenarioEndpoints(topo, ctx.spec, p.from, p.to);
  if ('code' in eps) return { ok: false, errors: [eps] };
  const params = { ...p, ...eps };
  const planned = planQuery(topo, ctx.dataplane, params);
  if (!planned.ok) return planned;
  const plan = planned.value;
  const nets = new Set<string>();
  for (const s of plan.senders) if (s.rep.kind === 'port') nets.add(s.rep.station.network);
  for (const d of plan.dests) if (d.kind === 'port') nets.add(d.station.network);
  const namespaces = new Set(plan.dests.flatMap((d) => (d.kind === 'namespace' ? [d.namespace] : [])));
  const routers = new Set(ctx.haRouters.filter((r) => namespaces.has(r.namespace) || r.router.interfaces.some((i) => nets.has(i.network))).map((r) => r.router.name));
  // Each choice's dataplane and evaluator are built only when asked: an unreachable answer ends the search.
  const masters = productChoices(ctx, routers);
  let asked = 0;
  let found: { answer: QueryAnswer; variant: Variant } | null = null;
  let unknown: { answer: QueryAnswer; variant: Variant } | null = null;
  let first: { answer: QueryAnswer; variant: Variant } | null = null;
  for (const choice of masters.choices) {
    const variant = ctx.variant(choice);
    asked++;
    const r = await runQuery(topo, variant.dataplane, variant.evaluator, params, timeoutMs);
    if (!r.ok) return r;
    first ??= { answer: r.value, variant };
    if (r.value.verdict === 'unreachable') {
      found = { answer: r.value, variant };
      break;
    }
    if (r.value.verdict === 'unknown') unknown ??= { answer: r.value, variant };
  }
  const pick = found ?? unknown ?? first;
  if (pick === null) throw new Error('no combination of masters to ask');
  const over = asked > 1 ? ` (asked under each of ${asked} choices of masters VRRP allows)` : '';
  const incomplete = !masters.complete && pick.answer.verdict === 'reachable';
  const answer: QueryAnswer = incomplete
    ? { ...pick.answer, verdict: 'unknown', reason: `${pick.answer.reason}; only ${asked} of ${masters.combinations} choices of masters asked` }
    : { ...pick.answer, reason: `${pick.answer.reason}${pick.answer.verdict === 'reachable' ? over : ''}` };
  return { ok: true, value: { answer, ctx, variant: pick.variant, asked } };
}
