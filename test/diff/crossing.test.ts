// `diff` stops following a copy that crosses an external network to a router with nothing changed
// beyond it (src/questions/diff-crossing.ts). Held here to following every copy to its end (`cross:
// false`): on random topologies (netproof/testing), each with one random change (changes.ts), both
// must give the same verdict, the same differences per sender, place and kind, the same classes where
// both list only exact ones, and the same senders unknown (the places counted differ: a cut copy's
// places beyond are not counted, which is how the test sees that copies were cut; it fails if none
// was). And on a topology of two projects whose VMs all have floating IPs, with a rule added to the
// first project's group: the second project's VMs reach its members only across the external network,
// through their floating IPs, so a cut at the first project's router would lose those differences;
// the outside world's copies routed into the second project's subnet are cut at its router.
// `DIFF_CROSSING_PER_KIND=N` compares N pairs of each kind of change (default 1).
import { afterAll, describe, expect, it } from 'vitest';
import { runDiff, type DiffAnswer } from '../../src/questions/diff.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { generateTopologyText } from '../../bench/generate.ts';
import { withOneRuleAdded } from '../../bench/diff.ts';
import { CHANGE_KINDS, changedPairs, kindCounts, party } from './pairs.ts';
import { gist } from './gist.ts';

afterAll(async () => { await shutdownZ3(); });

const PER_KIND = Number(process.env.DIFF_CROSSING_PER_KIND ?? 1);
const PAIRS = PER_KIND * CHANGE_KINDS;
const SEED = 2720;

/** What the two must agree on: all of gist.ts but the places counted. */
function expectAgree(cut: DiffAnswer, whole: DiffAnswer, what: string): void {
  const [x, y] = [gist(cut), gist(whole)];
  expect(x.verdict, what).toBe(y.verdict);
  expect(x.senders.map((s) => [s.from, s.unknown]), what).toEqual(y.senders.map((s) => [s.from, s.unknown]));
  expect(x.groups, what).toEqual(y.groups);
  for (const [k, labels] of x.exact) if (y.exact.has(k)) expect(labels, `${what}: ${k}`).toBe(y.exact.get(k));
}

/** Senders whose places were fewer with copies cut. */
const cutSenders = (cut: DiffAnswer, whole: DiffAnswer) => cut.senders.filter((s, i) => s.places < whole.senders[i]!.places).length;

describe('diff: a copy not followed beyond a router with nothing changed there changes no answer', () => {
  it(`agrees with following every copy on ${PAIRS} random topologies, each with one random change`, async () => {
    // Floating IPs and two routers: copies crossing the external network to another router.
    const pairs = changedPairs({ maxHosts: 3, maxNetworks: 3, maxRouters: 2, maxVms: 4, maxPortsPerVm: 1, maxFloatingIps: 2, minVms: 2, minExternals: 1, minRouters: 2, minGroups: 1, minFloatingIps: 1 }, SEED, PER_KIND);
    let differing = 0;
    let cutAt = 0;
    let senders = 0;
    for (const pair of pairs) {
      const p = { from: null, to: null, via: null };
      const cut = await runDiff(party(pair.before)!, party(pair.after)!, p, 20_000);
      const whole = await runDiff(party(pair.before)!, party(pair.after)!, p, 20_000, { incremental: true, cross: false });
      if (!cut.ok || !whole.ok) throw new Error(`diff refused a generated pair (${pair.what})`);
      expectAgree(cut.value, whole.value, pair.what);
      cutAt += cutSenders(cut.value, whole.value);
      senders += cut.value.senders.length;
      if (cut.value.differences.length > 0) differing++;
    }
    console.log(`diff crossing: ${pairs.length} pairs compared (${differing} with differences), ${cutAt} of ${senders} senders with copies cut; changes: ${kindCounts(pairs)}`);
    expect(pairs.length).toBe(PAIRS);
    expect(differing).toBeGreaterThan(0);
    expect(cutAt).toBeGreaterThan(0);
  }, 900_000);

  it("a rule added to one project's group: the other project's VMs reach its members through their floating IPs, found as when followed whole", async () => {
    // Two projects, one network and router each, every VM with a floating IP and in its project's ssh group.
    const text = generateTopologyText({ name: 'two', projects: 2, networksPerProject: 1, routersPerProject: 1, vms: 4, computeHosts: 2, networkNodes: 1, fipEvery: 1, sshEvery: 1 });
    const changed = withOneRuleAdded(text, 'first');
    const p = { from: null, to: null, via: null };
    const cut = await runDiff(party(text)!, party(changed)!, p, 20_000);
    const whole = await runDiff(party(text)!, party(changed)!, p, 20_000, { incremental: true, cross: false });
    if (!cut.ok || !whole.ok) throw new Error('diff refused the pair');
    expectAgree(cut.value, whole.value, 'tcp/8080 into p1\'s ssh group');
    // vm2 and vm4 are p2's: they reach p1's vm1 and vm3 only through their floating IPs.
    const found = gist(cut.value).groups;
    for (const from of ['vm2:0', 'vm4:0']) for (const to of ['vm1:0', 'vm3:0']) expect(found).toContain(`${from} gained at vm:${to}`);
    for (const d of cut.value.differences.filter((x) => x.from === 'vm2:0')) expect(d.classes.map((c) => c.packets)).toEqual(['tcp/8080']);
    // Copies were cut: at p2's router, reached across the external network by p1's VMs.
    expect(cutSenders(cut.value, whole.value)).toBeGreaterThan(0);
    // And the outside world's copies routed into p2's subnet (by its routes into the cloud or a
    // floating IP of p2's), cut at p2's router: fewer places counted, the same differences.
    const outside = (a: DiffAnswer) => a.senders.find((s) => s.from.startsWith('outside'))!;
    expect(outside(cut.value).places).toBeLessThan(outside(whole.value).places);
    expect(found.filter((g) => g.startsWith('outside')).length).toBeGreaterThan(0);
  }, 300_000);
});
