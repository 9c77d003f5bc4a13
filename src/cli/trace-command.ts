// `netproof trace TOPOLOGY --from EP --to EP …`: follows one concrete packet and prints its path.
// Under a failure scenario (--fail, --cut) or with HA routers, the packet goes through the masters
// the model elects first (or those pinned with --master), and the output names them. The answer is
// computed in src/answers/trace.ts (the library and `netproof serve` share it); this prints it.
import { loadModelLazily } from '../input/load-model.ts';
import { outcome, traceText } from '../report/trace-text.ts';
import { traceDot } from '../report/trace-dot.ts';
import { traceMermaid } from '../report/trace-mermaid.ts';
import { assumptionLines } from '../report/assumptions.ts';
import { reportInputErrors, type Io } from './exit.ts';
import { parseFormat, parseInputLimit } from './options.ts';
import { describeScenario } from './scenario-options.ts';
import { scenarioLines } from './scenario-report.ts';
import { vipLine } from './vip-report.ts';
import { Session } from '../answers/session.ts';
import { parseTraceRequest, runTraceOn, traceRunCode, traceRunJson, traceRunWarnings, type TraceRequest } from '../answers/trace.ts';

export interface TraceOptions extends TraceRequest {
  format: string;
  rules: boolean;
  maxInputMb?: string;
}

/** The command line as run, for the reports that record it (the HTML page's header). */
function traceCommandLine(file: string, o: TraceOptions): string {
  const opt = (flag: string, v: string | undefined) => (v === undefined ? [] : [flag, v]);
  return ['netproof', 'trace', file, '--from', o.from, '--to', o.to, ...opt('--proto', o.proto), ...opt('--dport', o.dport), ...opt('--sport', o.sport),
    ...opt('--icmp-type', o.icmpType), ...opt('--via', o.via), ...(o.fail ?? []).flatMap((h) => ['--fail', h]), ...(o.cut ?? []).flatMap((c) => ['--cut', c]),
    ...(o.master ?? []).flatMap((m) => ['--master', m]), ...opt('--holder', o.holder), '--format', o.format].join(' ');
}

export async function runTrace(io: Io, file: string, o: TraceOptions): Promise<number> {
  const format = parseFormat(o.format, ['text', 'json', 'dot', 'mermaid', 'html'] as const);
  parseTraceRequest(o);
  const model = await loadModelLazily(file, parseInputLimit(o.maxInputMb));
  if (!model.ok) return reportInputErrors(io, model.errors);
  const run = runTraceOn(new Session(model.value), o);
  if (!run.ok) return reportInputErrors(io, run.errors);
  const r = run.value;
  const { trace } = r.answer;
  if (format === 'json') {
    io.out(JSON.stringify(traceRunJson(r), null, 2));
  } else if (format === 'dot') {
    io.out(traceDot(trace, r.labels));
  } else if (format === 'mermaid') {
    io.out(traceMermaid(trace, r.labels));
  } else if (format === 'html') {
    const { traceHtml } = await import('../report/html/reports.ts');
    const notes = [...(r.scenario ? scenarioLines(r.scenario.ctx, r.scenario.variant, describeScenario(r.spec)) : []), ...(r.vip ? [vipLine(r.vip, null)] : [])];
    io.out(await traceHtml({ topology: model.value.topology, dataplane: r.scenario?.variant.dataplane ?? r.vip?.held.dataplane ?? model.value.dataplane, labels: r.labels, command: traceCommandLine(file, o), assumptions: r.assumed, notes },
      { subject: `${o.from} → ${o.to}`, trace, message: outcome(trace).replace(/\s*\n\s*/g, ' ') }));
  } else {
    const head = [...(r.scenario ? scenarioLines(r.scenario.ctx, r.scenario.variant, describeScenario(r.spec)) : []), ...(r.vip ? [vipLine(r.vip, null)] : [])];
    io.out([...head, traceText(trace, r.labels, { rules: o.rules }), ...assumptionLines(r.assumed)].join('\n'));
  }
  for (const w of traceRunWarnings(r)) io.err(w);
  return traceRunCode(r);
}
