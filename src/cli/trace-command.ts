// `netproof trace TOPOLOGY --from EP --to EP …`: follows one concrete packet and prints its path.
// Under a failure scenario (--fail, --cut) or with HA routers, the packet goes through the masters
// the model elects first (or those pinned with --master), and the output names them.
import { createEvaluator } from '../evaluate/index.ts';
import { loadModel } from '../pipeline.ts';
import { traceQuestion } from '../questions/trace.ts';
import { scenarioEndpoints } from '../questions/scenario-endpoints.ts';
import { labelsFor } from '../report/labels.ts';
import { traceJson } from '../report/trace-json.ts';
import { outcome, traceText } from '../report/trace-text.ts';
import { traceDot } from '../report/trace-dot.ts';
import { traceMermaid } from '../report/trace-mermaid.ts';
import { ScenarioContext } from '../scenario/context.ts';
import type { Dataplane } from '../ir/dataplane.ts';
import type { Topology } from '../topology/model.ts';
import type { InputError } from '../errors.ts';
import type { VipChoice } from '../questions/query-vip.ts';
import { holdVip, pinnedHolder, vipTarget } from '../questions/vip.ts';
import { vipJson, vipLine, vipScope } from './vip-report.ts';
import { assumptionsOf } from '../questions/assumptions.ts';
import { assumptionLines, assumptionsJson } from '../report/assumptions.ts';
import { EXIT, reportInputErrors, type Io } from './exit.ts';
import { noteForEndpoints } from '../cloud/taint.ts';
import { parseChoice, parseFormat, parseInputLimit, parsePacketFields, UsageError, type PacketFieldOptions } from './options.ts';
import { asksForScenario, describeScenario, parseScenario, type ScenarioOptions } from './scenario-options.ts';
import { scenarioJson, scenarioLines } from './scenario-report.ts';

export interface TraceOptions extends PacketFieldOptions, ScenarioOptions {
  from: string;
  to: string;
  via?: string;
  format: string;
  rules: boolean;
  maxInputMb?: string;
  expect?: string;
  holder?: string;
}

/**
 * When --to is a VIP: the dataplane in which its holder (--holder, else the first port that may hold
 * it on a live host) answers ARP for it; null for any other --to.
 */
function heldVipOf(topo: Topology, dp: Dataplane, to: string, o: TraceOptions, down: readonly string[]): VipChoice | InputError | null {
  const vip = vipTarget(topo, dp, to, o.via ?? null);
  const pin = o.holder === undefined ? null : pinnedHolder(topo, vip, to, o.holder);
  if (pin !== null && 'code' in pin) return pin;
  if (vip === null) return null;
  const holder = pin ?? vip.holders.find((h) => !down.includes(h.host)) ?? vip.holders[0]!;
  return { held: holdVip(dp, createEvaluator(dp), vip, holder), asked: 1, of: 1, pinned: pin !== null };
}

/** The command line as run, for the reports that record it (the HTML page's header). */
function traceCommandLine(file: string, o: TraceOptions): string {
  const opt = (flag: string, v: string | undefined) => (v === undefined ? [] : [flag, v]);
  return ['netproof', 'trace', file, '--from', o.from, '--to', o.to, ...opt('--proto', o.proto), ...opt('--dport', o.dport), ...opt('--sport', o.sport),
    ...opt('--icmp-type', o.icmpType), ...opt('--via', o.via), ...(o.fail ?? []).flatMap((h) => ['--fail', h]), ...(o.cut ?? []).flatMap((c) => ['--cut', c]),
    ...(o.master ?? []).flatMap((m) => ['--master', m]), ...opt('--holder', o.holder), '--format', o.format].join(' ');
}

const DISPOSITIONS = ['delivered', 'exited', 'dropped', 'loop', 'no-route', 'no-arp'] as const;

export async function runTrace(io: Io, file: string, o: TraceOptions): Promise<number> {
  const format = parseFormat(o.format, ['text', 'json', 'dot', 'mermaid', 'html'] as const);
  const expect = o.expect === undefined ? null : parseChoice('--expect', o.expect, DISPOSITIONS);
  const given = parsePacketFields(o, false);
  // Ports without a protocol ask for TCP (as query's representative packet); else an ICMP echo request.
  const { proto = given.dport !== undefined || given.sport !== undefined ? 'tcp' : 'icmp', ...fields } = given;
  if (proto === 'any') throw new UsageError('trace follows one concrete packet: --proto any is for query');
  const model = loadModel(file, parseInputLimit(o.maxInputMb));
  if (!model.ok) return reportInputErrors(io, model.errors);
  const { topology, dataplane } = model.value;
  const spec = parseScenario(topology, o);
  if (!spec.ok) return reportInputErrors(io, spec.errors);
  const ha = topology.routers.some((r) => r.ha !== null);
  const eps = scenarioEndpoints(topology, spec.value, o.from, o.to);
  if ('code' in eps) return reportInputErrors(io, [eps]);
  const vip = heldVipOf(topology, dataplane, eps.to, o, spec.value.failures.down);
  if (vip !== null && 'code' in vip) return reportInputErrors(io, [vip]);
  const held = vip?.held.dataplane ?? dataplane;
  // Without HA routers and failures the dataplane is the one rendered: nothing to elect.
  const ctx = ha || asksForScenario(o) ? new ScenarioContext(topology, held, spec.value) : null;
  const variant = ctx?.variant(ctx.firstChoice()) ?? null;
  const answer = traceQuestion(topology, variant?.dataplane ?? held, variant?.evaluator ?? createEvaluator(held), {
    proto, ...fields, from: eps.from, to: eps.to, via: o.via ?? null,
  });
  if (!answer.ok) return reportInputErrors(io, answer.errors);
  const masters = ctx && variant ? new Map(ctx.haRouters.map((r) => [r.namespace, ctx.mastersOf(r, variant)] as const)) : undefined;
  const labels = labelsFor(topology, masters);
  const { trace, from, to } = answer.value;
  const outside = from.kind === 'outside' || to.kind === 'outside' || trace.deliveredTo?.kind === 'external';
  const assumed = assumptionsOf(topology, variant?.dataplane ?? held, { question: 'trace', outside, captured: model.value.notes !== undefined, ...(vip ? { vip: vipScope(vip) } : {}) });
  if (format === 'json') {
    io.out(JSON.stringify({ ...traceJson(trace, labels), ...(ctx && variant ? { scenario: scenarioJson(ctx, variant) } : {}), ...(vip ? { vip: vipJson(vip) } : {}), assumptions: assumptionsJson(assumed) }, null, 2));
  } else if (format === 'dot') {
    io.out(traceDot(trace, labels));
  } else if (format === 'mermaid') {
    io.out(traceMermaid(trace, labels));
  } else if (format === 'html') {
    const { traceHtml } = await import('../report/html/reports.ts');
    const notes = [...(ctx && variant ? scenarioLines(ctx, variant, describeScenario(spec.value)) : []), ...(vip ? [vipLine(vip, null)] : [])];
    io.out(await traceHtml({ topology, dataplane: variant?.dataplane ?? held, labels, command: traceCommandLine(file, o), assumptions: assumed, notes },
      { subject: `${o.from} → ${o.to}`, trace, message: outcome(trace).replace(/\s*\n\s*/g, ' ') }));
  } else {
    const head = [...(ctx && variant ? scenarioLines(ctx, variant, describeScenario(spec.value)) : []), ...(vip ? [vipLine(vip, null)] : [])];
    io.out([...head, traceText(trace, labels, { rules: o.rules }), ...assumptionLines(assumed)].join('\n'));
  }
  // A cloud's note about these endpoints (left out, not captured) makes the trace a partial picture.
  const note = noteForEndpoints(topology, o.from, o.to, model.value.notes ?? []);
  if (note !== null) io.err(`netproof: this trace is not the whole story: ${note.message} (${note.file}:${note.line})`);
  // A trace that crossed something netproof does not model is not a trustworthy answer.
  if (trace.uncertain.length > 0 || note !== null) return EXIT.unknown;
  return expect !== null && trace.disposition !== expect ? EXIT.violated : EXIT.ok;
}
