// `npm run bench:jobs [-- --size medium] [--jobs N] [--runs R] [--solver-timeout S]`: `netproof verify` of one
// generated size with `--jobs 1` and with `--jobs N` (default 2), each run a whole process of its own on the
// topology file (bench/cli-verify.ts: start-up, models, Z3, every built-in), alternated run by run (N first on
// every other pair) so that a busy spell of a shared machine weighs on both alike. Prints each run as it ends —
// wall, CPU (user + system of every thread, the workers included), peak RSS of the process, the load average at
// its start — then the medians and the ratios N / 1, and whether every run gave the same verdicts (summary,
// and property, subject and verdict of each result). On a shared machine read the CPU ratio first: wall time
// pays off only as far as cores are idle.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, scanArgs, sizeNamed } from './args.ts';
import { measureCliVerifyOf, type CliVerifyFigures } from './cli-verify.ts';
import { describeSize, generateTopologyText } from './generate.ts';
import { median } from './stats.ts';
import { ms } from './table.ts';

interface Sample {
  readonly f: CliVerifyFigures;
  readonly load: number;
}

/** What must not depend on the number of jobs: the summary and each result's property, subject and verdict. */
function verdicts(json: string): string {
  const j = JSON.parse(json) as { results: { property: string; subject: string; verdict: string }[]; summary: unknown };
  return JSON.stringify([j.summary, j.results.map((r) => [r.property, r.subject, r.verdict])]);
}

async function main(): Promise<void> {
  const v = scanArgs(process.argv.slice(2), { size: { type: 'string' }, jobs: { type: 'string' }, runs: { type: 'string' }, 'solver-timeout': { type: 'string' } });
  const size = sizeNamed(v.size ?? 'medium');
  const jobs = count('jobs', v.jobs ?? '2');
  const runs = count('runs', v.runs ?? '2');
  const timeoutS = count('solver-timeout', v['solver-timeout'] ?? '1800');
  const dir = mkdtempSync(join(tmpdir(), `netproof-bench-jobs-${process.pid}-`));
  try {
    const file = join(dir, `${size.name}.yaml`);
    writeFileSync(file, generateTopologyText(size));
    console.log(`netproof verify of ${size.name} (${describeSize(size)}) with --jobs 1 and --jobs ${jobs}, alternated, ${runs} run${runs === 1 ? '' : 's'} each`);
    const samples = new Map<number, Sample[]>([[1, []], [jobs, []]]);
    const seen = new Set<string>();
    for (let i = 0; i < runs; i++) {
      for (const n of i % 2 === 0 ? [jobs, 1] : [1, jobs]) {
        const load = loadavg()[0]!;
        const { figures: f, json } = measureCliVerifyOf(file, timeoutS, n);
        if (f.failure !== null || json === null) throw new Error(`--jobs ${n} run ${i + 1} failed: ${f.failure ?? 'no output'}`);
        seen.add(verdicts(json));
        samples.get(n)!.push({ f, load });
        const s = JSON.parse(json) as { summary: Record<string, number> };
        console.log(`run ${i + 1} --jobs ${n}: ${ms(f.wallMs)} ms wall, ${f.cpuMs === null ? '—' : ms(f.cpuMs)} ms CPU, peak RSS ${f.maxRssMiB === null ? '—' : f.maxRssMiB.toFixed(0)} MiB, exit ${f.exit}; ${JSON.stringify(s.summary)} (load ${load.toFixed(2)} at its start)`);
      }
    }
    const m = (n: number, k: 'wallMs' | 'cpuMs' | 'maxRssMiB') => median(samples.get(n)!.map((s) => s.f[k] ?? NaN));
    const loads = [...samples.values()].flat().map((s) => s.load);
    for (const n of [1, jobs]) console.log(`medians, --jobs ${n}: ${ms(m(n, 'wallMs'))} ms wall, ${ms(m(n, 'cpuMs'))} ms CPU, ${m(n, 'maxRssMiB').toFixed(0)} MiB peak RSS`);
    console.log(`ratio --jobs ${jobs} / --jobs 1: ${(m(jobs, 'wallMs') / m(1, 'wallMs')).toFixed(2)}× wall, ${(m(jobs, 'cpuMs') / m(1, 'cpuMs')).toFixed(2)}× CPU, ${(m(jobs, 'maxRssMiB') / m(1, 'maxRssMiB')).toFixed(2)}× peak RSS (load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} at the runs' starts)`);
    console.log(seen.size === 1 ? 'the same verdicts in every run' : `VERDICTS DIFFER between runs (${seen.size} different sets)`);
    if (seen.size !== 1) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
