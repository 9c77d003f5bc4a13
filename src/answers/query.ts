// The `query` command's answer, computed on a session: is there any packet from EP to EP with these
// fields? With HA routers or a failure scenario it is asked under every choice of masters VRRP allows
// (the scenario context kept by the session), else on the rendered dataplane with the session's
// evaluator. A cloud's note about the endpoints makes the answer unknown. `netproof query` prints it
// in its formats; the library and `netproof serve` return its JSON. Loads Z3 (through the questions).
import type { Result } from '../errors.ts';
import { runQuery, type QueryAnswer } from '../questions/query.ts';
import { runQueryIn, runQueryUnder, type ScenarioQueryAnswer } from '../questions/query-scenario.ts';
import { queryOverHolders, type VipChoice } from '../questions/query-vip.ts';
import { vipJson, vipScope, type VipJson } from '../cli/vip-report.ts';
import { createEvaluator } from '../evaluate/index.ts';
import { assumptionsOf, type Assumption } from '../questions/assumptions.ts';
import type { Labels } from '../report/labels.ts';
import type { ScenarioSpec } from '../scenario/context.ts';
import { parseChoice, parsePacketFields, parseTimeout, type PacketFieldOptions } from '../cli/options.ts';
import { asksForScenario, parseScenario, type ScenarioOptions } from '../cli/scenario-options.ts';
import { scenarioJson, type ScenarioJson } from '../cli/scenario-report.ts';
import { EXIT } from '../cli/exit.ts';
import { noteForEndpoints } from '../cloud/taint.ts';
import { assumptionsJson } from '../report/assumptions.ts';
import { traceJson, type TraceJson } from '../report/trace-json.ts';
import type { Session } from './session.ts';

export interface QueryRequest extends PacketFieldOptions, ScenarioOptions {
  from: string;
  to: string;
  via?: string;
  expect?: string;
  bidirectional?: boolean;
  timeoutMs?: string;
  /** VM or VM:N: the port that holds the VIP `to` names (default: each that may, in turn). */
  holder?: string;
}

export interface QueryRun {
  readonly answer: QueryAnswer;
  readonly spec: ScenarioSpec;
  /** The scenario, masters and choices asked (HA routers or a failure scenario), else null. */
  readonly scenario: ScenarioQueryAnswer | null;
  readonly labels: Labels;
  readonly assumed: readonly Assumption[];
  readonly expect: 'reachable' | 'unreachable' | null;
  /** When `to` is a VIP: the holder the answer was found under, and how many were asked. */
  readonly vip: VipChoice | null;
}

/** The option values checked (a bad one throws UsageError naming it), before anything is loaded. */
export function parseQueryRequest(o: QueryRequest) {
  const expect = o.expect === undefined ? null : parseChoice('--expect', o.expect, ['reachable', 'unreachable'] as const);
  const params = { from: o.from, to: o.to, via: o.via ?? null, ...parsePacketFields(o, true), bidirectional: o.bidirectional === true };
  return { expect, params, timeoutMs: parseTimeout(o.timeoutMs) };
}

/** Whether the answer involves the outside world: a sender or destination there, or a packet that left. */
function touchesOutside(a: QueryAnswer): boolean {
  return a.plan.senders.some((s) => s.rep.kind === 'outside') || a.plan.dests.some((d) => d.kind === 'external') || a.trace.deliveredTo?.kind === 'external' || a.reply?.deliveredTo?.kind === 'external';
}

export async function runQueryOn(session: Session, o: QueryRequest): Promise<Result<QueryRun>> {
  const { expect, params, timeoutMs } = parseQueryRequest(o);
  const { topology, dataplane, notes } = session.model;
  const spec = parseScenario(topology, o);
  if (!spec.ok) return spec;
  // Without HA routers and failures there is one dataplane, the one rendered (with a VIP's holder, one per
  // holder); the model's own keeps what the session built for it.
  const scenarioAsked = session.hasHa || asksForScenario(o);
  type Asked = { readonly answer: QueryAnswer; readonly under: ScenarioQueryAnswer | null };
  const byHolder = await queryOverHolders<Asked>(topology, dataplane, params, { ...(o.holder !== undefined ? { holder: o.holder } : {}), down: new Set(spec.value.failures.down) }, {
    ask: async (dp, p) => {
      const own = dp === dataplane;
      if (scenarioAsked) {
        const r = own ? await runQueryIn(session.scenario(spec.value), p, timeoutMs) : await runQueryUnder(topology, dp, spec.value, p, timeoutMs);
        return r.ok ? { ok: true, value: { answer: r.value.answer, under: r.value } } : r;
      }
      const r = await runQuery(topology, dp, own ? session.evaluator() : createEvaluator(dp), p, timeoutMs);
      return r.ok ? { ok: true, value: { answer: r.value, under: null } } : r;
    },
    answerOf: (x) => x.answer,
    withAnswer: (x, answer) => ({ ...x, answer }),
  });
  if (!byHolder.ok) return byHolder;
  const { answer: got, under } = byHolder.value.value;
  const vip = byHolder.value.vip;
  const note = notes === undefined || notes.length === 0 ? null : noteForEndpoints(topology, o.from, o.to, notes);
  // Something left out or not captured that these endpoints touch: the answer is not a proof either way.
  const a = note === null || got.verdict === 'unknown' ? got
    : { ...got, verdict: 'unknown' as const, reason: `${got.verdict} in the modelled part, but ${note.message} (${note.file}:${note.line})` };
  const scenario = under;
  const masters = scenario ? new Map(scenario.ctx.haRouters.map((r) => [r.namespace, scenario.ctx.mastersOf(r, scenario.variant)] as const)) : undefined;
  return {
    ok: true,
    value: {
      answer: a,
      spec: spec.value,
      scenario,
      labels: session.labels(masters),
      assumed: assumptionsOf(topology, scenario?.variant.dataplane ?? vip?.held.dataplane ?? dataplane, { question: 'query', outside: touchesOutside(a), captured: notes !== undefined, ...(vip ? { vip: vipScope(vip) } : {}) }),
      expect,
      vip,
    },
  };
}

/** `query --format json` (docs/json.md): the verdict, and the witness's (or representative packet's) trace. */
export interface QueryResultJson extends TraceJson {
  verdict: QueryAnswer['verdict'];
  reason: string;
  failed_direction: QueryAnswer['failed'];
  /** With `bidirectional`, once the request got there: the reply's trace. */
  reply?: TraceJson;
  /** Set when the solver and the evaluator disagree (the verdict is then unknown). */
  error?: string;
  assumptions: { id: string; text: string }[];
  /** With HA routers or a failure scenario: the scenario and the masters of the answer. */
  scenario?: ScenarioJson;
  /** When `to` is a VIP: the holder of the answer. */
  vip?: VipJson;
}

/** The JSON of a query's answer (docs/json.md), without its scenario. */
export function queryJson(a: QueryAnswer, labels: Labels, assumed: readonly Assumption[] = []): QueryResultJson {
  return {
    verdict: a.verdict,
    ...traceJson(a.trace, labels),
    reason: a.reason,
    failed_direction: a.failed,
    ...(a.reply !== null ? { reply: traceJson(a.reply, labels) } : {}),
    ...(a.error !== undefined ? { error: a.error } : {}),
    assumptions: assumptionsJson(assumed),
  };
}

/** What `query --format json` prints. */
export function queryRunJson(r: QueryRun): QueryResultJson {
  return { ...queryJson(r.answer, r.labels, r.assumed), ...(r.scenario ? { scenario: scenarioJson(r.scenario.ctx, r.scenario.variant) } : {}), ...(r.vip ? { vip: vipJson(r.vip) } : {}) };
}

/** The exit code (docs/exit-codes.md). */
export function queryRunCode(r: QueryRun): number {
  return r.answer.verdict === 'unknown' ? EXIT.unknown : r.expect !== null && r.answer.verdict !== r.expect ? EXIT.violated : EXIT.ok;
}

/** What the command says on stderr besides its answer. */
export function queryRunWarnings(r: QueryRun): string[] {
  return r.answer.error === undefined ? [] : [`netproof: internal error: ${r.answer.error}`];
}
