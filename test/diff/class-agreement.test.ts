// `diff` asks one port per class of senders alike in both models (src/questions/diff-classes.ts).
// Held here to asking every sender itself, on random topologies (netproof/testing), each with a twin
// of one of its VMs on another host (test/diff/pairs.ts withTwin) and one random change
// (test/diff/changes.ts): both must give the same verdict, the same senders with the
// same places, places settled and unknowns, and the same differences per sender, place and kind (a
// class's difference counted for each port it stands for, with the two ports' roles swapped; the same
// classes of packets where both list only exact ones: gist.ts). The test says how many pairs it
// compared, how many had differences, and how many senders were answered by a classmate (and how
// many of those have a difference); it fails if none was, or none of those had a difference (the
// comparison would then say little about classes). `DIFF_CLASSES_PER_KIND=N` compares N
// pairs of each kind of change (default 1).
import { afterAll, describe, expect, it } from 'vitest';
import { runDiff } from '../../src/questions/diff.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { CHANGE_KINDS, changedPairs, expectSameAnswers, kindCounts, party, withTwin } from './pairs.ts';

afterAll(async () => { await shutdownZ3(); });

const PER_KIND = Number(process.env.DIFF_CLASSES_PER_KIND ?? 1);
const PAIRS = PER_KIND * CHANGE_KINDS;
const SEED = 3141;

describe('diff: a class of senders answers as asking each of its ports', () => {
  it(`agrees on ${PAIRS} random topologies, each with one random change`, async () => {
    // Each topology with a twin of one of its VMs (pairs.ts withTwin), on another host: a port that
    // should share a class with it, unless the change or a floating IP tells them apart.
    const pairs = changedPairs({ maxHosts: 3, maxNetworks: 2, maxRouters: 2, maxVms: 4, maxPortsPerVm: 2, maxFloatingIps: 1, minVms: 2, minExternals: 1, minRouters: 1, minGroups: 1, minFloatingIps: 1 }, SEED, PER_KIND, withTwin);
    let differing = 0;
    let senders = 0;
    let represented = 0;
    let representedDiffering = 0;
    for (const pair of pairs) {
      const p = { from: null, to: null, via: null };
      const t0 = performance.now();
      const classed = await runDiff(party(pair.before)!, party(pair.after)!, p, 20_000);
      const t1 = performance.now();
      const each = await runDiff(party(pair.before)!, party(pair.after)!, p, 20_000, { incremental: true, classes: false });
      if (!classed.ok || !each.ok) throw new Error(`diff refused a generated pair (${pair.what})`);
      const stood = classed.value.senders.filter((s) => s.representedBy !== undefined);
      if (process.env.DIFF_CLASSES_LOG) console.log(pair.what, Math.round(t1 - t0), 'ms by class,', Math.round(performance.now() - t1), 'ms each,', stood.length, 'of', classed.value.senders.length, 'answered by a classmate');
      expectSameAnswers(classed.value, each.value, pair.what);
      expect(each.value.senders.some((s) => s.representedBy !== undefined)).toBe(false);
      // Every class has one representative asked, and a member never stands for anyone.
      for (const s of stood) expect(classed.value.senders.find((x) => x.from === s.representedBy)?.representedBy, `${pair.what}: ${s.from}`).toBeUndefined();
      expect(classed.value.senderClasses).toBe(classed.value.senders.length - stood.length);
      senders += classed.value.senders.length;
      represented += stood.length;
      representedDiffering += stood.filter((s) => each.value.differences.some((d) => d.from === s.from)).length;
      if (each.value.differences.length > 0) differing++;
    }
    console.log(`diff classes: ${pairs.length} pairs compared (${differing} with differences), ${represented} of ${senders} senders answered by a classmate (${representedDiffering} of them with a difference); changes: ${kindCounts(pairs)}`);
    expect(pairs.length).toBe(PAIRS);
    expect(differing).toBeGreaterThan(0);
    expect(represented).toBeGreaterThan(0);
    expect(representedDiffering).toBeGreaterThan(0);
  }, 900_000);
});
