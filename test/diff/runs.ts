// Each changed pair's `diff` answer under a setting of diff's switches (src/questions/diff.ts DiffHow),
// run once and kept for the test file's life: several comparisons that need the same run (every
// optimisation on, diff's default, held to each optimisation turned off in turn) share it. Settings
// are told apart by what they mean, not how they are spelled: an unset switch is its default.
import { runDiff, type DiffAnswer, type DiffHow } from '../../src/questions/diff.ts';
import { party, type ChangedPair } from './pairs.ts';

/** Every optimisation on: what `diff` runs when asked. */
export const ALL_ON: DiffHow = { incremental: true };

const kept = new WeakMap<ChangedPair, Map<string, Promise<DiffAnswer>>>();

/** The switches as they take effect (each optional one defaults to on: runDiff tests `=== false`). */
const meaning = (how: DiffHow) => JSON.stringify([how.incremental, how.prune !== false, how.classes !== false, how.cross !== false, how.split !== false, how.concrete !== false, how.forcedPort !== false, how.cutOnce !== false, how.questionPins !== false]);

/** The pair's answer under `how` (a fresh parse of both files, as any run), from the first time it was asked. */
export function answer(pair: ChangedPair, how: DiffHow): Promise<DiffAnswer> {
  let runs = kept.get(pair);
  if (runs === undefined) kept.set(pair, (runs = new Map()));
  const key = meaning(how);
  let a = runs.get(key);
  if (a === undefined) {
    a = (async () => {
      const t0 = performance.now();
      const r = await runDiff(party(pair.before)!, party(pair.after)!, { from: null, to: null, via: null }, 20_000, how);
      if (!r.ok) throw new Error(`diff refused a generated pair (${pair.what})`);
      if (process.env.DIFF_AGREEMENT_LOG) console.log(pair.what, key, Math.round(performance.now() - t0), 'ms');
      return r.value;
    })();
    runs.set(key, a);
  }
  return a;
}

/** The first `n` pairs of each kind of change, in drawn order. */
export function firstOfEachKind(pairs: readonly ChangedPair[], n: number): ChangedPair[] {
  const seen = new Map<string, number>();
  return pairs.filter((p) => {
    const k = (seen.get(p.kind) ?? 0) + 1;
    seen.set(p.kind, k);
    return k <= n;
  });
}
