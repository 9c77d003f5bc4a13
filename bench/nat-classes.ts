// `node --max-semi-space-size=64 [--trace-gc-nvp] --import tsx bench/nat-classes.ts FILE [--shard K/N] [--out JSON]`:
// nat-egress of one topology as `netproof verify FILE --select nat-egress` checks it (the same session, plan and
// checks, one thread), with a line on stderr at each port class explored — ms since the start (the clock
// `--trace-gc-nvp`'s lines use, so scavenges can be matched to classes), the process's CPU, the heap in use, the RSS —
// and at the end the cost per class from the second class's line to the last's (the first class makes its routers'
// surveys and `terminal` decisions): CPU, scavenges and their pauses (Node's `gc` performance entries, by the time
// they started), the heap's growth, the peak RSS. `--out` writes the JSON the CLI would print, to hold against it
// byte for byte. A measurement, not a test (docs/performance.md, nat-egress class by class).
import { writeFileSync } from 'node:fs';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { loadModel } from '../src/pipeline.ts';
import { Session } from '../src/answers/session.ts';
import { runVerifyOn, verifyRunJson } from '../src/answers/verify.ts';
import { shutdownZ3 } from '../src/smt/index.ts';
import { parseShard } from '../src/cli/verify-command.ts';
import { scanArgs } from './args.ts';

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1]!.startsWith('--')));
if (file === undefined) throw new Error('usage: nat-classes.ts FILE [--shard K/N] [--out JSON]');
const v = scanArgs(args.filter((a) => a !== file), { shard: { type: 'string' }, out: { type: 'string' } });
const shard = parseShard(v.shard);

/** Scavenges by the time they started (entries arrive late, when the event loop turns; their times are exact). */
const scavenges: { readonly at: number; readonly ms: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges.push({ at: e.startTime, ms: e.duration });
  }
}).observe({ entryTypes: ['gc'] });
const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const mib = (n: number): number => Math.round(n / 2 ** 20);
/** One line per class explored: when, the CPU so far, the heap and the RSS. */
const classes: { readonly at: number; readonly cpu: number; readonly heap: number }[] = [];
let peakRss = 0;
const note = (what: string): void => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  const at = performance.now();
  if (/port classes behind routers explored/.test(what)) classes.push({ at, cpu: cpu(), heap: m.heapUsed });
  process.stderr.write(`${at.toFixed(0)} ms, ${cpu().toFixed(2)} s cpu, heap ${mib(m.heapUsed)} MiB, rss ${mib(m.rss)} MiB: ${what}\n`);
};

const model = loadModel(file, { maxBytes: 64 * 2 ** 20 });
if (!model.ok) throw new Error(JSON.stringify(model.errors.slice(0, 3)));
note('model built');
const run = await runVerifyOn(new Session(model.value), { select: ['nat-egress'] }, { maxBytes: 64 * 2 ** 20 }, {
  step: (_i, _n, id) => note(`start ${id}`),
  subjects: (done, total, what) => note(`${done}/${total} ${what}`),
}, shard);
note('done');
await shutdownZ3();
if (!run.ok) throw new Error(JSON.stringify(run.errors.slice(0, 3)));
if (v.out !== undefined) writeFileSync(v.out, `${JSON.stringify(verifyRunJson(run.value, model.value.notes), null, 2)}\n`);
// Let the collector's entries arrive before they are counted.
await new Promise((r) => setTimeout(r, 100));
const [a, b] = [classes[1], classes.at(-1)];
if (a === undefined || b === undefined || a === b) process.stderr.write('fewer than three classes: no cost per class\n');
else {
  const n = classes.length - 2;
  const within = scavenges.filter((s) => s.at >= a.at && s.at < b.at);
  const pause = within.reduce((t, s) => t + s.ms, 0);
  process.stderr.write(`${n} classes after the first: ${(((b.cpu - a.cpu) / n) * 1000).toFixed(0)} ms cpu a class, ${(within.length / n).toFixed(2)} scavenges a class (${(pause / n).toFixed(0)} ms of pauses), heap ${mib(a.heap)} -> ${mib(b.heap)} MiB; peak rss ${mib(peakRss)} MiB (sampled at each line)\n`);
}
