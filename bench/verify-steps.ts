// `node [--expose-gc] --import tsx bench/verify-steps.ts FILE [--out JSON] [--every S]`: verify-all of one topology
// file as `netproof verify FILE --format json` does it (the same session, plan and checks, one thread), with a line on
// stderr as each property starts and ends: wall and CPU seconds (user + system of the whole process, Z3's threads
// included), the heap in use and the RSS, and — with --expose-gc — the heap live after a full collection, so what a
// property leaves held shows between lines. Within a long property, its progress (subjects done) every `--every`
// seconds (default 30). `--select IDS` checks only those properties (as the CLI's); `--stop-after S` ends the run at the first progress line
// after S seconds (a sample of a long run, with `--cpu-prof` profiled); `--shard K/N` checks only that shard's subjects (as
// `verify --shard`: a hash of property and subject, so a sample of a property's subjects, the model whole). `--census` adds what the walkers did and hold (bench/walker-census.ts), and at the end
// what each kind of it held. `--out` writes the JSON the CLI would print, to hold against it byte for byte. A
// measurement, not a test; the collections it forces cost time, so read its CPU apart from an unforced run's.
// Each line also says the garbage collector's pauses so far (the main thread's, by Node's `gc` performance entries:
// scavenges and mark-compacts, count and seconds), and the first line the young generation's size in effect
// (V8's new space holds both semi-spaces: `--max-semi-space-size` or a worker's `maxYoungGenerationSizeMb` set it).
// Each line also says the solver's checks so far (count and the wall time Z3 took for them, on its own thread), so
// what a property spends in the solver shows apart from its walks: a property's lines with the same count of checks
// spent their time walking.
import diagnostics from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { loadModel } from '../src/pipeline.ts';
import { Session } from '../src/answers/session.ts';
import { runVerifyOn, verifyRunJson } from '../src/answers/verify.ts';
import { shutdownZ3 } from '../src/smt/index.ts';
import { CHECK_CHANNEL } from '../src/smt/z3.ts';
import { count, scanArgs } from './args.ts';
import { parseShard } from '../src/cli/verify-command.ts';
import { censusLine, installCensus, release } from './walker-census.ts';

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1]!.startsWith('--')));
if (file === undefined) throw new Error('usage: verify-steps.ts FILE [--out JSON] [--every S]');
const v = scanArgs(args.filter((a) => a !== file), { out: { type: 'string' }, every: { type: 'string' }, census: { type: 'boolean' }, select: { type: 'string' }, 'stop-after': { type: 'string' }, shard: { type: 'string' } });
const shard = parseShard(v.shard);
if (v.census === true) installCensus();
const everyMs = count('every', v.every ?? '30') * 1000;
const stopAfterMs = v['stop-after'] === undefined ? null : count('stop-after', v['stop-after']) * 1000;
const gc = (globalThis as { gc?: () => void }).gc;

const t0 = performance.now();
const c0 = process.cpuUsage();
const mb = (n: number) => (n / 2 ** 20).toFixed(0);
/** The collector's pauses so far: scavenges (minor) and the rest (mark-compact, incremental steps, weak callbacks). */
const pauses = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
/** The largest the new space (two semi-spaces) has been: what the young generation grew to, up to its limit. */
let newSpaceMax = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      pauses.minor++;
      pauses.minorMs += e.duration;
    } else {
      pauses.major++;
      pauses.majorMs += e.duration;
    }
  }
  const ns = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')?.space_size ?? 0;
  if (ns > newSpaceMax) newSpaceMax = ns;
}).observe({ entryTypes: ['gc'] });
/** The solver's checks so far: how many, and their wall time (each timed while it ran, z3.ts `runCheck`). */
const checks = { n: 0, ms: 0 };
diagnostics.subscribe(CHECK_CHANNEL, (m) => {
  checks.n++;
  checks.ms += (m as { ms: number }).ms;
});
const gcPart = () => `gc ${pauses.minor} scavenges ${(pauses.minorMs / 1000).toFixed(1)} s, ${pauses.major} other ${(pauses.majorMs / 1000).toFixed(1)} s, new space up to ${mb(newSpaceMax)} MiB`;
process.stderr.write(`node ${process.execArgv.join(' ')}\n`);
function line(what: string): void {
  const c = process.cpuUsage(c0);
  const mem = process.memoryUsage();
  let live = '';
  if (gc !== undefined) {
    gc();
    live = ` live ${mb(process.memoryUsage().heapUsed)} MiB`;
  }
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((c.user + c.system) / 1e6).toFixed(1)} s cpu, load ${loadavg()[0]!.toFixed(1)}] ${what}: heap ${mb(mem.heapUsed)} MiB, rss ${mb(mem.rss)} MiB${live}; ${gcPart()}; z3 ${checks.n} checks ${(checks.ms / 1000).toFixed(1)} s\n`);
  if (v.census === true) process.stderr.write(`    ${censusLine()}\n`);
}

const model = loadModel(file, { maxBytes: 64 * 2 ** 20 });
if (!model.ok) throw new Error(JSON.stringify(model.errors));
const session = new Session(model.value);
line('model built');
let lastTick = 0;
let current = '';
const run = await runVerifyOn(session, v.select === undefined ? {} : { select: [v.select] }, { maxBytes: 64 * 2 ** 20 }, {
  step: (i, n, id, results) => {
    line(`${current === '' ? 'start' : `${current} done`} (${results} results); ${id} (${i + 1} of ${n})`);
    current = id;
  },
  subjects: (done, total, what) => {
    const now = performance.now();
    if (now - lastTick < everyMs) return;
    lastTick = now;
    line(`  ${current}: ${done} of ${total} ${what}`);
    if (stopAfterMs !== null && now - t0 > stopAfterMs) {
      // A sample of a long run: exit here as a normal exit (so `--cpu-prof` writes its profile).
      process.stderr.write(`stopped after ${(stopAfterMs / 1000).toFixed(0)} s (--stop-after)\n`);
      process.exit(0);
    }
  },
}, shard);
line(`${current} done; all done`);
if (v.census === true && gc !== undefined) {
  // What the walkers still hold at the end, one kind at a time (each line's live heap against the one before).
  for (const what of ['memo', 'arp', 'crossings', 'walkers'] as const) {
    release(what);
    line(`released the walkers' ${what}`);
  }
}
await shutdownZ3();
if (!run.ok) throw new Error(JSON.stringify(run.errors));
if (v.out !== undefined) writeFileSync(v.out, `${JSON.stringify(verifyRunJson(run.value, model.value.notes), null, 2)}\n`);
const verdicts = new Map<string, number>();
for (const r of run.value.report.results) verdicts.set(r.verdict, (verdicts.get(r.verdict) ?? 0) + 1);
process.stderr.write(`${run.value.report.results.length} results: ${[...verdicts].map(([k, n]) => `${n} ${k}`).join(', ')}\n`);
