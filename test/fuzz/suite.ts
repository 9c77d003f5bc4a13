// One vitest case that runs a fuzz property on a pinned seed in its `ci` profile (test/fuzz/properties),
// prints what it ran (cases, topologies, ends, models replayed …) and fails with the seed, the
// fast-check path and the shrunk case as a regression file (test/regressions/README.md).
import { expect, it } from 'vitest';
import { fuzzProperty } from './properties/index.ts';
import { formatCounts, runProperty } from './run.ts';

export function fuzzCase(name: string, runs: number, seed: number, timeoutMs: number): void {
  const p = fuzzProperty(name, 'ci');
  it(`${name}: ${p.checks} (${runs} cases, seed ${seed})`, { timeout: timeoutMs }, async () => {
    const r = await runProperty(p, { runs, seed });
    console.log(`${name}: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s (seed ${seed}, ci profile): ${formatCounts(r.counts)}`);
    expect(r.failure, r.failure ?? '').toBeNull();
    expect(r.cases).toBe(runs);
  });
}
