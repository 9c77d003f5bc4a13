// `netproof diff BEFORE AFTER [--from EP] [--to EP] [packet fields] [--expect-no-change]`: which
// packets meet another fate after a change (questions/diff.ts). BEFORE and AFTER are topology files
// or cloud directories. Exit codes (docs/exit-codes.md): 2 bad input; 1 with --expect-no-change when
// anything differs; else 3 when some sender is not fully answered; else 0.
import { createEvaluator } from '../evaluate/index.ts';
import { loadModel } from '../pipeline.ts';
import { runDiff } from '../questions/diff.ts';
import { labelsFor } from '../report/labels.ts';
import { diffJson } from '../report/diff-json.ts';
import { diffText } from '../report/diff-text.ts';
import { shutdownZ3 } from '../smt/index.ts';
import { EXIT, reportInputErrors, type Io } from './exit.ts';
import { parseFormat, parseInputLimit, parsePacketFields, type PacketFieldOptions } from './options.ts';
import { parseTimeout } from './query-command.ts';

export interface DiffOptions extends PacketFieldOptions {
  from?: string;
  to?: string;
  via?: string;
  expectNoChange?: boolean;
  format: string;
  timeoutMs?: string;
  rules: boolean;
  maxInputMb?: string;
}

export async function runDiffCommand(io: Io, beforeFile: string, afterFile: string, o: DiffOptions): Promise<number> {
  const format = parseFormat(o.format, ['text', 'json'] as const);
  const fields = parsePacketFields(o, true);
  const timeoutMs = parseTimeout(o.timeoutMs);
  const limits = parseInputLimit(o.maxInputMb);
  const before = loadModel(beforeFile, limits);
  const after = loadModel(afterFile, limits);
  if (!before.ok || !after.ok) return reportInputErrors(io, [...(before.ok ? [] : before.errors), ...(after.ok ? [] : after.errors)]);
  try {
    const answer = await runDiff(
      { model: before.value, ev: createEvaluator(before.value.dataplane) },
      { model: after.value, ev: createEvaluator(after.value.dataplane) },
      { from: o.from ?? null, to: o.to ?? null, via: o.via ?? null, ...fields },
      timeoutMs,
    );
    if (!answer.ok) return reportInputErrors(io, answer.errors);
    const a = answer.value;
    // Places are named as the after side calls them (a router renamed is named as it is now).
    const labels = labelsFor(after.value.topology);
    const names = { before: beforeFile, after: afterFile };
    io.out(format === 'json' ? JSON.stringify(diffJson(a, labels, names), null, 2) : diffText(a, labels, { ...names, rules: o.rules }));
    for (const s of a.senders) if (s.error) io.err(`netproof: internal error: ${s.error.message}`);
    if (o.expectNoChange === true && a.differences.length > 0) return EXIT.violated;
    return a.senders.some((s) => s.unknown !== null) ? EXIT.unknown : EXIT.ok;
  } finally {
    await shutdownZ3();
  }
}
