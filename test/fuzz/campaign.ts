// `npm run fuzz -- --runs N [--seed S] [--property NAME] [--jobs J] [--batch B] [--from I] [--keep-going] [--no-shrink] [--path P]`:
// a long fuzz campaign of one property (or each in turn), the full generator. The seed's cases
// I..I+N-1 are cut into batches of B, each checked by a fresh child process, J at a time
// (test/fuzz/batches.ts): z3-solver never frees an ended instance and one instance grows over hundreds
// of cases, so a process per batch is what keeps memory flat; a seed's cases are the same whatever J
// and B. One progress line for the whole campaign (cases, time left, the children's RSS and Z3
// allocation); a summary with the cases covered, wall and CPU time and peak RSS per child; on a
// failure, the seed, the fast-check path and the shrunk case as a regression file (test/fuzz/run.ts),
// printed as soon as the child has shrunk it. `--keep-going` goes on past failures (test/fuzz/batches.ts);
// `--no-shrink` reports them as generated (a replay with --path shrinks one, unless --no-shrink is given
// there too). `--path P` replays one case in this process, as the failure report says.
// SIGINT/SIGTERM end the children and print what was covered, to resume with --from.
// Exit 0 when every case passed, 1 on a failure (or when stopped), 2 on bad arguments.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCampaign, type Progress } from './batches.ts';
import { fuzzProperties, fuzzProperty } from './properties/index.ts';
import { formatCounts, runProperty } from './run.ts';

const USAGE = 'usage: npm run fuzz -- --runs N [--seed S] [--property NAME] [--jobs J] [--batch B] [--from I] [--keep-going] [--no-shrink] [--path P]';

function usage(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\nproperties: ${fuzzProperties('campaign').map((p) => p.name).join(', ')}\n`);
  process.exit(2);
}

/** Cases per child by default: small enough that Z3's heap stays far from full (a child's peak RSS
 * was 0.5-0.7 GiB over 25 symbolic cases), large enough that a child's start (~2.3 s of CPU: tsx, the
 * pipeline, Z3's WebAssembly) is a few percent of its life (~1.5 s of CPU per symbolic case). */
const BATCH = 50;

const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;

const duration = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

const memoryOf = (p: Progress): string =>
  `children ${p.running.map((c) => (c.rssBytes === 0 ? 'starting' : `${mib(c.rssBytes)}${c.z3Bytes === null ? '' : ` (z3 ${mib(c.z3Bytes)})`}`)).join(', ') || '-'}, peak ${mib(p.peakRssBytes)}`;

const int = (v: string | undefined, fallback: number, name: string, min: number): number => {
  const n = Number(v ?? String(fallback));
  if (!Number.isInteger(n) || n < min) usage(`--${name} must be an integer >= ${min} (got ${v})`);
  return n;
};

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { runs: { type: 'string' }, seed: { type: 'string' }, property: { type: 'string' }, path: { type: 'string' }, jobs: { type: 'string' }, batch: { type: 'string' }, from: { type: 'string' }, 'keep-going': { type: 'boolean' }, 'no-shrink': { type: 'boolean' } },
      strict: true,
    }));
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  const runs = int(values.runs, 1000, 'runs', 1);
  const jobs = int(values.jobs, availableParallelism(), 'jobs', 1);
  const batch = int(values.batch, BATCH, 'batch', 1);
  const from = int(values.from, 0, 'from', 0);
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  if (!Number.isInteger(seed)) usage(`--seed must be an integer (got ${values.seed})`);
  let props;
  try {
    props = values.property === undefined ? fuzzProperties('campaign') : [fuzzProperty(values.property, 'campaign')];
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  if (values.path !== undefined) {
    if (props.length !== 1) usage('--path replays a case of one property: name it with --property');
    // A path "i" alone starts at case i: replay that one unless --runs says more.
    return replay(props[0]!, seed, values.path, values.runs === undefined ? 1 : runs, values['no-shrink'] !== true);
  }
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`\n${sig}: ending the children under way\n`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let failed = false;
  const tty = process.stderr.isTTY === true;
  for (const p of props) {
    if (abort.signal.aborted) break;
    process.stderr.write(`${p.name}: ${p.checks}\n${p.name}: cases ${from}..${from + runs - 1} of seed ${seed}, in batches of ${batch} cases, each in a fresh process, ${jobs} at a time\n`);
    const t0 = Date.now();
    let last = 0;
    const r = await runCampaign({
      property: p.name, seed, first: from, runs, batch, jobs, signal: abort.signal, keepGoing: values['keep-going'] === true, shrink: values['no-shrink'] !== true,
      onProgress: (pr) => {
        const now = Date.now();
        if (!tty && now - last < 30_000 && pr.done !== runs) return;
        last = now;
        const left = pr.done === 0 ? '?' : duration(((now - t0) / pr.done) * (runs - pr.done));
        const line = `${p.name} ${pr.done}/${runs} (${((100 * pr.done) / runs).toFixed(1)}%) ${duration(now - t0)} elapsed, ~${left} left, ${memoryOf(pr)} — ${formatCounts(pr.counts)}`;
        process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
      },
      onShrink: (i) => {
        process.stderr.write(`${tty ? '\r\x1b[K' : ''}${p.name}: shrinking case ${i} of seed ${seed}… (the failure is reported when it is shrunk)\n`);
      },
      onBatch: (b) => {
        if (!tty) process.stderr.write(`${p.name}: batch ${b.first}..${b.first + b.runs - 1} ${b.failure !== null ? 'FAILED' : b.stopped ? 'stopped' : 'passed'}: ${b.cases} cases in ${duration(b.ms)}, CPU ${duration(b.cpuMs)}, peak RSS ${mib(b.peakRssBytes)} (pid ${b.pid})\n`);
        // Now rather than only at the end: a long campaign's failure can be looked into while it runs.
        if (b.failure !== null) process.stderr.write(`${tty ? '\r\x1b[K' : ''}${b.failure}\n`);
      },
    });
    if (tty) process.stderr.write('\n');
    const covered = r.covered.map(([a, z]) => (z - a === 1 ? `${a}` : `${a}..${z - 1}`)).join(', ') || 'none';
    const rate = r.ms > 0 ? ((r.cases * 60_000) / r.ms).toFixed(1) : '-';
    process.stdout.write(
      `${p.name}: ${r.cases} cases in ${duration(r.ms)} (seed ${seed}; cases ${covered} passed${r.stopped ? '; stopped before the end' : ''}), ${rate} cases/min, CPU ${duration(r.cpuMs)}, ${r.batches.length} children (${jobs} at a time), peak RSS per child ${mib(r.peakRssBytes)}: ${formatCounts(r.counts)}\n`,
    );
    for (const f of r.failures) process.stdout.write(`${f}\n`);
    if (r.failures.length > 0 || r.stopped) failed = true;
  }
  return failed ? 1 : 0;
}

/** `--path`: one case of the seed (and its shrinking, unless `shrink` is false), in this process. */
async function replay(p: ReturnType<typeof fuzzProperty>, seed: number, path: string, runs: number, shrink: boolean): Promise<number> {
  process.stderr.write(`${p.name}: ${p.checks}\n${p.name}: replaying seed ${seed}, fast-check path "${path}"${shrink ? '' : ' (not shrunk)'}\n`);
  const r = await runProperty(p, { runs, seed, path, shrink, onShrink: (i) => { process.stderr.write(`${p.name}: shrinking case ${i} of seed ${seed}…\n`); } });
  process.stdout.write(`${p.name}: ${r.cases} cases in ${duration(r.ms)} (seed ${seed}, path "${path}"): ${formatCounts(r.counts)}\n`);
  if (r.failure !== null) process.stdout.write(`${r.failure}\n`);
  await shutdownZ3();
  return r.failure === null ? 0 : 1;
}

process.exit(await main());
