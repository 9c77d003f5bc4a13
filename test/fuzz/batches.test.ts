// A campaign's seed means the same cases whatever the batching (test/fuzz/batches.ts): a batch that
// starts at case i (fast-check path "i") generates exactly the topologies a run of the whole seed
// generates from its case i on, a failure's path names the case's index in the whole seed, and
// batches run in child processes add up to what one process counts for the same seed.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { remainderAfter, runCampaign, splitCases } from './batches.ts';
import { fuzzProperty } from './properties/index.ts';
import type { FuzzProperty } from './property.ts';
import { runProperty } from './run.ts';
import { countUnknown, unknownCause, zeroCounts } from './agreement.ts';
import type { SymbolicCase } from './properties/symbolic-agreement.ts';

const SEED = 4242;
const RUNS = 10;

/** The campaign's own arbitrary, with a check that records each case's topology (and fails on `failOn`). */
function recorder(seen: string[], failOn?: string): FuzzProperty<SymbolicCase> {
  const real = fuzzProperty('symbolic-agreement', 'campaign') as unknown as FuzzProperty<SymbolicCase>;
  return {
    ...real,
    check: async (c) => {
      seen.push(c.g.yaml);
      return c.g.yaml === failOn ? 'the recorded case' : null;
    },
  };
}

describe('fuzz campaigns in batches', () => {
  afterAll(shutdownZ3);

  it('splits cases first..first+runs-1 into batches, the last one shorter', () => {
    expect(splitCases(0, 10, 4)).toEqual([{ first: 0, runs: 4 }, { first: 4, runs: 4 }, { first: 8, runs: 2 }]);
    expect(splitCases(100, 3, 5)).toEqual([{ first: 100, runs: 3 }]);
    expect(splitCases(7, 2, 1)).toEqual([{ first: 7, runs: 1 }, { first: 8, runs: 1 }]);
  });

  it('past a failure (--keep-going), the cases of its batch after the failing one are queued again, and only those', () => {
    const b = { first: 3188, runs: 50 };
    expect(remainderAfter(b, 3229)).toEqual({ first: 3230, runs: 8 });
    expect(remainderAfter(b, 3188)).toEqual({ first: 3189, runs: 49 });
    // The batch's last case failed, or nothing failed: nothing is left.
    expect(remainderAfter(b, 3237)).toBeNull();
    expect(remainderAfter(b, null)).toBeNull();
  });

  it(`batches of a seed generate the topologies one run of it does (seed ${SEED}, ${RUNS} cases)`, async () => {
    const whole: string[] = [];
    const r = await runProperty(recorder(whole), { runs: RUNS, seed: SEED });
    expect(r.cases).toBe(RUNS);
    expect(new Set(whole).size).toBeGreaterThan(RUNS / 2);
    const batched: string[] = [];
    for (const b of splitCases(0, RUNS, 3)) {
      const part: string[] = [];
      await runProperty(recorder(part), { runs: b.runs, seed: SEED, path: String(b.first) });
      expect(part).toHaveLength(b.runs);
      batched.push(...part);
    }
    expect(batched).toEqual(whole);
    // The same seed's cases differ from another seed's: the comparison can fail.
    const other: string[] = [];
    await runProperty(recorder(other), { runs: RUNS, seed: SEED + 1 });
    expect(other).not.toEqual(whole);
  });

  it('a failure found in a batch is reported with its index in the whole seed', async () => {
    const whole: string[] = [];
    await runProperty(recorder(whole), { runs: RUNS, seed: SEED });
    const target = 7;
    const shrinking: number[] = [];
    const r = await runProperty(recorder([], whole[target]), { runs: 4, seed: SEED, path: '6', onShrink: (i) => { shrinking.push(i); } });
    expect(r.failurePath?.split(':')[0]).toBe(String(target));
    // Said once, when shrinking starts, with the same index.
    expect(shrinking).toEqual([target]);
    expect(r.failure).toContain(`FAILED on case ${target} of seed ${SEED}`);
    // The printed path replays it: it starts at that case.
    const again: string[] = [];
    await runProperty(recorder(again), { runs: 1, seed: SEED, path: String(target) });
    expect(again).toEqual([whole[target]]);
  });

  it('without shrinking (--no-shrink), a failure is reported as generated, its path the case alone', async () => {
    const whole: string[] = [];
    await runProperty(recorder(whole), { runs: RUNS, seed: SEED });
    const target = 5;
    const shrinking: number[] = [];
    const seen: string[] = [];
    const r = await runProperty(recorder(seen, whole[target]), { runs: 4, seed: SEED, path: '4', shrink: false, onShrink: (i) => { shrinking.push(i); } });
    expect(r.failurePath).toBe(String(target));
    expect(r.failure).toContain(`FAILED on case ${target} of seed ${SEED}`);
    expect(r.failure).toContain('not shrunk');
    expect(shrinking).toEqual([]);
    // Cases 4 and 5 only: nothing after the failure, no neighbour re-checked.
    expect(seen).toEqual([whole[4], whole[5]]);
  });

  it('names the cause of each unknown, as the campaign summary splits them', () => {
    expect(['solver: timeout', 'solver: canceled', 'solver: (incomplete quantifiers)', 'budget: the walk from vm1:0 listed more than 1000000 path ends and was stopped (branches that keep splitting)',
      'path longer than 64 devices at h/br-int', 'evaluator: path longer than 64 device visits: not followed further', 'h/qrouter-x: ARP for 10.0.0.5: unsupported action learn',
    ].map(unknownCause)).toEqual(['solver timeout', 'solver timeout', 'solver unknown', 'walk budget', 'depth bound', 'depth bound', 'not modelled']);
    const c = zeroCounts();
    countUnknown(c, 'solver: timeout');
    countUnknown(c, 'solver: timeout');
    countUnknown(c, 'evaluator: uncertain: unsupported flow');
    expect([c.unknown, c.unknownBy]).toEqual([3, { 'solver timeout': 2, 'evaluator uncertain': 1 }]);
  });

  it('child processes, two at a time, count what one process counts for the same seed (concrete-agreement, 3 cases)', { timeout: 240_000 }, async () => {
    const one = await runProperty(fuzzProperty('concrete-agreement', 'campaign'), { runs: 3, seed: 11 });
    const r = await runCampaign({ property: 'concrete-agreement', seed: 11, first: 0, runs: 3, batch: 1, jobs: 2 });
    console.log(`concrete-agreement seed 11: one process ${JSON.stringify(one.counts)}; 3 children ${JSON.stringify(r.counts)}, peak RSS ${Math.round(r.peakRssBytes / 2 ** 20)} MiB`);
    expect(r.failures).toEqual([]);
    expect(r.batches).toHaveLength(3);
    expect(new Set(r.batches.map((b) => b.pid)).size).toBe(3);
    expect(r.covered).toEqual([[0, 3]]);
    expect(r.cases).toBe(3);
    expect(r.counts).toEqual(one.counts);
    expect(r.peakRssBytes).toBeGreaterThan(0);
    expect(r.cpuMs).toBeGreaterThan(0);
  });
});
