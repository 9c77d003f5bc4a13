// `diff` asks its questions of one incremental solver per sender; held here to the straightforward
// way (a fresh solver given the whole condition for every check) on random topologies
// (netproof/testing) and a random change to each (test/diff/changes.ts: a group rule added or
// removed, an extra route, a floating IP removed or moved, a port's port security). Both must give
// the same verdict, the same senders with the same places and unknowns, and the same differences:
// per sender and place, packets gained, lost or translated; where both list only exact classes, the
// same classes. The witnesses may differ (another model of the same question), and each is replayed
// on both sides by `diff` itself. Both walk both sides of every sender (no sender settled on one
// side: pruning-agreement.test.ts holds that), so every sender's questions are asked. The test says
// how many pairs it compared and how many differed at all.
import { afterAll, describe, expect, it } from 'vitest';
import { runDiff } from '../../src/questions/diff.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { CHANGE_KINDS, changedPairs, expectSameAnswers, kindCounts, party } from './pairs.ts';

afterAll(async () => { await shutdownZ3(); });

/** Pairs per kind of change. */
const PER_KIND = Number(process.env.DIFF_AGREEMENT_PER_KIND ?? 1);
const PAIRS = PER_KIND * CHANGE_KINDS;
const SEED = 1313;

describe('diff: one incremental solver per sender answers as a fresh solver per check', () => {
  it(`agrees on ${PAIRS} random topologies, each with one random change`, async () => {
    const pairs = changedPairs({ maxHosts: 2, maxNetworks: 2, maxRouters: 2, maxVms: 2, maxPortsPerVm: 2, maxFloatingIps: 1, minVms: 2, minExternals: 1, minRouters: 1, minGroups: 1, minFloatingIps: 1 }, SEED, PER_KIND);
    let differing = 0;
    for (const pair of pairs) {
      const p = { from: null, to: null, via: null };
      const t0 = performance.now();
      const inc = await runDiff(party(pair.before)!, party(pair.after)!, p, 20_000, { incremental: true, prune: false });
      const t1 = performance.now();
      const fresh = await runDiff(party(pair.before)!, party(pair.after)!, p, 20_000, { incremental: false, prune: false });
      if (!inc.ok || !fresh.ok) throw new Error(`diff refused a generated pair (${pair.what})`);
      if (process.env.DIFF_AGREEMENT_LOG) console.log(pair.kind, pair.what, Math.round(t1 - t0), 'ms incremental,', Math.round(performance.now() - t1), 'ms fresh,', inc.value.differences.length, 'differences', inc.value.senders.length, 'senders');
      expectSameAnswers(inc.value, fresh.value, pair.what);
      if (inc.value.differences.length > 0) differing++;
    }
    console.log(`diff agreement: ${pairs.length} pairs compared (${differing} with differences), changes: ${kindCounts(pairs)}`);
    expect(pairs.length).toBe(PAIRS);
    // Not a vacuous comparison: some changes do change what packets meet.
    expect(differing).toBeGreaterThan(0);
  }, 900_000);
});
