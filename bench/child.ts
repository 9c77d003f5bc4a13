// One size measured in a child process of its own (bench/run.ts --child SIZE): the child writes one JSON line per
// finished stage (pipeline, verify, each scenario of --failures as it ends, failures, query, cloud), synchronously;
// the parent collects them and says each on stderr as it arrives, so a run stopped during a long stage keeps what
// was measured before it. Shared by `npm run bench` and the HA ratio (bench/ha-ratio.ts).
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchSize } from './generate.ts';
import type { MeasureOptions, SizeFigures } from './measure.ts';
import type { FailuresFigures, QueryFigures, VerifyFigures } from './solver-phase.ts';
import type { CloudFigures } from './cloud.ts';
import { ms } from './table.ts';

/** What the child is told to measure. */
export interface ChildOptions extends MeasureOptions {
  /** Queried VM pairs (0: no query stage). */
  readonly queryPairs: number;
  readonly noSolver: boolean;
  /** Time each built-in property on its own too (a second verify pass). */
  readonly perProperty: boolean;
  /** Wall-clock budget of the child, in seconds. */
  readonly solverTimeoutS: number;
  /** How tenant networks are segmented (`--tenant`). */
  readonly tenant: 'vxlan' | 'vlan';
  /** Measure a cloud directory of the size against its topology file too (--no-cloud skips it). */
  readonly cloud: boolean;
  /** Every router an L3 HA router on two network nodes (`--ha`). */
  readonly ha: boolean;
  /** Also time `verify --failures N` (`--failures`, 0: not). */
  readonly failures: number;
}

/** Load, render, parse+assemble and converge: the model a question needs, built from the topology text. */
export const modelMs = (p: SizeFigures) => p.loadMs + p.renderMs + p.assembleMs + p.convergeMs;

export type Line =
  | { readonly kind: 'cloud'; readonly figures: CloudFigures }
  | { readonly kind: 'pipeline'; readonly figures: SizeFigures }
  | { readonly kind: 'verify'; readonly figures: VerifyFigures }
  | { readonly kind: 'scenario'; readonly done: number; readonly of: number; readonly ms: number; readonly cpuMs: number }
  | { readonly kind: 'failures'; readonly figures: FailuresFigures }
  | { readonly kind: 'query'; readonly figures: QueryFigures };

export interface Collected {
  pipeline: SizeFigures | null;
  verify: VerifyFigures | null;
  failures: FailuresFigures | null;
  query: QueryFigures | null;
  cloud: CloudFigures | null;
  /** Why the child stopped early, if it did. */
  failure: string | null;
}


/** Written with writeSync: an abort inside Z3 must not lose the lines already measured. */
export function emit(line: Line): void {
  writeSync(1, `${JSON.stringify(line)}\n`);
}


/** What a stage's line says as it arrives (to stderr, beside the table on stdout). */
function announce(size: string, line: Line): string {
  const load = `load ${loadavg()[0]!.toFixed(2)}`;
  switch (line.kind) {
    case 'pipeline': return `  ${size}: model built (load+render+parse+asm+converge ${ms(modelMs(line.figures))} ms)`;
    case 'verify': {
      const v = line.figures;
      return `  ${size}: verify ${ms(v.verifyMs)} ms wall, ${ms(v.verifyCpuMs)} ms CPU; ${v.results} results, ${v.violated} violated, ${v.unknown} unknown (${load})`;
    }
    case 'scenario': return `  ${size}: verify --failures: ${line.done} of ${line.of} scenarios done, ${ms(line.ms)} ms wall, ${ms(line.cpuMs)} ms CPU so far (${load})`;
    case 'failures': {
      const f = line.figures;
      return `  ${size}: verify --failures ${f.failures} (${f.scenarios} scenarios) ${ms(f.wallMs)} ms wall, ${ms(f.cpuMs)} ms CPU; ${f.results} results, ${f.violated} violated, ${f.unknown} unknown (${load})`;
    }
    case 'query': return `  ${size}: query p50 ${ms(line.figures.queryP50)} ms, p95 ${ms(line.figures.queryP95)} ms over ${line.figures.queries}`;
    case 'cloud': return `  ${size}: cloud directory measured`;
    default: { const never: never = line; throw new Error(`unknown line ${JSON.stringify(never)}`); }
  }
}

/** The size's child process: its stages' lines are collected, and announced on stderr as each arrives. */
export function measureInChild(a: ChildOptions, size: BenchSize): Promise<Collected> {
  const script = fileURLToPath(new URL('./run.ts', import.meta.url));
  const args = [
    '--child', size.name, '--tenant', a.tenant, '--runs', String(a.runs), '--pairs', String(a.tracePairs), '--queries', String(a.queryPairs),
    ...(a.noSolver ? ['--no-solver'] : []), ...(a.perProperty ? ['--per-property'] : []), ...(a.cloud ? [] : ['--no-cloud']),
    ...(a.ha ? ['--ha'] : []), ...(a.failures > 0 ? ['--failures', String(a.failures)] : []),
  ];
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const got: Collected = { pipeline: null, verify: null, failures: null, query: null, cloud: null, failure: null };
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-65536); });
  const timer = setTimeout(() => child.kill('SIGKILL'), a.solverTimeoutS * 1000);
  createInterface({ input: child.stdout }).on('line', (text) => {
    if (!text.startsWith('{')) return;
    const line = JSON.parse(text) as Line;
    console.error(announce(size.name, line));
    switch (line.kind) {
      case 'pipeline': got.pipeline = line.figures; break;
      case 'verify': got.verify = line.figures; break;
      case 'scenario': break;
      case 'failures': got.failures = line.figures; break;
      case 'query': got.query = line.figures; break;
      case 'cloud': got.cloud = line.figures; break;
      default: { const never: never = line; throw new Error(`unknown line ${JSON.stringify(never)}`); }
    }
  });
  return new Promise((resolve) => {
    child.on('error', (e) => { got.failure ??= e.message; });
    // 'close': every line of its stdout has been read.
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (status !== 0) {
        const why = signal === 'SIGKILL' ? `killed after ${a.solverTimeoutS} s` : `exit ${status ?? signal}`;
        const lastErr = stderr.split('\n').find((l) => /Error|Abort/.test(l)) ?? '';
        got.failure ??= `${why}${lastErr ? `: ${lastErr.trim().slice(0, 200)}` : ''}`;
      }
      resolve(got);
    });
  });
}
