// `netproof trace TOPOLOGY --from EP --to EP …`: follows one concrete packet and prints its path.
import { createEvaluator } from '../evaluate/index.ts';
import { loadModel } from '../pipeline.ts';
import { traceQuestion } from '../questions/trace.ts';
import { labelsFor } from '../report/labels.ts';
import { traceJson } from '../report/trace-json.ts';
import { traceText } from '../report/trace-text.ts';
import { traceDot } from '../report/trace-dot.ts';
import { traceMermaid } from '../report/trace-mermaid.ts';
import { assumptionsOf } from '../questions/assumptions.ts';
import { assumptionLines, assumptionsJson } from '../report/assumptions.ts';
import { EXIT, reportInputErrors, type Io } from './exit.ts';
import { noteForEndpoints } from '../cloud/taint.ts';
import { parseChoice, parseFormat, parseInputLimit, parsePacketFields, UsageError, type PacketFieldOptions } from './options.ts';

export interface TraceOptions extends PacketFieldOptions {
  from: string;
  to: string;
  via?: string;
  format: string;
  rules: boolean;
  maxInputMb?: string;
  expect?: string;
}

const DISPOSITIONS = ['delivered', 'exited', 'dropped', 'loop', 'no-route', 'no-arp'] as const;

export function runTrace(io: Io, file: string, o: TraceOptions): number {
  const format = parseFormat(o.format, ['text', 'json', 'dot', 'mermaid'] as const);
  const expect = o.expect === undefined ? null : parseChoice('--expect', o.expect, DISPOSITIONS);
  const given = parsePacketFields(o, false);
  // Ports without a protocol ask for TCP (as query's representative packet); else an ICMP echo request.
  const { proto = given.dport !== undefined || given.sport !== undefined ? 'tcp' : 'icmp', ...fields } = given;
  if (proto === 'any') throw new UsageError('trace follows one concrete packet: --proto any is for query');
  const model = loadModel(file, parseInputLimit(o.maxInputMb));
  if (!model.ok) return reportInputErrors(io, model.errors);
  const { topology, dataplane } = model.value;
  const answer = traceQuestion(topology, dataplane, createEvaluator(dataplane), { proto, ...fields, from: o.from, to: o.to, via: o.via ?? null });
  if (!answer.ok) return reportInputErrors(io, answer.errors);
  const labels = labelsFor(topology);
  const { trace, from, to } = answer.value;
  const outside = from.kind === 'outside' || to.kind === 'outside' || trace.deliveredTo?.kind === 'external';
  const assumed = assumptionsOf(topology, dataplane, { question: 'trace', outside, captured: model.value.notes !== undefined });
  io.out(
    format === 'json' ? JSON.stringify({ ...traceJson(trace, labels), assumptions: assumptionsJson(assumed) }, null, 2)
    : format === 'dot' ? traceDot(trace, labels)
    : format === 'mermaid' ? traceMermaid(trace, labels)
    : [traceText(trace, labels, { rules: o.rules }), ...assumptionLines(assumed)].join('\n'),
  );
  // A cloud's note about these endpoints (left out, not captured) makes the trace a partial picture.
  const note = noteForEndpoints(topology, o.from, o.to, model.value.notes ?? []);
  if (note !== null) io.err(`netproof: this trace is not the whole story: ${note.message} (${note.file}:${note.line})`);
  // A trace that crossed something netproof does not model is not a trustworthy answer.
  if (trace.uncertain.length > 0 || note !== null) return EXIT.unknown;
  return expect !== null && trace.disposition !== expect ? EXIT.violated : EXIT.ok;
}
