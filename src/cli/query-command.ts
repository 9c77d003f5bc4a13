// `netproof query TOPOLOGY --from EP --to EP …`: is there any packet from EP to EP with these fields?
// Prints the verdict with the witness's replayed trace (or the representative packet's trace for an
// unreachable answer). Exit codes (docs/exit-codes.md): 2 bad input; with --expect, 1 when it did not hold;
// 3 for unknown or an internal error (solver and evaluator disagree); else 0.
import { createEvaluator } from '../evaluate/index.ts';
import { loadModel } from '../pipeline.ts';
import { runQuery, type QueryAnswer } from '../questions/query.ts';
import { labelsFor, type Labels } from '../report/labels.ts';
import { traceJson } from '../report/trace-json.ts';
import { packetSummary, traceText } from '../report/trace-text.ts';
import { querySarif } from '../report/sarif/query.ts';
import { shutdownZ3 } from '../smt/index.ts';
import { assumptionsOf, type Assumption } from '../questions/assumptions.ts';
import { assumptionLines, assumptionsJson } from '../report/assumptions.ts';
import { EXIT, reportInputErrors, type Io } from './exit.ts';
import { noteForEndpoints } from '../cloud/taint.ts';
import { parseChoice, parseFormat, parseInputLimit, parsePacketFields, UsageError, type PacketFieldOptions } from './options.ts';
import { runQueryUnder, type ScenarioQueryAnswer } from '../questions/query-scenario.ts';
import { queryOverHolders } from '../questions/query-vip.ts';
import { vipJson, vipLine, vipScope } from './vip-report.ts';
import { asksForScenario, describeScenario, parseScenario, type ScenarioOptions } from './scenario-options.ts';
import { scenarioJson, scenarioLines } from './scenario-report.ts';

export interface QueryOptions extends PacketFieldOptions, ScenarioOptions {
  from: string;
  to: string;
  via?: string;
  expect?: string;
  bidirectional?: boolean;
  format: string;
  timeoutMs?: string;
  rules: boolean;
  maxInputMb?: string;
  holder?: string;
}

export function parseTimeout(v: string | undefined): number {
  if (v === undefined) return 10_000;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--timeout-ms must be a positive number of milliseconds, not "${v}"`);
  return Number(v);
}

export function queryJson(a: QueryAnswer, labels: Labels, assumed: readonly Assumption[] = []): Record<string, unknown> {
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

/** Whether the answer involves the outside world: a sender or destination there, or a packet that left. */
function touchesOutside(a: QueryAnswer): boolean {
  return a.plan.senders.some((s) => s.rep.kind === 'outside') || a.plan.dests.some((d) => d.kind === 'external') || a.trace.deliveredTo?.kind === 'external' || a.reply?.deliveredTo?.kind === 'external';
}

export function queryText(a: QueryAnswer, labels: Labels, o: { from: string; to: string; rules: boolean }, assumed: readonly Assumption[] = []): string {
  const lines = [`query: ${o.from} → ${o.to}`, `verdict: ${a.verdict.toUpperCase()}${a.failed === 'reply' ? ' (the reply did not come back)' : ''} — ${a.reason}`];
  if (a.error !== undefined) lines.push(`INTERNAL ERROR: ${a.error}`);
  if (a.verdict === 'reachable' || a.error !== undefined) lines.push(`witness: ${packetSummary(a.trace.packet)}`, '', traceText(a.trace, labels, { rules: o.rules }));
  else {
    // From or to a set, the trace is one packet of many: the first sender's, to the first destination.
    const one = a.plan.senders.length > 1 || a.plan.dests.length > 1 ? `one packet of the query (from ${a.plan.senders[0]!.label} to ${a.plan.dstIp})` : 'a packet matching the query';
    lines.push('', a.verdict === 'unreachable' && a.failed === 'request' ? `${one}, and where it stops:` : `${one}:`, traceText(a.trace, labels, { rules: o.rules }));
  }
  if (a.reply !== null) lines.push('', 'the reply:', traceText(a.reply, labels, { rules: o.rules }));
  lines.push(...assumptionLines(assumed));
  return lines.join('\n');
}

/** Why these masters are shown: the ones of the counterexample, or the first of the choices every one of which reaches. */
function mastersNote(verdict: string, asked: number): string {
  if (verdict === 'unreachable') return 'a choice VRRP allows under which it does not get there';
  if (verdict === 'reachable') return asked > 1 ? `reachable under each of ${asked} choices VRRP allows; the witness shown is under these` : 'the only choice VRRP allows';
  return 'the choice the answer is unknown under';
}

export async function runQueryCommand(io: Io, file: string, o: QueryOptions): Promise<number> {
  const format = parseFormat(o.format, ['text', 'json', 'sarif', 'html'] as const);
  const expect = o.expect === undefined ? null : parseChoice('--expect', o.expect, ['reachable', 'unreachable'] as const);
  const params = {
    from: o.from,
    to: o.to,
    via: o.via ?? null,
    ...parsePacketFields(o, true),
    bidirectional: o.bidirectional === true,
  };
  const timeoutMs = parseTimeout(o.timeoutMs);
  const model = loadModel(file, parseInputLimit(o.maxInputMb));
  if (!model.ok) return reportInputErrors(io, model.errors);
  const { topology, dataplane } = model.value;
  const spec = parseScenario(topology, o);
  if (!spec.ok) return reportInputErrors(io, spec.errors);
  try {
    // Without HA routers and failures there is one dataplane, the one rendered (with a VIP's holder, one per holder).
    const scenario = topology.routers.some((r) => r.ha !== null) || asksForScenario(o);
    type Asked = { readonly answer: QueryAnswer; readonly under: ScenarioQueryAnswer | null };
    const byHolder = await queryOverHolders<Asked>(topology, dataplane, params, { ...(o.holder !== undefined ? { holder: o.holder } : {}), down: new Set(spec.value.failures.down) }, {
      ask: async (dp, p) => {
        if (scenario) {
          const r = await runQueryUnder(topology, dp, spec.value, p, timeoutMs);
          return r.ok ? { ok: true, value: { answer: r.value.answer, under: r.value } } : r;
        }
        const r = await runQuery(topology, dp, createEvaluator(dp), p, timeoutMs);
        return r.ok ? { ok: true, value: { answer: r.value, under: null } } : r;
      },
      answerOf: (x) => x.answer,
      withAnswer: (x, answer) => ({ ...x, answer }),
    });
    if (!byHolder.ok) return reportInputErrors(io, byHolder.errors);
    const { answer: got, under } = byHolder.value.value;
    const vip = byHolder.value.vip;
    const note = noteForEndpoints(topology, o.from, o.to, model.value.notes ?? []);
    // Something left out or not captured that these endpoints touch: the answer is not a proof either way.
    const a = note === null || got.verdict === 'unknown' ? got
      : { ...got, verdict: 'unknown' as const, reason: `${got.verdict} in the modelled part, but ${note.message} (${note.file}:${note.line})` };
    const ctx = under;
    const masters = ctx ? new Map(ctx.ctx.haRouters.map((r) => [r.namespace, ctx.ctx.mastersOf(r, ctx.variant)] as const)) : undefined;
    const labels = labelsFor(topology, masters);
    const code = a.verdict === 'unknown' ? EXIT.unknown : expect !== null && a.verdict !== expect ? EXIT.violated : EXIT.ok;
    const asked = [o.proto ?? 'any', o.dport !== undefined ? `dport ${o.dport}` : '', o.sport !== undefined ? `sport ${o.sport}` : '', o.icmpType !== undefined ? `icmp-type ${o.icmpType}` : ''].filter(Boolean).join(' ');
    const commandLine = (fmt: string) => ['netproof', 'query', file, '--from', o.from, '--to', o.to, ...(o.proto ? ['--proto', o.proto] : []), ...(o.dport ? ['--dport', o.dport] : []),
      ...(o.sport ? ['--sport', o.sport] : []), ...(o.icmpType ? ['--icmp-type', o.icmpType] : []), ...(o.via ? ['--via', o.via] : []), ...(o.expect ? ['--expect', o.expect] : []),
      ...(o.fail ?? []).flatMap((h) => ['--fail', h]), ...(o.cut ?? []).flatMap((c) => ['--cut', c]), ...(o.master ?? []).flatMap((m) => ['--master', m]), ...(o.holder ? ['--holder', o.holder] : []), '--format', fmt].join(' ');
    const sarif = () => querySarif({
      answer: a, expect, topology, labels, exitCode: code, cwd: process.cwd(),
      subject: `query:${o.from}->${o.to} ${asked}`,
      commandLine: commandLine('sarif'),
    });
    const assumed = assumptionsOf(topology, ctx?.variant.dataplane ?? vip?.held.dataplane ?? dataplane, { question: 'query', outside: touchesOutside(a), captured: model.value.notes !== undefined, ...(vip ? { vip: vipScope(vip) } : {}) });
    const html = async () => {
      const { queryHtml } = await import('../report/html/reports.ts');
      const notes = [...(ctx ? scenarioLines(ctx.ctx, ctx.variant, describeScenario(spec.value), mastersNote(a.verdict, ctx.asked)) : []), ...(vip ? [vipLine(vip, a.verdict)] : [])];
      return queryHtml({ topology, dataplane: ctx?.variant.dataplane ?? vip?.held.dataplane ?? dataplane, labels, command: commandLine('html'), assumptions: assumed, notes },
        { subject: `${o.from} → ${o.to} ${asked}`, verdict: a.verdict, reason: a.error !== undefined ? `${a.reason} (internal error: ${a.error})` : a.reason, trace: a.trace, reply: a.reply });
    };
    io.out(format === 'html' ? await html() : format === 'json'
      ? JSON.stringify({ ...queryJson(a, labels, assumed), ...(ctx ? { scenario: scenarioJson(ctx.ctx, ctx.variant) } : {}), ...(vip ? { vip: vipJson(vip) } : {}) }, null, 2)
      : format === 'sarif' ? JSON.stringify(sarif(), null, 2)
      : [...(ctx ? scenarioLines(ctx.ctx, ctx.variant, describeScenario(spec.value), mastersNote(a.verdict, ctx.asked)) : []), ...(vip ? [vipLine(vip, a.verdict)] : []), queryText(a, labels, { from: o.from, to: o.to, rules: o.rules }, assumed)].join('\n'));
    if (a.error !== undefined) io.err(`netproof: internal error: ${a.error}`);
    return code;
  } finally {
    await shutdownZ3();
  }
}
