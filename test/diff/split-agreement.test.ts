// `diff` walks the after side within the before side's walk, apart only from the devices that
// differ (src/questions/diff-split.ts, walk.ts `split`), and claims this gives the after side's own
// walk term for term. Held here to walking the after side on its own, on random topologies
// (netproof/testing) each with one random change (test/diff/changes.ts), two ways:
// - per sender, the sides themselves: the split walk's before and after sides must deliver to the
//   same places by the same ends (conditions and headers, term for term), with the same ends not
//   followed and the same copies cut, as the before and after sides walked apart;
// - the answers of `runDiff` with and without it must agree (gist.ts: verdict, each sender's places,
//   places settled, unknowns, the differences per sender, place and kind, exact classes). Not byte
//   for byte: Z3's models, and so the witnesses' unpinned fields, follow the order terms were made
//   in the process, which two runs of the same question in one process already differ in.
// The test says how many pairs and senders it compared and how many after sides a split gave; it
// fails if none did (the comparison would then say nothing about splitting).
// `DIFF_SPLIT_PER_KIND=N` compares N pairs of each kind of change (default 1).
import { afterAll, describe, expect, it } from 'vitest';
import { runDiff } from '../../src/questions/diff.ts';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { exploreSide, sameEnds, type Side } from '../../src/smt/diff.ts';
import { changedDevices } from '../../src/smt/changed-devices.ts';
import { crossingFor } from '../../src/questions/diff-crossing.ts';
import { splitDevices } from '../../src/questions/diff-split.ts';
import { portSender } from '../../src/questions/senders.ts';
import { CHANGE_KINDS, changedPairs, expectSameAnswers, kindCounts, party } from './pairs.ts';

afterAll(async () => { await shutdownZ3(); });

const PER_KIND = Number(process.env.DIFF_SPLIT_PER_KIND ?? 1);
const PAIRS = PER_KIND * CHANGE_KINDS;
const SEED = 1618;

/** The two sides agree term for term: the same ends at every place, the same unknown ends, the same cut copies. */
function expectSameSide(x: Side, y: Side, what: string): void {
  for (const k of new Set([...x.delivered.keys(), ...y.delivered.keys()])) expect(sameEnds(x.delivered.get(k), y.delivered.get(k)), `${what}: ends at ${k}`).toBe(true);
  for (const k of new Set([...x.crossed.keys(), ...y.crossed.keys()])) expect(sameEnds(x.crossed.get(k), y.crossed.get(k)), `${what}: copies cut at ${k}`).toBe(true);
  expect(x.unknown.map((u) => u.end.kind === 'unknown' ? u.end.reason : '').sort(), `${what}: unknown ends`).toEqual(y.unknown.map((u) => u.end.kind === 'unknown' ? u.end.reason : '').sort());
}

describe('diff: the after side walked within the before side\'s walk is its own walk', () => {
  it(`agrees on up to ${PAIRS} random topologies, each with one random change`, async () => {
    const pairs = changedPairs({ maxHosts: 3, maxNetworks: 3, maxRouters: 2, maxVms: 4, maxPortsPerVm: 2, maxFloatingIps: 1, minVms: 2, minExternals: 1, minRouters: 1, minGroups: 1, minFloatingIps: 1 }, SEED, PER_KIND);
    let differing = 0;
    let senders = 0;
    let split = 0;
    await getZ3();
    for (const pair of pairs) {
      const [b, a] = [party(pair.before)!, party(pair.after)!];
      const changed = changedDevices(b.model.dataplane, a.model.dataplane, b.ev.converged, a.ev.converged);
      const at = splitDevices(b.model.dataplane, changed);
      if (at !== null) {
        const crossing = crossingFor(b.model.dataplane, a.model.dataplane, changed);
        const cut = crossing === null ? {} : { stopAt: crossing.stopAt };
        for (const sb of b.model.dataplane.stations) {
          const sa = a.model.dataplane.stations.find((s) => s.kind === 'vm-port' && sb.kind === 'vm-port' && s.vm === sb.vm && s.index === sb.index);
          if (sb.kind !== 'vm-port' || sa === undefined || sa.kind !== 'vm-port') continue;
          const [specB, specA] = [portSender(b.model.topology, sb), portSender(a.model.topology, sa)];
          // As diff splits: only a sender whose own rules are the same on both sides.
          if (JSON.stringify([specB.anySource, specB.allowedAddressPairs]) !== JSON.stringify([specA.anySource, specA.allowedAddressPairs])) continue;
          const what = `${pair.what}: ${sb.vm}:${sb.index}`;
          const joint = await exploreSide(b.model.dataplane, specB, {}, () => true, { converged: b.ev.converged, marks: changed, ...cut, split: { dp: a.model.dataplane, ...(a.ev.converged ? { converged: a.ev.converged } : {}), at } });
          const before = await exploreSide(b.model.dataplane, specB, {}, () => true, { converged: b.ev.converged, ...cut });
          const after = await exploreSide(a.model.dataplane, specA, {}, () => true, { converged: a.ev.converged, ...cut });
          expectSameSide(joint, before, `${what} (before)`);
          if (joint.other !== null) {
            expectSameSide(joint.other, after, `${what} (after)`);
            split++;
          }
          senders++;
        }
      }
      const p = { from: null, to: null, via: null };
      const together = await runDiff(party(pair.before)!, party(pair.after)!, p, 20_000, { incremental: true });
      const apart = await runDiff(party(pair.before)!, party(pair.after)!, p, 20_000, { incremental: true, split: false });
      if (!together.ok || !apart.ok) throw new Error(`diff refused a generated pair (${pair.what})`);
      expectSameAnswers(together.value, apart.value, pair.what);
      expect(JSON.stringify(together.value.senders), pair.what).toBe(JSON.stringify(apart.value.senders));
      if (apart.value.differences.length > 0) differing++;
    }
    console.log(`diff split: ${pairs.length} pairs compared (${differing} with differences), ${senders} senders' sides compared term for term, ${split} after sides taken from a split walk; changes: ${kindCounts(pairs)}`);
    expect(pairs.length).toBeGreaterThan(0);
    expect(differing).toBeGreaterThan(0);
    expect(split).toBeGreaterThan(0);
  }, 900_000);
});
