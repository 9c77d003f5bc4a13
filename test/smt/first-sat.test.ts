// firstSatisfiable (first-sat.ts): the first of a list of conditions, in order, that is satisfiable
// on its own, found by halving. Property-checked against one solver call per condition in order, over
// random lists of interval constraints on one 8-bit variable (some empty, some not, some folded to
// false) that hold at least one satisfiable condition.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { intervalConds, intervalLists } from './interval-conditions.ts';
import { checkSat, getZ3, shutdownZ3, Enc, type Cond } from '../../src/smt/index.ts';
import { firstSatisfiable } from '../../src/smt/first-sat.ts';

afterAll(async () => { await shutdownZ3(); });

describe('firstSatisfiable', () => {
  it('is the first condition a check of its own finds satisfiable (60 cases)', async () => {
    const ctx = await getZ3();
    const e = new Enc(ctx);
    const x = ctx.BitVec.const('first.x', 8);
    let cases = 0;
    let notFirst = 0;
    await fc.assert(
      fc.asyncProperty(intervalLists, fc.integer({ min: 0, max: 255 }), async (items, v) => {
        // One satisfiable condition at least (the caller's disjunction is satisfiable), at a random place.
        const all: Cond[] = intervalConds(e, x, items);
        const conds = [...all.slice(0, v % (all.length + 1)), e.range(x, v, v, 8), ...all.slice(v % (all.length + 1))];
        cases++;
        let want = -1;
        for (const [i, c] of conds.entries()) {
          if ((await checkSat(ctx, e, c, 10_000)).status === 'sat') {
            want = i;
            break;
          }
        }
        if (want > 0) notFirst++;
        expect(await firstSatisfiable(ctx, e, conds, 10_000)).toBe(want);
      }),
      { numRuns: 60, seed: 20261206 },
    );
    expect(cases).toBe(60);
    // Lists whose first satisfiable one is not the first, where the halving matters.
    expect(notFirst).toBeGreaterThan(10);
  });
});
