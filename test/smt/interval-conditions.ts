// Random lists of conditions for the solver helpers' property tests (batch-unsat, first-sat): intervals
// lo ≤ x ≤ hi on one 8-bit variable, some empty (lo > hi: unsatisfiable), some not, and some already
// folded to `false` — the three kinds of condition those helpers must tell apart.
import fc from 'fast-check';
import type { Cond, Enc } from '../../src/smt/index.ts';

/** One item: an interval [lo, hi], or null for a condition folded to false. */
export type IntervalItem = readonly [number, number] | null;

/** Lists of 1 to 12 items. */
export const intervalLists: fc.Arbitrary<IntervalItem[]> = fc.array(
  fc.oneof(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })), fc.constant(null)),
  { minLength: 1, maxLength: 12 },
);

/** The items as conditions on `x`. */
export function intervalConds(e: Enc, x: Parameters<Enc['range']>[0], items: readonly IntervalItem[]): Cond[] {
  return items.map((it) => (it === null ? false : e.range(x, it[0], it[1], 8)));
}
