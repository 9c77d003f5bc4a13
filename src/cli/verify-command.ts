// `netproof verify TOPOLOGY [--properties FILE|DIR]… [--select IDS] [--skip IDS] [--waivers FILE]
// [--only-failures] [--format text|json|junit] [--timeout-ms N] [--fail HOST]… [--cut A,B]… [--failures N]`:
// the built-in invariants, then the user properties, then the L3 HA invariants, under the scenario given
// (none by default) and, with --failures N, under every combination of up to N more host failures, each
// result saying its scenario (verify-scenario.ts). Bad topology, property or waiver files exit 2 before
// anything is checked; otherwise 1 if any property is violated, else 3 if any verdict is unknown or an
// internal error occurred, else 0 (docs/exit-codes.md); `n/a` and waived results do not fail. Z3 starts
// once (on the first check) and is shut down at the end of the run, whatever happens. On a terminal,
// progress goes to stderr.
import { loadModel } from '../pipeline.ts';
import { BUILTIN_PROPERTIES } from '../questions/properties/index.ts';
import { resolveUserProperties } from '../questions/user-properties/check.ts';
import { loadProperties } from '../questions/user-properties/load.ts';
import { summarize, verifyExitCode } from '../questions/verify.ts';
import { applyWaivers, loadWaivers, type WaiverOutcome } from '../questions/waivers.ts';
import { HA_INVARIANT_IDS } from '../questions/verify-scenario.ts';
import { scenariosOf } from '../scenario/scenarios.ts';
import { idsOf, parseFailures, verifyScenarios, type VerifyRequest } from '../answers/verify.ts';
import { parseScenario } from './scenario-options.ts';
import { labelsFor } from '../report/labels.ts';
import { verifyJson } from '../report/verify-json.ts';
import { verifyJunit } from '../report/verify-junit.ts';
import { verifyText } from '../report/verify-text.ts';
import { verifySarif } from '../report/sarif/verify.ts';
import { shutdownZ3 } from '../smt/index.ts';
import { reportInputErrors, type Io } from './exit.ts';
import { taintReport } from '../cloud/taint-report.ts';
import { notesJson, notesText } from '../report/cloud-notes.ts';
import { parseFormat, parseInputLimit, UsageError } from './options.ts';
import { parseTimeout } from './query-command.ts';
import { startProgress } from './progress.ts';
import { assumptionsOf } from '../questions/assumptions.ts';
import { changesSince, changeWords, loadBaseline, type BaselineChange } from '../questions/baseline.ts';
import type { Shard } from '../shard/assign.ts';
import { fingerprint } from '../shard/fingerprint.ts';
import { shownInJson } from '../report/verify-json.ts';

/** The library's verify request (its options as the command line spells them), and what only the CLI has. */
export interface VerifyOptions extends VerifyRequest {
  format: string;
  rules: boolean;
  maxInputMb?: string;
  shard?: string;
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
  const timeoutMs = parseTimeout(o.timeoutMs);
  const failures = parseFailures(o.failures);
  const limits = parseInputLimit(o.maxInputMb);
  if (o.waivers === '') throw new UsageError('--waivers must name a file, not ""');
  const shard = parseShard(o.shard);
  if (shard !== undefined && format !== 'json') throw new UsageError('--shard writes a part of a run for netproof merge: give --format json');
  if (shard !== undefined && o.baseline !== undefined) throw new UsageError('--baseline compares a whole run: it cannot be given with --shard');
  const model = loadModel(file, limits);
  if (!model.ok) return reportInputErrors(io, model.errors);
  const props = loadProperties(o.properties ?? [], limits);
  if (!props.ok) return reportInputErrors(io, props.errors);
  const waivers = o.waivers === undefined ? null : loadWaivers(o.waivers, limits);
  // A waiver file that cannot be read is named by its option, as --properties' are.
  if (waivers !== null && !waivers.ok) return reportInputErrors(io, waivers.errors.map((e) => (e.path === '' && e.position === null ? { ...e, path: '--waivers' } : e)));
  if (o.baseline === '') throw new UsageError('--baseline must name a file, not ""');
  const baseline = o.baseline === undefined ? null : loadBaseline(o.baseline, limits);
  if (baseline !== null && !baseline.ok) return reportInputErrors(io, baseline.errors);
  const { topology, dataplane } = model.value;
  const resolved = resolveUserProperties(topology, dataplane, props.value);
  if (!resolved.ok) return reportInputErrors(io, resolved.errors);
  const spec = parseScenario(topology, { fail: o.fail ?? [], cut: o.cut ?? [] });
  if (!spec.ok) return reportInputErrors(io, spec.errors);
  const known = [...BUILTIN_PROPERTIES.map((b) => b.id), ...resolved.value.map((u) => u.property.name), ...HA_INVARIANT_IDS];
  const select = idsOf('--select', o.select, known);
  const skip = idsOf('--skip', o.skip, known);
  const wanted = (id: string) => (select === null || select.has(id)) && (skip === null || !skip.has(id));
  const builtins = BUILTIN_PROPERTIES.filter((b) => wanted(b.id));
  const user = resolved.value.filter((u) => wanted(u.property.name));
  const progress = startProgress(io);
  try {
    const notes = model.value.notes ?? [];
    const results = await verifyScenarios(topology, dataplane, scenariosOf(topology, spec.value, failures), builtins, user,
      { timeoutMs, wanted, ...(shard === undefined ? {} : { shard }) }, { step: progress.step, subjects: progress.subjects });
    progress.stop();
    // A shard reports its own results, each with its place in the whole run's order (for netproof merge).
    const places = results.flatMap((r, i) => (r.elsewhere === true ? [] : [i]));
    const mine = results.filter((r) => r.elsewhere !== true);
    const checked = taintReport({ results: mine, summary: summarize(mine) }, notes);
    let outcomes: WaiverOutcome[] = [];
    let report = checked;
    if (waivers !== null) {
      const applied = applyWaivers(checked.results, waivers.value, new Date().toISOString().slice(0, 10));
      outcomes = applied.outcomes;
      report = { results: applied.results, summary: summarize(applied.results) };
    }
    const changes: BaselineChange[] | null = baseline === null ? null : changesSince(baseline.value, report.results);
    const since = changes === null || baseline === null ? {} : { baseline: { file: baseline.value.file, changed: changes } };
    const labels = labelsFor(topology);
    const onlyFailures = o.onlyFailures === true;
    const assumptions = assumptionsOf(topology, dataplane, { question: 'verify', outside: true, captured: model.value.notes !== undefined });
    const code = verifyExitCode(report);
    const sarif = () => verifySarif({
      report, topology, labels, waivers: outcomes, exitCode: code, cwd: process.cwd(),
      builtins: BUILTIN_PROPERTIES.filter((b) => wanted(b.id)),
      user: resolved.value.filter((u) => wanted(u.property.name)),
      commandLine: verifyCommandLine(file, o),
      baseline: baseline?.ok ? baseline.value : null,
    });
    const html = async () => {
      const { verifyHtml } = await import('../report/html/reports.ts');
      const baselineNote = baselineText(baseline?.ok ? baseline.value.file : '', changes).trim();
      return verifyHtml({ topology, dataplane, labels, command: verifyCommandLine(file, o), equivalent: textCommandLine(file, o), assumptions,
        notes: [...notes.map((n) => `${n.message} (${n.file}:${n.line})`), ...(baselineNote ? baselineNote.split('\n').map((l) => l.trim()) : [])] }, report, { onlyFailures });
    };
    io.out(
      format === 'html' ? await html()
      : format === 'json' ? JSON.stringify({
        ...verifyJson(report, labels, { onlyFailures, waivers: waivers === null ? null : outcomes, assumptions }), ...(model.value.notes ? { notes: notesJson(notes) } : {}), ...since,
        ...(shard === undefined ? {} : {
          shard: {
            index: shard.index, count: shard.count, fingerprint: shardFingerprint(file, o, shard), run_results: results.length,
            positions: places.filter((_, k) => !onlyFailures || shownInJson(report.results[k]!)),
          },
        }),
      }, null, 2)
      : format === 'junit' ? verifyJunit(report, labels, `netproof verify ${file}`)
      : format === 'sarif' ? JSON.stringify(sarif(), null, 2)
      : `${verifyText(report, labels, { rules: o.rules, style: io.style, onlyFailures, waivers: outcomes, assumptions })}${notes.length > 0 ? `

${notesText(notes)}` : ''}${baselineText(baseline?.ok ? baseline.value.file : '', changes)}`,
    );
    return code;
  } finally {
    progress.stop();
    await shutdownZ3();
  }
}
