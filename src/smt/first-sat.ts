// The first of a list of conditions, in the list's order, that is satisfiable on its own, given that
// their disjunction is: found by halving the list (is the first half's disjunction satisfiable?), so
// k conditions cost about log2(k) solver checks. A model of the whole disjunction would name one
// too, but which one depends on the solver's state — what its instance was asked before — so the
// same question could name another condition in another run (`verify --jobs N` with another N);
// the first in order depends on the conditions alone.
// Guarantees: the index returned is that of a condition the solver's answers show satisfiable (a
// disjunction it found satisfiable, every condition before it in there found unsatisfiable), with
// every one before it unsatisfiable; null when a check timed out or gave up (the caller falls back).
import { checkSat } from './solve.ts';
import type { Ctx } from './z3.ts';
import type { Cond, Enc } from './cond.ts';

/** The index of the first satisfiable one of `conds` (whose disjunction the caller found satisfiable), or null when the solver did not answer. */
export async function firstSatisfiable(ctx: Ctx, e: Enc, conds: readonly Cond[], timeoutMs: number): Promise<number | null> {
  // Invariant: some condition in [lo, hi] is satisfiable, and none before lo is.
  let lo = 0;
  let hi = conds.length - 1;
  if (hi < 0) return null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = await checkSat(ctx, e, e.or(...conds.slice(lo, mid + 1)), timeoutMs);
    if (r.status === 'unknown') return null;
    if (r.status === 'sat') hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
