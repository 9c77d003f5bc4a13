// `npm run bench:resident [-- --sizes large] [--queries N] [--traces N] [--repeat N]`: how fast a resident
// model (the library, `import { load } from 'netproof'`; `netproof serve` answers through it) answers, in
// process: the load (validate, render, parse back, assemble, converge), then concrete traces, then queries
// each asked for the first time on the model (its sender, destination and fields never asked before),
// then the same queries again (repeated). Every VM pair is drawn by a fixed sequence, so every run asks
// the same questions. Kinds of query: VM → VM tcp/22, VM → VM any packet, VM → the outside world tcp/443,
// the outside world → a floating IP tcp/22. Z3's start is timed apart (it is paid once per process).
// A measurement, never a test: run it with `nice -n 19` on a shared machine, and read medians and p95 with
// the load average printed beside them. `--dist` measures the compiled library in dist/ (what `import
// 'netproof'` loads; `npm run bench:resident` builds it first) instead of the TypeScript sources under tsx;
// either way the solver's checks are counted through the diagnostics channel `netproof:z3-check`.
import diagnostics from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { loadavg, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { QueryParams, load as Load } from '../src/index.ts';
import { CHECK_CHANNEL, getZ3 } from '../src/smt/z3.ts';
import { generateTopology, type BenchSize } from './generate.ts';
import { count, scanArgs, sizesNamed } from './args.ts';
import { median, percentile, samplePairs, timed, timedAsync } from './stats.ts';

interface Args {
  readonly sizes: readonly BenchSize[];
  /** Measure the compiled library (dist/) rather than the sources under tsx. */
  readonly dist: boolean;
  readonly queries: number;
  readonly traces: number;
  readonly repeat: number;
}

function parseArgs(argv: readonly string[]): Args {
  const v = scanArgs(argv, { sizes: { type: 'string' }, queries: { type: 'string' }, traces: { type: 'string' }, repeat: { type: 'string' }, dist: { type: 'boolean' } });
  return {
    sizes: sizesNamed(v.sizes ?? 'large'),
    dist: v.dist === true,
    queries: count('queries', v.queries ?? '40'),
    traces: count('traces', v.traces ?? '200'),
    repeat: count('repeat', v.repeat ?? '1'),
  };
}

/** Wall and CPU milliseconds (the process's user+system time, Z3's threads included) of one call. */
async function clocked<T>(fn: () => T | Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

const f = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const stats = (xs: readonly number[]) => `p50 ${f(median(xs))} ms, p95 ${f(percentile(xs, 95))} ms, max ${f(Math.max(...xs))} ms (n=${xs.length})`;
const load1 = () => loadavg()[0]!.toFixed(1);

export interface ResidentFigures {
  readonly size: string;
  readonly vms: number;
  readonly loadMs: number;
  readonly loadCpuMs: number;
  readonly firstTraceMs: number;
  readonly traceMs: readonly number[];
  readonly traceCpuMs: readonly number[];
  readonly z3StartMs: number;
  /** Per kind: first-time latencies (the first of them the first query of the process) and repeated ones. */
  readonly queries: Readonly<Record<string, { first: readonly number[]; firstCpu: readonly number[]; firstSolver: readonly number[]; checks: number; repeated: readonly number[]; repeatedCpu: readonly number[]; verdicts: Record<string, number> }>>;
}

/** The library's `load`: from dist/ (refusing a build older than the sources), or from the sources. */
async function library(dist: boolean): Promise<typeof Load> {
  if (!dist) return (await import('../src/index.ts')).load;
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const { compiledEntry, LIBRARY_ENTRY } = createRequire(import.meta.url)('../bin/freshness.cjs') as { compiledEntry(root: string, entry: string): { fresh: boolean; entry: string }; LIBRARY_ENTRY: string };
  const compiled = compiledEntry(root, LIBRARY_ENTRY);
  if (!compiled.fresh) throw new Error('dist/ is missing or older than the sources: run `npm run build` first');
  return ((await import(pathToFileURL(compiled.entry).href)) as { load: typeof Load }).load;
}

/** Every check of every Z3 instance, as the channel tells them (the library's own counter is not reachable in dist/). */
const checksMade = { count: 0, ms: 0 };
diagnostics.subscribe(CHECK_CHANNEL, (m) => {
  checksMade.count++;
  checksMade.ms += (m as { ms: number }).ms;
});

async function measure(size: BenchSize, a: Args, load: typeof Load): Promise<ResidentFigures> {
  const topology = generateTopology(size);
  const loaded = await clocked(() => load({ topology, name: `bench:${size.name}` }));
  if (!loaded.value.ok) throw new Error(JSON.stringify(loaded.value.errors.slice(0, 3)));
  const np = loaded.value.value;
  try {
    const vms = np.model.topology.vms;
    const fips = np.model.topology.floatingIps;
    const name = (i: number) => vms[i]!.name;
    const firstTrace = timed(() => np.trace({ from: name(0), to: name(1), proto: 'tcp', dport: 22 }));
    if (!firstTrace.value.ok) throw new Error(JSON.stringify(firstTrace.value.errors));
    const traceMs: number[] = [];
    const traceCpuMs: number[] = [];
    for (const [i, j] of samplePairs(vms.length, a.traces)) {
      const t = await clocked(() => np.trace({ from: name(i), to: name(j), proto: 'tcp', dport: 22 }));
      if (!t.value.ok) throw new Error(JSON.stringify(t.value.errors));
      traceMs.push(t.ms);
      traceCpuMs.push(t.cpuMs);
    }
    // Z3's start, timed apart. The compiled library starts its own Z3 at its first question (its modules
    // are not the sources'): one query no kind below asks (tcp/80) pays it there.
    const z3 = await timedAsync(async () => { if (a.dist) await np.query({ from: name(0), to: name(1), proto: 'tcp', dport: 80 }); else await getZ3(); });
    // The solver's share: wall time inside Z3's checks (on its worker thread), summed per question,
    // counted by every instance the model uses (it renews Z3 once an instance has used half its heap).
    const solverClock = { get ms() { return checksMade.ms; }, get checks() { return checksMade.count; } };
    // Distinct pairs per kind, drawn from one sequence so that no two kinds share a sender by design.
    const pairs = samplePairs(vms.length, a.queries * 3);
    const kinds: Record<string, QueryParams[]> = {
      'vm→vm tcp/22': pairs.slice(0, a.queries).map(([i, j]) => ({ from: name(i), to: name(j), proto: 'tcp', dport: 22 })),
      'vm→vm any': pairs.slice(a.queries, 2 * a.queries).map(([i, j]) => ({ from: name(i), to: name(j) })),
      'vm→outside tcp/443': pairs.slice(2 * a.queries).map(([i]) => ({ from: name(i), to: '8.8.8.8', proto: 'tcp', dport: 443 })),
      'outside→fip tcp/22': fips.slice(0, a.queries).map((fip) => ({ from: '203.0.113.7', to: fip.ip, proto: 'tcp', dport: 22 })),
    };
    const queries: Record<string, { first: number[]; firstCpu: number[]; firstSolver: number[]; checks: number; repeated: number[]; repeatedCpu: number[]; verdicts: Record<string, number> }> = {};
    for (const [kind, list] of Object.entries(kinds)) {
      const first: number[] = [];
      const firstCpu: number[] = [];
      const firstSolver: number[] = [];
      const checks0 = solverClock.checks;
      const verdicts: Record<string, number> = {};
      for (const p of list) {
        const solver0 = solverClock.ms;
        const q = await clocked(() => np.query(p));
        firstSolver.push(solverClock.ms - solver0);
        if (!q.value.ok) throw new Error(`${kind} ${JSON.stringify(p)}: ${JSON.stringify(q.value.errors)}`);
        verdicts[q.value.value.verdict] = (verdicts[q.value.value.verdict] ?? 0) + 1;
        first.push(q.ms);
        firstCpu.push(q.cpuMs);
      }
      const repeated: number[] = [];
      const repeatedCpu: number[] = [];
      for (let r = 0; r < a.repeat; r++) {
        for (const p of list) {
          const q = await clocked(() => np.query(p));
          repeated.push(q.ms);
          repeatedCpu.push(q.cpuMs);
        }
      }
      queries[kind] = { first, firstCpu, firstSolver, checks: solverClock.checks - checks0, repeated, repeatedCpu, verdicts };
    }
    return { size: size.name, vms: vms.length, loadMs: loaded.ms, loadCpuMs: loaded.cpuMs, firstTraceMs: firstTrace.ms, traceMs, traceCpuMs, z3StartMs: z3.ms, queries };
  } finally {
    await np.close();
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const cpu = cpus();
  const load = await library(a.dist);
  console.log(`netproof bench:resident — ${a.dist ? 'the compiled library (dist/)' : 'the sources under tsx'}; node ${process.version}, ${cpu.length} cores (${cpu[0]?.model ?? 'unknown'}); load average at start ${load1()}`);
  for (const size of a.sizes) {
    const r = await measure(size, a, load);
    console.log(`\n${r.size} (${r.vms} VMs): load ${f(r.loadMs)} ms, ${f(r.loadCpuMs)} ms CPU (validate, render, parse back, assemble, converge, gateway ARP); first trace ${f(r.firstTraceMs)} ms`);
    console.log(`  trace tcp/22 (concrete):       wall ${stats(r.traceMs)}`);
    console.log(`  ${''.padEnd(30)} cpu  ${stats(r.traceCpuMs)}`);
    console.log(`  Z3 start (once per process):   ${f(r.z3StartMs)} ms${a.dist ? ', with one query (vm → vm tcp/80)' : ''}`);
    for (const [kind, q] of Object.entries(r.queries)) {
      const v = Object.entries(q.verdicts).map(([k, n]) => `${n} ${k}`).join(', ');
      console.log(`  query ${kind.padEnd(20)} first-time wall ${stats(q.first)}; first of all ${f(q.first[0]!)} ms`);
      console.log(`  ${''.padEnd(26)} first-time cpu  ${stats(q.firstCpu)}`);
      console.log(`  ${''.padEnd(26)} of which in Z3  ${stats(q.firstSolver)} (${q.checks} checks, first-time and repeated)`);
      console.log(`  ${''.padEnd(26)} repeated wall   ${stats(q.repeated)}  [${v}]`);
      console.log(`  ${''.padEnd(26)} repeated cpu    ${stats(q.repeatedCpu)}`);
    }
    console.log(`  load average at the end ${load1()}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  }
}

await main();
