// Runs a fuzz property for N cases from a seed (fast-check, shrinking on failure) and reports what it
// counted; a failure is reported with the seed, the fast-check path and the shrunk case written as a
// regression file, ready to be saved under test/regressions/.
// Z3's WebAssembly heap is one fixed block that a long run in one instance fills (its allocations
// build up across cases): with `restartSolverEvery` N, the instance is ended and a fresh one started
// before every Nth check (first pass and shrinking alike), at the same checks in every run of a seed.
import fc from 'fast-check';
import { shutdownZ3 } from '../../src/smt/index.ts';
import type { Counts, FuzzProperty } from './property.ts';
import { formatRegression } from './regression-file.ts';

export interface RunOptions {
  readonly runs: number;
  readonly seed: number;
  /** A fast-check path: replay one case of a campaign (with its seed). */
  readonly path?: string;
  /** Called after each case of the first pass (not while shrinking). */
  readonly onCase?: (done: number, counts: Counts) => void | Promise<void>;
  /** End Z3's instance before every Nth check, so a fresh one serves the next N (none when absent or 0). */
  readonly restartSolverEvery?: number;
}

export interface RunReport {
  readonly property: string;
  /** Cases run before a failure (or all). */
  readonly cases: number;
  readonly counts: Counts;
  readonly ms: number;
  /** The failure report (seed, path, shrunk case as a regression file), or null. */
  readonly failure: string | null;
}

class CaseFailed extends Error {}

export async function runProperty<C>(p: FuzzProperty<C>, o: RunOptions): Promise<RunReport> {
  const counts: Counts = {};
  let cases = 0;
  let shrinking = false;
  let checks = 0;
  const every = o.restartSolverEvery ?? 0;
  const t0 = Date.now();
  const r = await fc.check(
    fc.asyncProperty(p.arbitrary, async (c) => {
      if (every > 0 && checks > 0 && checks % every === 0) await shutdownZ3();
      checks++;
      // Shrinking re-runs failing neighbours: their counts are not the campaign's.
      const mine: Counts = shrinking ? {} : counts;
      const why = await p.check(c, mine);
      if (!shrinking) {
        cases++;
        await o.onCase?.(cases, counts);
      }
      if (why !== null) {
        shrinking = true;
        throw new CaseFailed(why);
      }
    }),
    { numRuns: o.runs, seed: o.seed, ...(o.path !== undefined ? { path: o.path } : {}) },
  );
  const ms = Date.now() - t0;
  if (!r.failed) return { property: p.name, cases, counts, ms, failure: null };
  return { property: p.name, cases, counts, ms, failure: await failureReport(p, o.seed, r) };
}

async function failureReport<C>(p: FuzzProperty<C>, seed: number, r: fc.RunDetails<[C]>): Promise<string> {
  if (r.counterexample === null) {
    const err: unknown = r.errorInstance;
    return `${p.name} FAILED (seed ${seed}) without a counterexample: ${err instanceof Error ? err.message : String(err)}`;
  }
  const shrunk = r.counterexample[0];
  const err: unknown = r.errorInstance;
  const why = err instanceof CaseFailed ? err.message : `threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  const path = r.counterexamplePath ?? '';
  const file = formatRegression(p.name, p.toRegression(shrunk), [`seed: ${seed}`, `path: ${path}`, `found: ${why.split('\n')[0]}`]);
  return [
    `${p.name} FAILED after ${r.numRuns} cases (seed ${seed}, fast-check path "${path}", shrunk ${r.numShrinks} times)`,
    why,
    '',
    `Replay: npm run fuzz -- --property ${p.name} --seed ${seed} --path "${path}"`,
    `Keep it as a regression test: save the lines between the marks as test/regressions/${p.name}-${seed}.yaml`,
    '--8<--',
    file.trimEnd(),
    '--8<--',
  ].join('\n');
}

/** `12 topologies, 30 sources, …` in a stable order. */
export function formatCounts(c: Counts): string {
  return Object.entries(c).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ');
}
