// The `trace` command's answer, computed on a session: the packet built from the options, followed
// through the rendered dataplane (or, with HA routers or a failure scenario, through the masters the
// model elects first or those pinned), with the labels, assumptions and scenario the reports need.
// `netproof trace` prints it in its formats; the library and `netproof serve` return its JSON.
// Option values arrive as the command line gives them (text); a bad one throws the CLI's UsageError.
import type { InputError, Result } from '../errors.ts';
import { createEvaluator } from '../evaluate/index.ts';
import { ScenarioContext } from '../scenario/context.ts';
import type { VipChoice } from '../questions/query-vip.ts';
import { holdVip, pinnedHolder, vipTarget } from '../questions/vip.ts';
import { vipJson, vipScope, type VipJson } from '../cli/vip-report.ts';
import { traceQuestion, type TraceAnswer } from '../questions/trace.ts';
import { scenarioEndpoints } from '../questions/scenario-endpoints.ts';
import { assumptionsOf, type Assumption } from '../questions/assumptions.ts';
import type { Labels } from '../report/labels.ts';
import { traceJson, type TraceJson } from '../report/trace-json.ts';
import { assumptionsJson } from '../report/assumptions.ts';
import { noteForEndpoints } from '../cloud/taint.ts';
import type { CloudNote } from '../cloud/notes.ts';
import type { ScenarioSpec, Variant } from '../scenario/context.ts';
import { parseChoice, parsePacketFields, UsageError, type PacketFieldOptions } from '../cli/options.ts';
import { asksForScenario, parseScenario, type ScenarioOptions } from '../cli/scenario-options.ts';
import { scenarioJson, type ScenarioJson } from '../cli/scenario-report.ts';
import type { Session } from './session.ts';
import { EXIT } from '../cli/exit.ts';

export interface TraceRequest extends PacketFieldOptions, ScenarioOptions {
  from: string;
  to: string;
  via?: string;
  expect?: string;
  /** VM or VM:N: the port that holds the VIP `to` names. */
  holder?: string;
}

export const DISPOSITIONS = ['delivered', 'exited', 'dropped', 'loop', 'no-route', 'no-arp'] as const;

export interface TraceRun {
  readonly answer: TraceAnswer;
  readonly spec: ScenarioSpec;
  /** The scenario and masters traced under (HA routers or a failure scenario), else null. */
  readonly scenario: { readonly ctx: ScenarioContext; readonly variant: Variant } | null;
  readonly labels: Labels;
  readonly assumed: readonly Assumption[];
  /** A cloud's note about these endpoints: the trace is then a partial picture. */
  readonly note: CloudNote | null;
  readonly expect: (typeof DISPOSITIONS)[number] | null;
  /** When `to` is a VIP: its holder, the one traced to. */
  readonly vip: VipChoice | null;
}

/**
 * When `to` is a VIP: the dataplane in which its holder (`holder`, else the first port that may hold it
 * on a live host) answers ARP for it; null for any other `to`.
 */
function heldVipOf(session: Session, to: string, o: TraceRequest, down: readonly string[]): VipChoice | InputError | null {
  const { topology, dataplane } = session.model;
  const vip = vipTarget(topology, dataplane, to, o.via ?? null);
  const pin = o.holder === undefined ? null : pinnedHolder(topology, vip, to, o.holder);
  if (pin !== null && 'code' in pin) return pin;
  if (vip === null) return null;
  const holder = pin ?? vip.holders.find((h) => !down.includes(h.host)) ?? vip.holders[0]!;
  return { held: holdVip(dataplane, session.evaluator(), vip, holder), asked: 1, of: 1, pinned: pin !== null };
}

/** The option values checked (a bad one throws UsageError naming it), before anything is loaded. */
export function parseTraceRequest(o: TraceRequest) {
  const expect = o.expect === undefined ? null : parseChoice('--expect', o.expect, DISPOSITIONS);
  const given = parsePacketFields(o, false);
  // Ports without a protocol ask for TCP (as query's representative packet); else an ICMP echo request.
  const { proto = given.dport !== undefined || given.sport !== undefined ? 'tcp' : 'icmp', ...fields } = given;
  if (proto === 'any') throw new UsageError('trace follows one concrete packet: --proto any is for query');
  return { expect, proto, fields };
}

export function runTraceOn(session: Session, o: TraceRequest): Result<TraceRun> {
  const { expect, proto, fields } = parseTraceRequest(o);
  const { topology, dataplane, notes } = session.model;
  const spec = parseScenario(topology, o);
  if (!spec.ok) return spec;
  const eps = scenarioEndpoints(topology, spec.value, o.from, o.to);
  if ('code' in eps) return { ok: false, errors: [eps] };
  const vip = heldVipOf(session, eps.to, o, spec.value.failures.down);
  if (vip !== null && 'code' in vip) return { ok: false, errors: [vip] };
  // A holder that announces the VIP makes a dataplane of its own; else it is the model's, with what the session keeps.
  const held = vip?.held.dataplane ?? dataplane;
  const own = held === dataplane;
  // Without HA routers and failures the dataplane is the one rendered: nothing to elect.
  const ctx = session.hasHa || asksForScenario(o) ? (own ? session.scenario(spec.value) : new ScenarioContext(topology, held, spec.value)) : null;
  const variant = ctx?.variant(ctx.firstChoice()) ?? null;
  const answer = traceQuestion(topology, variant?.dataplane ?? held, variant?.evaluator ?? (own ? session.evaluator() : createEvaluator(held)), {
    proto, ...fields, from: eps.from, to: eps.to, via: o.via ?? null,
  });
  if (!answer.ok) return answer;
  const masters = ctx && variant ? new Map(ctx.haRouters.map((r) => [r.namespace, ctx.mastersOf(r, variant)] as const)) : undefined;
  const { trace, from, to } = answer.value;
  const outside = from.kind === 'outside' || to.kind === 'outside' || trace.deliveredTo?.kind === 'external';
  return {
    ok: true,
    value: {
      answer: answer.value,
      spec: spec.value,
      scenario: ctx && variant ? { ctx, variant } : null,
      labels: session.labels(masters),
      assumed: assumptionsOf(topology, variant?.dataplane ?? held, { question: 'trace', outside, captured: notes !== undefined, ...(vip ? { vip: vipScope(vip) } : {}) }),
      note: notes === undefined || notes.length === 0 ? null : noteForEndpoints(topology, o.from, o.to, notes),
      expect,
      vip,
    },
  };
}

/** `trace --format json` (docs/json.md). */
export interface TraceResultJson extends TraceJson {
  /** With HA routers or a failure scenario: the scenario and the masters traced under. */
  scenario?: ScenarioJson;
  /** When `to` is a VIP: its holder traced to. */
  vip?: VipJson;
  assumptions: { id: string; text: string }[];
}

/** What `trace --format json` prints. */
export function traceRunJson(r: TraceRun): TraceResultJson {
  return { ...traceJson(r.answer.trace, r.labels), ...(r.scenario ? { scenario: scenarioJson(r.scenario.ctx, r.scenario.variant) } : {}), ...(r.vip ? { vip: vipJson(r.vip) } : {}), assumptions: assumptionsJson(r.assumed) };
}

/** The exit code (docs/exit-codes.md): a trace through something not modelled, or a partial picture, is 3. */
export function traceRunCode(r: TraceRun): number {
  if (r.answer.trace.uncertain.length > 0 || r.note !== null) return EXIT.unknown;
  return r.expect !== null && r.answer.trace.disposition !== r.expect ? EXIT.violated : EXIT.ok;
}

/** What the command says on stderr besides its answer. */
export function traceRunWarnings(r: TraceRun): string[] {
  return r.note === null ? [] : [`netproof: this trace is not the whole story: ${r.note.message} (${r.note.file}:${r.note.line})`];
}
