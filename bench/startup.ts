// The CLI's start-up as a user meets it: wall time of whole `netproof` processes (`--help`, and a
// `trace` and a `render` of the seed topology), medians of several runs, beside a bare `node` for the
// machine's own floor. Says whether the compiled build in dist/ ran or the sources did (the launcher
// falls back to the sources when dist/ is missing or stale; `npm run bench` builds it first), and the
// machine's load average before and after, since a shared machine's figures mean little without it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledEntry } from '../bin/freshness.mjs';
import { median } from './stats.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin', 'netproof.mjs');

export interface StartupFigures {
  readonly mode: 'compiled' | 'source';
  readonly runs: number;
  /** Median wall milliseconds per command line, by label. */
  readonly medians: readonly { readonly label: string; readonly ms: number }[];
  /** The 1-minute load average before and after the runs. */
  readonly load: readonly [number, number];
}

function wallMs(args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status ?? r.signal}`);
  return ms;
}

export function measureStartup(runs: number): StartupFigures {
  const out = mkdtempSync(join(tmpdir(), 'netproof-bench-render-'));
  const loadBefore = loadavg()[0]!;
  try {
    const lines: readonly (readonly [string, readonly string[]])[] = [
      ['node -e 0 (floor)', ['-e', '0']],
      ['netproof --help', [BIN, '--help']],
      ['netproof trace seed vm1 → vm4 tcp/22', [BIN, 'trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22']],
      ['netproof render seed', [BIN, 'render', 'topologies/seed.yaml', '--out', out]],
    ];
    // Interleaved, so that a busy spell of the machine spreads over every line instead of one.
    const samples = lines.map(() => [] as number[]);
    for (let i = 0; i < runs; i++) lines.forEach(([, args], j) => samples[j]!.push(wallMs(args)));
    return {
      mode: compiledEntry(root).fresh ? 'compiled' : 'source',
      runs,
      medians: lines.map(([label], j) => ({ label, ms: median(samples[j]!) })),
      load: [loadBefore, loadavg()[0]!],
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function formatStartup(f: StartupFigures): string {
  const width = Math.max(...f.medians.map((m) => m.label.length));
  return [
    `CLI start-up (${f.mode === 'compiled' ? 'compiled build in dist/' : 'from source: dist/ missing or stale'}; wall, median of ${f.runs} runs; load average ${f.load[0].toFixed(2)} before, ${f.load[1].toFixed(2)} after):`,
    ...f.medians.map((m) => `  ${m.label.padEnd(width)}  ${m.ms.toFixed(0).padStart(5)} ms`),
  ].join('\n');
}
