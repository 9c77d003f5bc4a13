// `npm run mutation:code [-- --mutant ID]…`: applies each fault of mutants.ts, one at a time, to a
// copy of the repository (node_modules linked, nothing else shared) and runs the suites that must
// kill it, stopping at the first failing test (the suites are first run without any fault: they must
// pass there, or no failure could be put down to a fault); when they all pass, a short symbolic-agreement fuzz
// run on a pinned seed gets its chance. Prints one line per mutant and the kill table: killed (by
// which), survived, or not applicable (its text is no longer in the file: mutants.ts needs updating).
// Exit 0 when every mutant was killed, 1 otherwise, 2 on bad arguments.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CODE_MUTANTS, type CodeMutant } from './mutants.ts';

const root = new URL('../../../', import.meta.url).pathname;
const COPY = ['src', 'test', 'rules', 'topologies', 'properties', 'bench', 'bin', 'scripts', 'docs', 'README.md', 'package.json', 'tsconfig.json', 'vitest.config.ts'];

type Outcome = { status: 'killed'; by: string } | { status: 'survived' } | { status: 'not applicable'; why: string };

function run(cwd: string, args: readonly string[]): { ok: boolean; out: string } {
  const r = spawnSync('npx', args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', CI: '1' }, maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

/** The first failing test of a vitest run's output, for the table. */
const firstFailure = (out: string): string => /(?:FAIL|×)\s+(.+)/.exec(out)?.[1]?.trim().slice(0, 140) ?? 'a test failed';

function tryMutant(dir: string, m: CodeMutant): Outcome {
  const path = join(dir, m.file);
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(m.find);
  if (at < 0 || text.indexOf(m.find, at + 1) >= 0) return { status: 'not applicable', why: at < 0 ? 'text not found' : 'text found more than once' };
  writeFileSync(path, text.replace(m.find, m.replace));
  try {
    const t = run(dir, ['vitest', 'run', '--bail=1', ...m.killers]);
    if (!t.ok) return { status: 'killed', by: firstFailure(t.out) };
    if (m.fuzzRuns > 0) {
      const f = run(dir, ['tsx', 'test/fuzz/campaign.ts', '--property', 'symbolic-agreement', '--runs', String(m.fuzzRuns), '--seed', '7']);
      if (!f.ok) return { status: 'killed', by: `symbolic-agreement fuzz: ${/FAILED.*/.exec(f.out)?.[0] ?? 'failed'}` };
    }
    return { status: 'survived' };
  } finally {
    writeFileSync(path, text);
  }
}

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({ options: { mutant: { type: 'string', multiple: true } }, strict: true }));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\nusage: npm run mutation:code [-- --mutant ID]…\n`);
    return 2;
  }
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
    const clean = run(dir, ['vitest', 'run', ...suites]);
    if (!clean.ok) {
      process.stdout.write(`the suites fail without any fault (${firstFailure(clean.out)}): no mutant can be judged\n`);
      return 1;
    }
    const rows: [CodeMutant, Outcome, number][] = [];
    for (const m of CODE_MUTANTS.filter((x) => wanted.includes(x.id))) {
      const t0 = Date.now();
      const o = tryMutant(dir, m);
      rows.push([m, o, Date.now() - t0]);
      process.stdout.write(`${m.id}: ${o.status}${o.status === 'killed' ? ` by ${o.by}` : o.status === 'not applicable' ? ` (${o.why})` : ''} (${Math.round((Date.now() - t0) / 1000)} s)\n`);
    }
    const killed = rows.filter(([, o]) => o.status === 'killed').length;
    const applied = rows.filter(([, o]) => o.status !== 'not applicable').length;
    process.stdout.write(`\n${killed}/${applied} code mutants killed (${applied === 0 ? '-' : ((100 * killed) / applied).toFixed(0)}%)\n`);
    for (const [m, o] of rows) process.stdout.write(`  ${o.status.padEnd(14)} ${m.id.padEnd(34)} ${m.what}\n`);
    return killed === applied && applied === rows.length ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exit(main());
