// `npm run fuzz -- --runs N [--seed S] [--property NAME] [--path P] [--restart-solver-every K]`: a long
// fuzz campaign of one property (or each in turn), the full generator, with a progress line (with the
// process's RSS and what Z3 has allocated of its fixed WebAssembly heap); on a failure, the seed, the
// fast-check path and the shrunk case as a regression file (test/fuzz/run.ts). With K > 0, Z3's
// instance is started afresh every K checks, at the same checks in every run of a seed: each instance
// has a WebAssembly heap of its own, but an ended one stays resident (z3-solver's module is never
// released: measured 85-235 MiB of RSS per restart), so the default is 0 (never).
// Exit 0 when every case passed, 1 on a failure, 2 on bad arguments.
import { parseArgs } from 'node:util';
import { shutdownZ3, z3AllocatedBytes } from '../../src/smt/index.ts';
import { fuzzProperties, fuzzProperty } from './properties/index.ts';
import { formatCounts, runProperty } from './run.ts';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run fuzz -- --runs N [--seed S] [--property NAME] [--path P] [--restart-solver-every K]\nproperties: ${fuzzProperties('campaign').map((p) => p.name).join(', ')}\n`);
  process.exit(2);
}

/** Checks per Z3 instance by default: none (a restart frees Z3's heap but leaves the old instance resident). */
const RESTART_EVERY = 0;

const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;

/** The process's RSS and Z3's allocated share of its heap, for the progress line. */
async function memory(): Promise<string> {
  const z3 = await z3AllocatedBytes();
  return `rss ${mib(process.memoryUsage().rss)}, z3 ${z3 === null ? '-' : mib(z3)}`;
}

const duration = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' }, property: { type: 'string' }, path: { type: 'string' }, 'restart-solver-every': { type: 'string' } }, strict: true }));
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  const runs = Number(values.runs ?? '1000');
  if (!Number.isInteger(runs) || runs < 1) usage(`--runs must be a positive integer (got ${values.runs})`);
  const restartSolverEvery = Number(values['restart-solver-every'] ?? String(RESTART_EVERY));
  if (!Number.isInteger(restartSolverEvery) || restartSolverEvery < 0) usage(`--restart-solver-every must be a non-negative integer (got ${values['restart-solver-every']})`);
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  if (!Number.isInteger(seed)) usage(`--seed must be an integer (got ${values.seed})`);
  let props;
  try {
    props = values.property === undefined ? fuzzProperties('campaign') : [fuzzProperty(values.property, 'campaign')];
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  let failed = false;
  for (const p of props) {
    process.stderr.write(`${p.name}: ${p.checks}\n${p.name}: ${runs} cases from seed ${seed}, Z3 started afresh ${restartSolverEvery === 0 ? 'never' : `every ${restartSolverEvery} checks`}\n`);
    const t0 = Date.now();
    let last = 0;
    const tty = process.stderr.isTTY === true;
    const r = await runProperty(p, {
      runs, seed, restartSolverEvery, ...(values.path !== undefined ? { path: values.path } : {}),
      onCase: async (done, counts) => {
        const now = Date.now();
        if (tty || now - last > 30_000 || done === runs) {
          last = now;
          const left = ((now - t0) / done) * (runs - done);
          const line = `${p.name} ${done}/${runs} (${((100 * done) / runs).toFixed(1)}%) ${duration(now - t0)} elapsed, ~${duration(left)} left, ${await memory()} — ${formatCounts(counts)}`;
          process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
        }
      },
    });
    if (tty) process.stderr.write('\n');
    process.stdout.write(`${p.name}: ${r.cases} cases in ${duration(r.ms)} (seed ${seed}): ${formatCounts(r.counts)}\n`);
    if (r.failure !== null) {
      failed = true;
      process.stdout.write(`${r.failure}\n`);
    }
  }
  return failed ? 1 : 0;
}

const code = await main();
await shutdownZ3();
process.exit(code);
