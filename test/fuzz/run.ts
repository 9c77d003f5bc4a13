// Runs a fuzz property for N cases from a seed (fast-check, shrinking on failure) and reports what it
// counted; a failure is reported with the seed, the fast-check path and the shrunk case written as a
// regression file, ready to be saved under test/regressions/.
// Case i of a seed depends on the seed and i only: fast-check derives each case's random stream by
// jumping the seed's generator i+1 times and biases it by i alone, and a `path` of "i" starts a run at
// case i without generating cases 0..i-1 (fast-check's `lazyToss` and `pathWalk`). So a run of
// `{ path: "i", runs: n }` checks exactly cases i..i+n-1 of a run of the whole seed — what lets
// test/fuzz/batches.ts split a campaign over child processes — and a failure's path is absolute.
import fc from 'fast-check';
import type { Counts, FuzzProperty } from './property.ts';
import { formatRegression } from './regression-file.ts';

export interface RunOptions {
  readonly runs: number;
  readonly seed: number;
  /** A fast-check path: replay one case of a campaign (with its seed); "i" alone starts at case i. */
  readonly path?: string;
  /** Called after each case of the first pass (not while shrinking). */
  readonly onCase?: (done: number, counts: Counts) => void | Promise<void>;
  /** Called once when a case fails and its shrinking starts, with the case's index in the seed. */
  readonly onShrink?: (caseIndex: number) => void | Promise<void>;
  /** false: report a failing case as generated, without shrinking it (a shrink re-checks many
   * neighbours, minutes of CPU for a symbolic case; an unattended campaign can leave it to a replay). */
  readonly shrink?: boolean;
  /** How long a shrink may run (ms; default SHRINK_BUDGET_MS): past it the neighbours left are not
   * checked, and the smallest failing case found so far is reported, saying so. */
  readonly shrinkMs?: number;
}

/** A shrink's default budget: each step re-checks a case (seconds to a minute for a symbolic one), and
 * an unbounded shrink of a large case was seen running past half an hour. */
export const SHRINK_BUDGET_MS = 10 * 60_000;

export interface RunReport {
  readonly property: string;
  /** Cases run before a failure (or all). */
  readonly cases: number;
  readonly counts: Counts;
  readonly ms: number;
  /** The failure report (seed, path, shrunk case as a regression file), or null. */
  readonly failure: string | null;
  /** The fast-check path of the failing case (absolute: its first number is the case's index), or null. */
  readonly failurePath: string | null;
}

class CaseFailed extends Error {}

export async function runProperty<C>(p: FuzzProperty<C>, o: RunOptions): Promise<RunReport> {
  const counts: Counts = {};
  let cases = 0;
  let shrinking = false;
  let shrinkStart = 0;
  let budgetSpent = false;
  const budget = o.shrinkMs ?? SHRINK_BUDGET_MS;
  // The index of the run's first case in the seed (a path's first number).
  const start = o.path === undefined ? 0 : Number(o.path.split(':')[0]) || 0;
  const startShrinking = async (index: number) => {
    if (shrinking || o.shrink === false) return;
    shrinking = true;
    shrinkStart = Date.now();
    await o.onShrink?.(index);
  };
  const t0 = Date.now();
  const r = await fc.check(
    fc.asyncProperty(p.arbitrary, async (c) => {
      // Past the budget a neighbour passes unchecked: fast-check then ends on the smallest failure so far.
      if (shrinking && Date.now() - shrinkStart >= budget) { budgetSpent = true; return; }
      // Shrinking re-runs failing neighbours: their counts are not the campaign's.
      const mine: Counts = shrinking ? {} : counts;
      let why: string | null;
      try {
        why = await p.check(c, mine);
      } catch (e) {
        await startShrinking(start + cases);
        throw e;
      }
      if (!shrinking) {
        cases++;
        await o.onCase?.(cases, counts);
        if (why !== null) await startShrinking(start + cases - 1);
      }
      if (why !== null) throw new CaseFailed(why);
    }),
    { numRuns: o.runs, seed: o.seed, endOnFailure: o.shrink === false, ...(o.path !== undefined ? { path: o.path } : {}) },
  );
  const ms = Date.now() - t0;
  if (!r.failed) return { property: p.name, cases, counts, ms, failure: null, failurePath: null };
  return { property: p.name, cases, counts, ms, failure: await failureReport(p, o.seed, r, o.shrink === false ? 'no' : budgetSpent ? budget : 'yes'), failurePath: r.counterexamplePath ?? null };
}

/** `shrunk`: 'yes', 'no' (not shrunk), or the budget (ms) that stopped the shrink. */
async function failureReport<C>(p: FuzzProperty<C>, seed: number, r: fc.RunDetails<[C]>, shrunk: 'yes' | 'no' | number): Promise<string> {
  if (r.counterexample === null) {
    const err: unknown = r.errorInstance;
    return `${p.name} FAILED (seed ${seed}) without a counterexample: ${err instanceof Error ? err.message : String(err)}`;
  }
  const smallest = r.counterexample[0];
  const err: unknown = r.errorInstance;
  const why = err instanceof CaseFailed ? err.message : `threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  const path = r.counterexamplePath ?? '';
  const file = formatRegression(p.name, p.toRegression(smallest), [`seed: ${seed}`, `path: ${path}`, `found: ${why.split('\n')[0]}`]);
  return [
    `${p.name} FAILED on case ${path.split(':')[0]} of seed ${seed} (counted from 0; fast-check path "${path}", ${shrunk === 'yes' ? `shrunk ${r.numShrinks} times` : shrunk === 'no' ? 'not shrunk: the replay below shrinks it' : `shrunk ${r.numShrinks} times, then stopped by its budget of ${Math.round(shrunk / 1000)} s: smaller failing cases may exist`})`,
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
