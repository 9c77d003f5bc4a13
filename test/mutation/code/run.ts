// `npm run mutation:code [-- --mutant ID]…`: applies each fault of mutants.ts, one at a time, to a
// copy of the repository (node_modules linked, nothing else shared) and runs the suites that must
// kill it, stopping at the first failing test (the suites are first run without any fault: they must
// pass there, or no failure could be put down to a fault); when they all pass, a short symbolic-agreement fuzz
// run on a pinned seed gets its chance. Prints one line per mutant and the kill table: killed (by
// which test), survived, timed out, or not applicable (its text is no longer in the file: mutants.ts
// needs updating).
// A test that only runs out of time proves nothing either way (on a loaded machine the suites run
// several times slower): the suites run with a generous timeout (--timeout-min, default 15 minutes per
// test, so a fault that makes a test hang still ends), and a run whose only failures are timeouts is
// "timed out", never a kill; a fault-free run that times out is retried once, and otherwise says so.
// Exit 0 when every mutant was killed, 1 otherwise, 2 on bad arguments.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { judge, type Failure, type SuiteRun } from './judge.ts';
import { CODE_MUTANTS, type CodeMutant } from './mutants.ts';

const root = new URL('../../../', import.meta.url).pathname;
const COPY = ['src', 'test', 'rules', 'topologies', 'properties', 'bench', 'bin', 'scripts', 'docs', 'README.md', 'package.json', 'tsconfig.json', 'vitest.config.ts'];

type Outcome = { status: 'killed'; by: string } | { status: 'survived' } | { status: 'timed out'; what: string } | { status: 'not applicable'; why: string };

function run(cwd: string, args: readonly string[]): { ok: boolean; out: string } {
  const r = spawnSync('npx', args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', CI: '1' }, maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

let reportSeq = 0;

const reporter = new URL('./failures-reporter.ts', import.meta.url).pathname;

/** `vitest run` of `suites` in `dir` with the given per-test timeout, judged by what failed and why. */
function vitest(dir: string, suites: readonly string[], timeoutMs: number, bail: boolean): SuiteRun {
  const file = join(dir, `.vitest-failures-${process.pid}-${reportSeq++}.json`);
  const r = spawnSync('npx', ['vitest', 'run', ...(bail ? ['--bail=1'] : []), `--testTimeout=${timeoutMs}`, `--hookTimeout=${timeoutMs}`, '--reporter=default', `--reporter=${reporter}`, ...suites], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', CI: '1', NETPROOF_FAILURES_FILE: file }, maxBuffer: 64 * 1024 * 1024,
  });
  let failures: Failure[] | null = null;
  try {
    failures = (JSON.parse(readFileSync(file, 'utf8')) as { failures: Failure[] }).failures;
  } catch {
    failures = null;
  }
  rmSync(file, { force: true });
  return judge(r.status === 0, failures, `${r.stdout}${r.stderr}`);
}

function tryMutant(dir: string, m: CodeMutant, timeoutMs: number): Outcome {
  const path = join(dir, m.file);
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(m.find);
  if (at < 0 || text.indexOf(m.find, at + 1) >= 0) return { status: 'not applicable', why: at < 0 ? 'text not found' : 'text found more than once' };
  writeFileSync(path, text.replace(m.find, m.replace));
  try {
    const t = vitest(dir, m.killers, timeoutMs, true);
    if (t.kind === 'failed') return { status: 'killed', by: t.by };
    if (t.kind === 'timed out') return { status: 'timed out', what: t.what };
    if (m.fuzzRuns > 0) {
      const f = run(dir, ['tsx', 'test/fuzz/campaign.ts', '--property', 'symbolic-agreement', '--runs', String(m.fuzzRuns), '--seed', '7']);
      if (!f.ok) return { status: 'killed', by: `symbolic-agreement fuzz: ${/FAILED.*/.exec(f.out)?.[0] ?? /ended \(.*/.exec(f.out)?.[0] ?? 'failed'}` };
    }
    return { status: 'survived' };
  } finally {
    writeFileSync(path, text);
  }
}

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({ options: { mutant: { type: 'string', multiple: true }, 'timeout-min': { type: 'string' } }, strict: true }));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\nusage: npm run mutation:code [-- --mutant ID]… [--timeout-min M]\n`);
    return 2;
  }
  const minutes = Number(values['timeout-min'] ?? '15');
  if (!(minutes > 0)) {
    process.stderr.write(`--timeout-min must be a positive number of minutes (got ${values['timeout-min']})\n`);
    return 2;
  }
  const timeoutMs = Math.round(minutes * 60_000);
  const wanted = values.mutant ?? CODE_MUTANTS.map((m) => m.id);
  const unknown = wanted.filter((id) => !CODE_MUTANTS.some((m) => m.id === id));
  if (unknown.length > 0) {
    process.stderr.write(`no mutant ${unknown.join(', ')}; the ids are ${CODE_MUTANTS.map((m) => m.id).join(', ')}\n`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), `netproof-mutation-${process.pid}-`));
  try {
    for (const f of COPY) if (existsSync(join(root, f))) cpSync(join(root, f), join(dir, f), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    // The suites must pass without a fault, or a failure says nothing about the fault.
    const suites = [...new Set(CODE_MUTANTS.filter((x) => wanted.includes(x.id)).flatMap((x) => x.killers))];
    const t0 = Date.now();
    let clean = vitest(dir, suites, timeoutMs, false);
    if (clean.kind === 'timed out') {
      process.stdout.write(`the fault-free suites ran out of time (${clean.what}); once more\n`);
      clean = vitest(dir, suites, timeoutMs, false);
    }
    if (clean.kind !== 'passed') {
      process.stdout.write(clean.kind === 'failed'
        ? `the suites fail without any fault (${clean.by}): no mutant can be judged\n`
        : `the fault-free suites ran out of time twice (${clean.what}; ${minutes} min per test): no mutant can be judged; try a quieter machine or a larger --timeout-min\n`);
      return 1;
    }
    process.stdout.write(`the suites pass without any fault (${Math.round((Date.now() - t0) / 1000)} s): ${suites.join(' ')}\n`);
    const rows: [CodeMutant, Outcome, number][] = [];
    for (const m of CODE_MUTANTS.filter((x) => wanted.includes(x.id))) {
      const t0 = Date.now();
      const o = tryMutant(dir, m, timeoutMs);
      rows.push([m, o, Date.now() - t0]);
      process.stdout.write(`${m.id}: ${o.status}${o.status === 'killed' ? ` by ${o.by}` : o.status === 'not applicable' ? ` (${o.why})` : o.status === 'timed out' ? ` (${o.what}: no verdict)` : ''} (${Math.round((Date.now() - t0) / 1000)} s)\n`);
    }
    const killed = rows.filter(([, o]) => o.status === 'killed').length;
    const applied = rows.filter(([, o]) => o.status !== 'not applicable').length;
    process.stdout.write(`\n${killed}/${applied} code mutants killed (${applied === 0 ? '-' : ((100 * killed) / applied).toFixed(0)}%)\n`);
    for (const [m, o] of rows) process.stdout.write(`  ${o.status.padEnd(14)} ${m.id.padEnd(34)} ${m.what}${o.status === 'killed' ? `\n  ${''.padEnd(14)} ${''.padEnd(34)}   killed by ${o.by}` : ''}\n`);
    return killed === applied && applied === rows.length ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exit(main());
