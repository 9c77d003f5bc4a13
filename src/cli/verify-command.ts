// `netproof verify TOPOLOGY [--properties FILE|DIR]… [--select IDS] [--skip IDS] [--waivers FILE]
// [--only-failures] [--format text|json|junit] [--timeout-ms N] [--fail HOST]… [--cut A,B]… [--failures N]`:
// the built-in invariants, then the user properties, then the L3 HA invariants, under the scenario given
// (none by default) and, with --failures N, under every combination of up to N more host failures, each
// result saying its scenario (verify-scenario.ts). Bad topology, property or waiver files exit 2 before
// anything is checked; otherwise 1 if any property is violated, else 3 if any verdict is unknown or an
// internal error occurred, else 0 (docs/exit-codes.md); `n/a` and waived results do not fail. Z3 starts
// once (on the first check) and is shut down at the end of the run, whatever happens. On a terminal,
// progress goes to stderr. `--jobs N` checks the run in N worker threads (src/parallel/jobs.ts) and
// prints it as here.
import { loadModel, type Model } from '../pipeline.ts';
import type { Result } from '../errors.ts';
import { parseVerifyRequest, planVerify, runVerifyOn, verifyRunCode, verifyRunJson, type VerifyRequest, type VerifyRun } from '../answers/verify.ts';
import { availableParallelism } from 'node:os';
import { startVerifyJobs } from '../parallel/jobs.ts';
import { autoJobsFor, cappedNote } from '../parallel/auto-jobs.ts';
import { Session } from '../answers/session.ts';
import { verifyJunit } from '../report/verify-junit.ts';
import { verifyText } from '../report/verify-text.ts';
import { verifySarif } from '../report/sarif/verify.ts';
import { shownInJson } from '../report/verify-json.ts';
import { notesText } from '../report/cloud-notes.ts';
import { changeWords, type BaselineChange } from '../questions/baseline.ts';
import { shutdownZ3 } from '../smt/index.ts';
import { reportInputErrors, type Io } from './exit.ts';
import { parseFormat, parseInputLimit, UsageError } from './options.ts';
import { startProgress } from './progress.ts';
import type { Shard } from '../shard/assign.ts';
import { fingerprint } from '../shard/fingerprint.ts';

/** The library's verify request (its options as the command line spells them), and what only the CLI has. */
export interface VerifyOptions extends VerifyRequest {
  format: string;
  rules: boolean;
  maxInputMb?: string;
  shard?: string;
  /** `--jobs N|auto`: the run spread over N worker threads (1: this thread alone). */
  jobs?: string;
  /** Set by `netproof report`: the page is written to this file (the command line shown says so). */
  reportOut?: string;
}

/** `--shard K/N`: shard K (1-based) of N. */
export function parseShard(v: string | undefined): Shard | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(v);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count) throw new UsageError(`--shard must be K/N with 1 <= K <= N (shard K of N, e.g. 1/4), not "${v}"`);
  return { index, count };
}

/**
 * `--jobs N` (1 to 256) or `auto`: the cores Node says this process may use, no more than the memory
 * available holds for `file`'s model in each (src/parallel/auto-jobs.ts; `said` hears why when fewer); 1
 * without the option.
 */
export function parseJobs(v: string | undefined, file: string, said: (line: string) => void = () => {}): number {
  if (v === undefined) return 1;
  if (v === 'auto') {
    const auto = autoJobsFor(file);
    const note = cappedNote(auto);
    if (note !== null) said(note);
    return auto.jobs;
  }
  const n = /^\d{1,3}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= 256)) throw new UsageError(`--jobs must be a number of worker threads from 1 to 256, or auto, not "${v}"`);
  return n;
}

/** The options that change a sharded run's results, for its fingerprint. */
function shardFingerprint(file: string, o: VerifyOptions, shard: Shard): string {
  const list = (xs: readonly string[] | undefined) => (xs ?? []).flatMap((x) => x.split(',')).map((x) => x.trim());
  return fingerprint({
    files: [['topology', file], ...(o.properties ?? []).map((p) => ['properties', p] as const), ...(o.waivers === undefined ? [] : [['waivers', o.waivers] as const])],
    options: {
      count: shard.count, select: list(o.select), skip: list(o.skip), timeoutMs: o.timeoutMs ?? null, fail: o.fail ?? [], cut: o.cut ?? [],
      failures: o.failures ?? '0', onlyFailures: o.onlyFailures === true, maxInputMb: o.maxInputMb ?? null,
      // Waivers expire by date: shards run on different days could disagree.
      today: o.waivers === undefined ? null : new Date().toISOString().slice(0, 10),
    },
  });
}

/** The command line as run, for reports that record it (SARIF's invocation). */
/** The options that decide what is verified, as they were given. */
function verifyArgs(o: VerifyOptions): string[] {
  const opt = (flag: string, values: readonly string[] | undefined) => (values ?? []).flatMap((v) => [flag, v]);
  const one = (flag: string, v: string | undefined) => opt(flag, v === undefined ? undefined : [v]);
  return [...opt('--properties', o.properties), ...opt('--select', o.select), ...opt('--skip', o.skip), ...one('--waivers', o.waivers), ...opt('--fail', o.fail),
    ...opt('--cut', o.cut), ...one('--failures', o.failures), ...one('--baseline', o.baseline), ...(o.onlyFailures === true ? ['--only-failures'] : [])];
}

/** The command line as run (`netproof report … --out FILE` for a report). */
function verifyCommandLine(file: string, o: VerifyOptions): string {
  if (o.reportOut !== undefined) return ['netproof', 'report', file, ...verifyArgs(o), '--out', o.reportOut].join(' ');
  return ['netproof', 'verify', file, ...verifyArgs(o), '--format', o.format].join(' ');
}

/** The `verify` that prints the same results as text in a terminal. */
function textCommandLine(file: string, o: VerifyOptions): string {
  return ['netproof', 'verify', file, ...verifyArgs(o)].join(' ');
}

/** The text section on what changed since the baseline (empty without --baseline). */
function baselineText(file: string, changes: readonly BaselineChange[] | null): string {
  if (changes === null) return '';
  if (changes.length === 0) return `\n\nsince the baseline (${file}): no result changed`;
  return `\n\nsince the baseline (${file}): ${changes.length} result${changes.length === 1 ? '' : 's'} changed\n${changes.map((c) => `  ${c.property} ${c.subject}: ${changeWords(c)}`).join('\n')}`;
}

export async function runVerifyCommand(io: Io, file: string, o: VerifyOptions): Promise<number> {
  const format = parseFormat(o.format, ['text', 'json', 'junit', 'sarif', 'html'] as const);
  parseVerifyRequest(o);
  const limits = parseInputLimit(o.maxInputMb);
  const shard = parseShard(o.shard);
  if (shard !== undefined && format !== 'json') throw new UsageError('--shard writes a part of a run for netproof merge: give --format json');
  if (shard !== undefined && o.baseline !== undefined) throw new UsageError('--baseline compares a whole run: it cannot be given with --shard');
  const jobs = parseJobs(o.jobs, file, (line) => io.err(line));
  if (shard !== undefined && jobs > 1) throw new UsageError('--shard and --jobs cannot be given together: run each shard with --jobs 1, or the whole run with --jobs N');
  if (jobs > 1) return runJobs(io, file, o, jobs, (model, session, run) => printVerify(io, file, o, format, shard, model, session, run));
  const model = loadModel(file, limits);
  if (!model.ok) return reportInputErrors(io, model.errors);
  const session = new Session(model.value);
  const progress = startProgress(io);
  try {
    const run = await runVerifyOn(session, o, limits, { step: progress.step, subjects: progress.subjects }, shard);
    progress.stop();
    return await printVerify(io, file, o, format, shard, model.value, session, run);
  } finally {
    progress.stop();
    await shutdownZ3();
  }
}

/**
 * `--jobs N`: the workers start first; this thread builds its own model, which printing needs, at once
 * when a core is left for it, else once the first worker has ended (on 2 cores with --jobs 2, a third
 * model built beside the workers' took their CPU and held its memory while theirs peaked). A bad input
 * file is said once, by this thread, as on one thread.
 */
async function runJobs(io: Io, file: string, o: VerifyOptions, jobs: number, print: (model: Model, session: Session, run: Result<VerifyRun>) => Promise<number>): Promise<number> {
  const limits = parseInputLimit(o.maxInputMb);
  const progress = startProgress(io);
  const workers = startVerifyJobs(file, o, o.maxInputMb, jobs, { step: progress.step, subjects: progress.subjects });
  try {
    if (jobs >= availableParallelism()) await workers.firstEnded;
    const model = loadModel(file, limits);
    if (!model.ok) return reportInputErrors(io, model.errors);
    const session = new Session(model.value);
    const plan = planVerify(session, o, limits);
    if (!plan.ok) return reportInputErrors(io, plan.errors);
    const run = await workers.finish(session, o, plan.value);
    progress.stop();
    return await print(model.value, session, run);
  } finally {
    progress.stop();
    await workers.stop();
  }
}

/** Prints the run in `format`; returns the exit code. */
async function printVerify(io: Io, file: string, o: VerifyOptions, format: string, shard: Shard | undefined, model: Model, session: Session, run: Result<VerifyRun>): Promise<number> {
  if (!run.ok) return reportInputErrors(io, run.errors);
  const r = run.value;
  const { topology, dataplane } = model;
  const notes = model.notes ?? [];
  const { report, labels, onlyFailures, assumptions } = r;
  const outcomes = r.waivers ?? [];
  const baselineSection = () => baselineText(r.baseline?.file ?? '', r.baseline?.changed ?? null);
  const code = verifyRunCode(r);
  const sarif = () => verifySarif({
    report, topology, labels, waivers: outcomes, exitCode: code, cwd: process.cwd(), builtins: r.builtins, user: r.user,
    commandLine: verifyCommandLine(file, o), baseline: r.saved,
  });
  const html = async () => {
    const { verifyHtml } = await import('../report/html/reports.ts');
    const baselineNote = baselineSection().trim();
    return verifyHtml({ topology, dataplane, labels, command: verifyCommandLine(file, o), equivalent: textCommandLine(file, o), assumptions,
      notes: [...notes.map((n) => `${n.message} (${n.file}:${n.line})`), ...(baselineNote ? baselineNote.split('\n').map((l) => l.trim()) : [])] }, report, { onlyFailures });
  };
  io.out(
    format === 'html' ? await html()
    : format === 'json' ? JSON.stringify({
      ...verifyRunJson(r, model.notes),
      ...(shard === undefined || r.shard === null ? {} : {
        shard: {
          index: shard.index, count: shard.count, fingerprint: shardFingerprint(file, o, shard), run_results: r.shard.runResults,
          positions: r.shard.places.filter((_, k) => !onlyFailures || shownInJson(report.results[k]!)),
        },
      }),
    }, null, 2)
    : format === 'junit' ? verifyJunit(report, labels, `netproof verify ${file}`)
    : format === 'sarif' ? JSON.stringify(sarif(), null, 2)
    : `${verifyText(report, labels, { rules: o.rules, style: io.style, onlyFailures, waivers: outcomes, assumptions })}${notes.length > 0 ? `

${notesText(notes)}` : ''}${baselineSection()}`,
  );
  return code;
}
