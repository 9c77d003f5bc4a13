// `npm run fuzz -- --runs N [--seed S] [--property NAME] [--path P]`: a long fuzz campaign of one
// property (or each in turn), the full generator, with a progress line; on a failure, the seed, the
// fast-check path and the shrunk case as a regression file (test/fuzz/run.ts). Exit 0 when every
// case passed, 1 on a failure, 2 on bad arguments.
import { parseArgs } from 'node:util';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { fuzzProperties, fuzzProperty } from './properties/index.ts';
import { formatCounts, runProperty } from './run.ts';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run fuzz -- --runs N [--seed S] [--property NAME] [--path P]\nproperties: ${fuzzProperties('campaign').map((p) => p.name).join(', ')}\n`);
  process.exit(2);
}

const duration = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' }, property: { type: 'string' }, path: { type: 'string' } }, strict: true }));
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  const runs = Number(values.runs ?? '1000');
  if (!Number.isInteger(runs) || runs < 1) usage(`--runs must be a positive integer (got ${values.runs})`);
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
    process.stderr.write(`${p.name}: ${p.checks}\n${p.name}: ${runs} cases from seed ${seed}\n`);
    const t0 = Date.now();
    let last = 0;
    const tty = process.stderr.isTTY === true;
    const r = await runProperty(p, {
      runs, seed, ...(values.path !== undefined ? { path: values.path } : {}),
      onCase: (done, counts) => {
        const now = Date.now();
        if (tty || now - last > 30_000 || done === runs) {
          last = now;
          const left = ((now - t0) / done) * (runs - done);
          const line = `${p.name} ${done}/${runs} (${((100 * done) / runs).toFixed(1)}%) ${duration(now - t0)} elapsed, ~${duration(left)} left — ${formatCounts(counts)}`;
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
