// unsatIndices (solve.ts): which of many conditions are unsatisfiable, asked in batches and halved
// only where something is satisfiable. Property-checked against one solver call per condition, over
// random lists of interval constraints on one 8-bit variable (some empty, some not, some folded to
// false), with batch sizes from 1 to larger than the list.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { intervalConds, intervalLists } from './interval-conditions.ts';
import { checkSat, getZ3, shutdownZ3, unsatIndices, Enc, type Cond } from '../../src/smt/index.ts';

afterAll(async () => { await shutdownZ3(); });

describe('unsatIndices', () => {
  it('reports exactly the unsatisfiable conditions, whatever the batch size (60 cases)', async () => {
    const ctx = await getZ3();
    const e = new Enc(ctx);
    const x = ctx.BitVec.const('batch.x', 8);
    let cases = 0;
    let mixed = 0;
    await fc.assert(
      fc.asyncProperty(intervalLists, fc.integer({ min: 1, max: 16 }), async (items, batch) => {
        cases++;
        const conds: Cond[] = intervalConds(e, x, items);
        const got = await unsatIndices(ctx, e, conds, 10_000, batch);
        const want = new Set<number>();
        for (const [i, c] of conds.entries()) if ((await checkSat(ctx, e, c, 10_000)).status === 'unsat') want.add(i);
        if (want.size > 0 && want.size < conds.length) mixed++;
        expect([...got].sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b));
      }),
      { numRuns: 60, seed: 20261126 },
    );
    expect(cases).toBe(60);
    // Lists with both kinds, where the halving matters.
    expect(mixed).toBeGreaterThan(10);
  });
});
