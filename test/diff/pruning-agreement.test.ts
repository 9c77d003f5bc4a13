// `diff` settles a sender on one side when its walk there visits no device that differs between the
// two dataplanes (src/smt/changed-devices.ts). Held here to walking both sides of every sender, on
// random topologies (netproof/testing) each with one random change (test/diff/changes.ts: a group
// rule added or removed, an extra route, a floating IP removed or moved, a port's port security):
// both must give the same verdict, the same senders with the same places, places settled and
// unknowns, and the same differences (per sender, place and kind; the same classes where both list
// only exact ones). A sender settled on one side must be one the two-sided run found no difference
// for. The test says how many pairs it compared, how many differed, and how many senders were
// settled on one side; it fails if none was (the comparison would then say nothing about settling).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { arbitraryTopology, createEvaluator, loadGenerated, topologyYaml } from '../../src/testing/index.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { runDiff } from '../../src/questions/diff.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { applyChange, arbitraryChange } from './changes.ts';
import { gist } from './gist.ts';

afterAll(async () => { await shutdownZ3(); });

/** Pairs per kind of change. */
const PER_KIND = Number(process.env.DIFF_PRUNING_PER_KIND ?? 1);
const KINDS = 6;
const PAIRS = PER_KIND * KINDS;
const SEED = 2718;

const party = (text: string) => {
  const t = loadTopologyText(text, 'x.yaml');
  if (!t.ok) return null;
  const model = modelFromTopology(t.value);
  return { model, ev: createEvaluator(model.dataplane) };
};

describe('diff: a sender settled on one side answers as walking both sides', () => {
  it(`agrees on ${PAIRS} random topologies, each with one random change`, async () => {
    const bounds = { maxHosts: 3, maxNetworks: 3, maxRouters: 2, maxVms: 4, maxPortsPerVm: 2, maxFloatingIps: 1, minVms: 2, minExternals: 1, minRouters: 1, minGroups: 1, minFloatingIps: 1 };
    const draws = fc.sample(fc.tuple(arbitraryTopology(bounds), arbitraryChange), { numRuns: PAIRS * 10, seed: SEED });
    let compared = 0;
    let differing = 0;
    let senders = 0;
    let settled = 0;
    const kinds = new Map<string, number>();
    for (const [g, change] of draws) {
      if (compared === PAIRS) break;
      if ((kinds.get(change.kind) ?? 0) === PER_KIND) continue;
      const changed = applyChange(g.file, change);
      if (changed === null) continue;
      const before = party(g.yaml);
      const text = topologyYaml(changed.file);
      const after = party(text);
      if (before === null || after === null || before.model.dataplane.stations.length === 0) continue;
      loadGenerated(g);
      const p = { from: null, to: null, via: null };
      const t0 = performance.now();
      const pruned = await runDiff(before, after, p, 20_000, { incremental: true, prune: true });
      const t1 = performance.now();
      const both = await runDiff(party(g.yaml)!, party(text)!, p, 20_000, { incremental: true, prune: false });
      if (process.env.DIFF_PRUNING_LOG && pruned.ok) console.log(changed.what, Math.round(t1 - t0), 'ms settling,', Math.round(performance.now() - t1), 'ms both sides,', pruned.value.senders.filter((s) => s.untouched).length, 'of', pruned.value.senders.length, 'settled');
      if (!pruned.ok || !both.ok) throw new Error(`diff refused a generated pair (${changed.what})`);
      const [x, y] = [gist(pruned.value), gist(both.value)];
      expect(x.verdict, changed.what).toBe(y.verdict);
      expect(x.senders, changed.what).toEqual(y.senders);
      expect(x.groups, changed.what).toEqual(y.groups);
      for (const [k, labels] of x.exact) if (y.exact.has(k)) expect(labels, `${changed.what}: ${k}`).toBe(y.exact.get(k));
      // Walking both sides settles nothing this way.
      expect(both.value.senders.some((s) => s.untouched)).toBe(false);
      for (const s of pruned.value.senders.filter((s) => s.untouched)) {
        expect(both.value.differences.some((d) => d.from === s.from), `${changed.what}: ${s.from} settled on one side`).toBe(false);
      }
      compared++;
      kinds.set(change.kind, (kinds.get(change.kind) ?? 0) + 1);
      senders += pruned.value.senders.length;
      settled += pruned.value.senders.filter((s) => s.untouched).length;
      if (pruned.value.differences.length > 0) differing++;
    }
    console.log(`diff settling: ${compared} pairs compared (${differing} with differences), ${settled} of ${senders} senders settled on one side; changes: ${[...kinds].map(([k, n]) => `${n} ${k}`).sort().join(', ')}`);
    expect(compared).toBe(PAIRS);
    expect(differing).toBeGreaterThan(0);
    expect(settled).toBeGreaterThan(0);
  }, 900_000);
});
