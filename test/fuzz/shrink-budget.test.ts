// A failing case's shrink ends within its budget (test/fuzz/run.ts): past it the neighbours left pass
// unchecked, fast-check ends on the smallest failure found so far, and the report says the shrink was
// stopped. Without a budget a symbolic case's shrink (seconds to a minute per step) ran past half an
// hour. Checked on a toy property that fails on any non-empty list and takes a few milliseconds a case.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runProperty } from './run.ts';
import type { FuzzProperty } from './property.ts';

const slowFailing: FuzzProperty<number[]> = {
  name: 'toy',
  checks: 'fails on any non-empty list',
  arbitrary: fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 8, maxLength: 8 }),
  async check(c) {
    await new Promise((r) => setTimeout(r, 3));
    return c.length > 0 ? 'a non-empty list' : null;
  },
  toRegression: (c) => ({ topology: `# ${c.join(' ')}\n{}\n`, args: {} }),
  fromRegression: () => [],
};

const shrinks = (report: string | null): number => Number(/shrunk (\d+) times/.exec(report ?? '')?.[1] ?? NaN);

describe('the shrink of a failing case', () => {
  it('shrinks fully within a budget it does not reach', async () => {
    const r = await runProperty(slowFailing, { runs: 5, seed: 7 });
    expect(r.failure).toMatch(/shrunk \d+ times\)/);
    expect(r.failure).not.toMatch(/stopped by its budget/);
    expect(shrinks(r.failure)).toBeGreaterThan(0);
  });

  it('stops at its budget and says so, reporting the smallest failure found so far', async () => {
    const r = await runProperty(slowFailing, { runs: 5, seed: 7, shrinkMs: 0 });
    expect(r.failure).toMatch(/shrunk 0 times, then stopped by its budget of 0 s: smaller failing cases may exist/);
    expect(r.failurePath).not.toBeNull();
  });
});
