// `diff` asks its questions of one incremental solver per sender; held here to the straightforward
// way (a fresh solver given the whole condition for every check) on random topologies
// (netproof/testing) and a random change to each (test/diff/changes.ts: a group rule added or
// removed, an extra route, a floating IP removed or moved, a port's port security). Both must give
// the same verdict, the same senders with the same places and unknowns, and the same differences:
// per sender and place, packets gained, lost or translated; where both list only exact classes, the
// same classes. The witnesses may differ (another model of the same question), and each is replayed
// on both sides by `diff` itself. A drawn change that does not apply or does not load is drawn again;
// the test says how many pairs it compared and how many differed at all.
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
const PER_KIND = Number(process.env.DIFF_AGREEMENT_PER_KIND ?? 1);
const KINDS = 6;
const PAIRS = PER_KIND * KINDS;
const SEED = 1313;

const party = (text: string) => {
  const t = loadTopologyText(text, 'x.yaml');
  if (!t.ok) return null;
  const model = modelFromTopology(t.value);
  return { model, ev: createEvaluator(model.dataplane) };
};

describe('diff: one incremental solver per sender answers as a fresh solver per check', () => {
  it(`agrees on ${PAIRS} random topologies, each with one random change`, async () => {
    const draws = fc.sample(fc.tuple(arbitraryTopology({ maxHosts: 2, maxNetworks: 2, maxRouters: 2, maxVms: 2, maxPortsPerVm: 2, maxFloatingIps: 1, minVms: 2, minExternals: 1, minRouters: 1, minGroups: 1, minFloatingIps: 1 }), arbitraryChange), { numRuns: PAIRS * 10, seed: SEED });
    let compared = 0;
    let differing = 0;
    const kinds = new Map<string, number>();
    for (const [g, change] of draws) {
      if (compared === PAIRS) break;
      // As many of each kind of change.
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
      const inc = await runDiff(before, after, p, 20_000, { incremental: true, prune: false });
      const t1 = performance.now();
      const fresh = await runDiff(party(g.yaml)!, party(text)!, p, 20_000, { incremental: false, prune: false });
      if (!inc.ok || !fresh.ok) throw new Error(`diff refused a generated pair (${changed.what})`);
      if (process.env.DIFF_AGREEMENT_LOG) console.log(change.kind, changed.what, Math.round(t1 - t0), 'ms incremental,', Math.round(performance.now() - t1), 'ms fresh,', inc.value.differences.length, 'differences', inc.value.senders.length, 'senders');
      const [x, y] = [gist(inc.value), gist(fresh.value)];
      expect(x.verdict, changed.what).toBe(y.verdict);
      expect(x.senders, changed.what).toEqual(y.senders);
      expect(x.groups, changed.what).toEqual(y.groups);
      for (const [k, labels] of x.exact) if (y.exact.has(k)) expect(labels, `${changed.what}: ${k}`).toBe(y.exact.get(k));
      compared++;
      kinds.set(change.kind, (kinds.get(change.kind) ?? 0) + 1);
      if (inc.value.differences.length > 0) differing++;
    }
    console.log(`diff agreement: ${compared} pairs compared (${differing} with differences), changes: ${[...kinds].map(([k, n]) => `${n} ${k}`).sort().join(', ')}`);
    expect(compared).toBe(PAIRS);
    // Not a vacuous comparison: some changes do change what packets meet.
    expect(differing).toBeGreaterThan(0);
  }, 900_000);
});
