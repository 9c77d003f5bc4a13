// `diff` settles a sender on one side when its walk there enters no device or iptables chain that
// differs between the two dataplanes (src/smt/changed-devices.ts). Held here to walking both sides of
// every sender, on random topologies (netproof/testing) each with one random change
// (test/diff/changes.ts: a group rule added or removed, an extra route, a floating IP removed or
// moved, a port's port security): both must give the same verdict, the same senders with the same
// places, places settled and unknowns, and the same differences (per sender, place and kind; the
// same classes where both list only exact ones). A sender settled on one side must be one the
// two-sided run found no difference for. The test says how many pairs it compared, how many differed,
// and how many senders were settled on one side; it fails if none was (the comparison would then say
// nothing about settling). `DIFF_PRUNING_PER_KIND=N` compares N pairs of each kind (default 1).
import { afterAll, describe, expect, it } from 'vitest';
import { runDiff } from '../../src/questions/diff.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { CHANGE_KINDS, changedPairs, expectSameAnswers, kindCounts, party } from './pairs.ts';

afterAll(async () => { await shutdownZ3(); });

/** Pairs per kind of change. */
const PER_KIND = Number(process.env.DIFF_PRUNING_PER_KIND ?? 1);
const PAIRS = PER_KIND * CHANGE_KINDS;
const SEED = 2718;

describe('diff: a sender settled on one side answers as walking both sides', () => {
  it(`agrees on ${PAIRS} random topologies, each with one random change`, async () => {
    // Up to three hosts, networks and four VMs: room for senders that never reach what changed.
    const pairs = changedPairs({ maxHosts: 3, maxNetworks: 3, maxRouters: 2, maxVms: 4, maxPortsPerVm: 2, maxFloatingIps: 1, minVms: 2, minExternals: 1, minRouters: 1, minGroups: 1, minFloatingIps: 1 }, SEED, PER_KIND);
    let differing = 0;
    let senders = 0;
    let settled = 0;
    for (const pair of pairs) {
      const p = { from: null, to: null, via: null };
      const t0 = performance.now();
      const pruned = await runDiff(party(pair.before)!, party(pair.after)!, p, 20_000, { incremental: true, prune: true });
      const t1 = performance.now();
      const both = await runDiff(party(pair.before)!, party(pair.after)!, p, 20_000, { incremental: true, prune: false });
      if (!pruned.ok || !both.ok) throw new Error(`diff refused a generated pair (${pair.what})`);
      const here = pruned.value.senders.filter((s) => s.untouched);
      if (process.env.DIFF_PRUNING_LOG) console.log(pair.what, Math.round(t1 - t0), 'ms settling,', Math.round(performance.now() - t1), 'ms both sides,', here.length, 'of', pruned.value.senders.length, 'settled');
      expectSameAnswers(pruned.value, both.value, pair.what);
      // Walking both sides settles nothing this way.
      expect(both.value.senders.some((s) => s.untouched)).toBe(false);
      for (const s of here) expect(both.value.differences.some((d) => d.from === s.from), `${pair.what}: ${s.from} settled on one side`).toBe(false);
      senders += pruned.value.senders.length;
      settled += here.length;
      if (pruned.value.differences.length > 0) differing++;
    }
    console.log(`diff settling: ${pairs.length} pairs compared (${differing} with differences), ${settled} of ${senders} senders settled on one side; changes: ${kindCounts(pairs)}`);
    expect(pairs.length).toBe(PAIRS);
    expect(differing).toBeGreaterThan(0);
    expect(settled).toBeGreaterThan(0);
  }, 900_000);
});
