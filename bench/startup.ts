// The CLI's start-up as a user meets it: wall time of whole `netproof` processes (`--help`, and a
// `trace` and a `render` of the seed topology), medians of several runs, beside a bare `node` for the
// machine's own floor, and on Linux their CPU time (user + system, from the kernel's count of waited-for
// children: 10 ms ticks), which a busy machine inflates less than wall time. Says whether the compiled
// build in dist/ ran, and the command lines from its code-cached scripts (bin/engine.cjs), or the sources did
// (the launcher falls back to the sources when dist/ is missing or stale; `npm run bench` builds it
// first), and the machine's load average before and after, since a shared machine's figures mean little
// without it. When NODE_EXTRA_CA_CERTS is set, Node reads and parses that bundle of certificates at every
// start, before any of netproof runs (tens of milliseconds for a system's whole bundle): the floor and the
// trace are then measured without it as well, so both the machine's figure and netproof's own are there.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledEntry } from '../bin/freshness.cjs';
import { HELP_ENGINE, HELP_ENGINE_CACHE, LIGHT_ENGINE, LIGHT_ENGINE_CACHE, loadEngine } from '../bin/engine.cjs';
import { median } from './stats.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin', 'netproof.cjs');

export interface StartupFigures {
  readonly mode: 'compiled' | 'source';
  /** With the compiled build: whether V8 took the code caches of its one-script CLIs (the full one, the light one, the help one). */
  readonly codeCache: boolean;
  readonly runs: number;
  /** Median wall milliseconds per command line, by label, and median CPU milliseconds where the platform tells. */
  readonly medians: readonly { readonly label: string; readonly ms: number; readonly cpuMs: number | null }[];
  /** The 1-minute load average before and after the runs. */
  readonly load: readonly [number, number];
  /** NODE_EXTRA_CA_CERTS as set in the environment the figures were taken in (null: unset). */
  readonly extraCaCerts: string | null;
}

/** CPU milliseconds of this process's waited-for children so far (Linux: /proc/self/stat's cutime + cstime), else null. */
function childrenCpuMs(): number | null {
  try {
    // The fields after the command name (which may hold spaces, hence from the last ')'): cutime and cstime are the 14th and 15th.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

function run(args: readonly string[], env: NodeJS.ProcessEnv): { ms: number; cpuMs: number | null } {
  const c0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore', env });
  const ms = performance.now() - t0;
  const c1 = childrenCpuMs();
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status ?? r.signal}`);
  return { ms, cpuMs: c0 === null || c1 === null ? null : c1 - c0 };
}

export function measureStartup(runs: number): StartupFigures {
  const out = mkdtempSync(join(tmpdir(), 'netproof-bench-render-'));
  const loadBefore = loadavg()[0]!;
  try {
    const trace = [BIN, 'trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22'];
    const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS ?? null;
    const { NODE_EXTRA_CA_CERTS: _certs, ...withoutCerts } = process.env;
    const lines: readonly (readonly [string, readonly string[], NodeJS.ProcessEnv])[] = [
      ['node -e 0 (floor)', ['-e', '0'], process.env],
      ['netproof --help', [BIN, '--help'], process.env],
      ['netproof trace seed vm1 → vm4 tcp/22', trace, process.env],
      ['netproof render seed', [BIN, 'render', 'topologies/seed.yaml', '--out', out], process.env],
      ...(extraCaCerts === null ? [] : [
        ['node -e 0, NODE_EXTRA_CA_CERTS unset', ['-e', '0'], withoutCerts] as const,
        ['netproof trace, NODE_EXTRA_CA_CERTS unset', trace, withoutCerts] as const,
      ]),
    ];
    // Interleaved, so that a busy spell of the machine spreads over every line instead of one.
    const samples = lines.map(() => [] as { ms: number; cpuMs: number | null }[]);
    for (let i = 0; i < runs; i++) lines.forEach(([, args, env], j) => samples[j]!.push(run(args, env)));
    const cpu = (s: readonly { cpuMs: number | null }[]) => (s.every((x) => x.cpuMs !== null) ? median(s.map((x) => x.cpuMs!)) : null);
    const compiled = compiledEntry(root).fresh;
    return {
      mode: compiled ? 'compiled' : 'source',
      codeCache: compiled && loadEngine(root)?.cached === true
        && [[LIGHT_ENGINE, LIGHT_ENGINE_CACHE], [HELP_ENGINE, HELP_ENGINE_CACHE]].every(([file, cache]) => loadEngine(root, { file: join(root, file!), cache: join(root, cache!) })?.cached === true),
      runs,
      medians: lines.map(([label], j) => ({ label, ms: median(samples[j]!.map((x) => x.ms)), cpuMs: cpu(samples[j]!) })),
      load: [loadBefore, loadavg()[0]!],
      extraCaCerts,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function formatStartup(f: StartupFigures): string {
  const width = Math.max(...f.medians.map((m) => m.label.length));
  const build = f.mode === 'compiled' ? `compiled build in dist/, ${f.codeCache ? 'code cache taken' : 'no code cache'}` : 'from source: dist/ missing or stale';
  return [
    `CLI start-up (${build}; medians of ${f.runs} runs; load average ${f.load[0].toFixed(2)} before, ${f.load[1].toFixed(2)} after):`,
    ...f.medians.map((m) => `  ${m.label.padEnd(width)}  ${m.ms.toFixed(0).padStart(5)} ms wall${m.cpuMs === null ? '' : `  ${m.cpuMs.toFixed(0).padStart(5)} ms CPU`}`),
    ...(f.extraCaCerts === null ? [] : [`  (NODE_EXTRA_CA_CERTS=${f.extraCaCerts}: Node reads those certificates at every start, before netproof runs; the last two lines run without it)`]),
  ].join('\n');
}
