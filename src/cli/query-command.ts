// `netproof query TOPOLOGY --from EP --to EP …`: is there any packet from EP to EP with these fields?
// Prints the verdict with the witness's replayed trace (or the representative packet's trace for an
// unreachable answer). Exit codes (docs/exit-codes.md): 2 bad input; with --expect, 1 when it did not hold;
// 3 for unknown or an internal error (solver and evaluator disagree); else 0. The answer is computed in
// src/answers/query.ts (the library and `netproof serve` share it); this prints it.
import { loadModel } from '../pipeline.ts';
import type { QueryAnswer } from '../questions/query.ts';
import type { Labels } from '../report/labels.ts';
import { packetSummary, traceText } from '../report/trace-text.ts';
import { querySarif } from '../report/sarif/query.ts';
import { shutdownZ3 } from '../smt/index.ts';
import type { Assumption } from '../questions/assumptions.ts';
import { assumptionLines } from '../report/assumptions.ts';
import { reportInputErrors, type Io } from './exit.ts';
import { parseFormat, parseInputLimit, parseTimeout } from './options.ts';
import { describeScenario } from './scenario-options.ts';
import { scenarioLines } from './scenario-report.ts';
import { vipLine } from './vip-report.ts';
import { Session } from '../answers/session.ts';
import { parseQueryRequest, queryRunCode, queryRunJson, queryRunWarnings, runQueryOn, type QueryRequest } from '../answers/query.ts';

export interface QueryOptions extends QueryRequest {
  format: string;
  rules: boolean;
  maxInputMb?: string;
}

export { parseTimeout };

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
  // One choice asked is not one choice allowed: HA routers these endpoints are not behind are left as VRRP
  // elects them first, whatever else it may elect.
  if (verdict === 'reachable') return asked > 1 ? `reachable under each of ${asked} choices VRRP allows; the witness shown is under these` : 'the only choice asked: the HA routers these endpoints are behind have no other';
  return 'the choice the answer is unknown under';
}

export async function runQueryCommand(io: Io, file: string, o: QueryOptions): Promise<number> {
  const format = parseFormat(o.format, ['text', 'json', 'sarif', 'html'] as const);
  parseQueryRequest(o);
  const model = loadModel(file, parseInputLimit(o.maxInputMb));
  if (!model.ok) return reportInputErrors(io, model.errors);
  const { topology } = model.value;
  try {
    const run = await runQueryOn(new Session(model.value), o);
    if (!run.ok) return reportInputErrors(io, run.errors);
    const r = run.value;
    const { answer: a, labels, expect, scenario: ctx } = r;
    const code = queryRunCode(r);
    const asked = [o.proto ?? 'any', o.dport !== undefined ? `dport ${o.dport}` : '', o.sport !== undefined ? `sport ${o.sport}` : '', o.icmpType !== undefined ? `icmp-type ${o.icmpType}` : ''].filter(Boolean).join(' ');
    const commandLine = (fmt: string) => ['netproof', 'query', file, '--from', o.from, '--to', o.to, ...(o.proto ? ['--proto', o.proto] : []), ...(o.dport ? ['--dport', o.dport] : []),
      ...(o.sport ? ['--sport', o.sport] : []), ...(o.icmpType ? ['--icmp-type', o.icmpType] : []), ...(o.via ? ['--via', o.via] : []), ...(o.expect ? ['--expect', o.expect] : []),
      ...(o.fail ?? []).flatMap((h) => ['--fail', h]), ...(o.cut ?? []).flatMap((c) => ['--cut', c]), ...(o.master ?? []).flatMap((m) => ['--master', m]), ...(o.holder ? ['--holder', o.holder] : []), '--format', fmt].join(' ');
    const sarif = () => querySarif({
      answer: a, expect, topology, labels, exitCode: code, cwd: process.cwd(),
      subject: `query:${o.from}->${o.to} ${asked}`,
      commandLine: commandLine('sarif'),
    });
    const html = async () => {
      const { queryHtml } = await import('../report/html/reports.ts');
      const notes = [...(ctx ? scenarioLines(ctx.ctx, ctx.variant, describeScenario(r.spec), mastersNote(a.verdict, ctx.asked)) : []), ...(r.vip ? [vipLine(r.vip, a.verdict)] : [])];
      return queryHtml({ topology, dataplane: ctx?.variant.dataplane ?? r.vip?.held.dataplane ?? model.value.dataplane, labels, command: commandLine('html'), assumptions: r.assumed, notes },
        { subject: `${o.from} → ${o.to} ${asked}`, verdict: a.verdict, reason: a.error !== undefined ? `${a.reason} (internal error: ${a.error})` : a.reason, trace: a.trace, reply: a.reply });
    };
    io.out(format === 'html' ? await html() : format === 'json'
      ? JSON.stringify(queryRunJson(r), null, 2)
      : format === 'sarif' ? JSON.stringify(sarif(), null, 2)
      : [...(ctx ? scenarioLines(ctx.ctx, ctx.variant, describeScenario(r.spec), mastersNote(a.verdict, ctx.asked)) : []), ...(r.vip ? [vipLine(r.vip, a.verdict)] : []), queryText(a, labels, { from: o.from, to: o.to, rules: o.rules }, r.assumed)].join('\n'));
    for (const w of queryRunWarnings(r)) io.err(w);
    return code;
  } finally {
    await shutdownZ3();
  }
}
