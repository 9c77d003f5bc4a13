// `diff` gives a copy crossing an external network that can only end cut its cut ends without walking
// it, decided once per crossing (src/smt/cut-crossings.ts, walk.ts `cutOnlyCrossing`). Held here to
// walking every such copy (`cutOnce: false`) on a topology where it matters both ways: three projects
// of one network and router each, two VMs per project, every VM with a floating IP and every other one
// in its project's ssh group, a rule added to the first project's group. Every sender's packets cross
// the external network to each router's gateway and floating IPs: to the second and third projects'
// routers they can only be cut (nothing changed beyond), to the first project's they must be followed
// — vm1 (in the group) is reached there through its floating IP and newly allows tcp/8080, and vm4 (not
// in it) is reached as before, through nothing that changed. A crossing given as cut that is not (a
// decision that let a delivered end pass, or one applied where the copy is followed) loses vm1's
// differences or vm4 as a place reached (the places counted are in the answer); the routers cut at
// are what diff reads to decide whether cutting changes an answer (diff-crossing.ts). And on two projects
// of two networks each, where ports of the changed group are walked after ports of their own network
// that are not in it: the part of a walk before any split (crossings given their cuts) and a split's own
// part (every crossing walked, as the other side's walker walks it) must not reuse each other's memo
// entries, else the two sides' cut ends differ, the sender is walked whole and counts more places.
// Each way runs on a Z3 context started afresh (Z3's models follow the order terms were made in the
// context): the whole answer byte for byte.
import { afterAll, describe, expect, it } from 'vitest';
import { runDiff, type DiffHow } from '../../src/questions/diff.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { cutCrossings } from '../../src/smt/cut-crossings.ts';
import { generateTopologyText } from '../../bench/generate.ts';
import { withOneRuleAdded } from '../../bench/diff.ts';
import { party } from './pairs.ts';
import { gist } from './gist.ts';

afterAll(async () => { await shutdownZ3(); });

describe('diff: crossings that can only be cut, given their cuts unwalked', () => {
  const run = async (text: string, changed: string, how: DiffHow) => {
    await shutdownZ3();
    const was = cutCrossings.given;
    const r = await runDiff(party(text)!, party(changed)!, { from: null, to: null, via: null }, 20_000, how);
    if (!r.ok) throw new Error('diff refused the pair');
    return { answer: r.value, json: JSON.stringify(r.value), given: cutCrossings.given - was };
  };

  it("answer as walking each crossing, byte for byte, where a rule added to one project's group is reached through floating IPs", async () => {
    const text = generateTopologyText({ name: 'three', projects: 3, networksPerProject: 1, routersPerProject: 1, vms: 6, computeHosts: 2, networkNodes: 2, fipEvery: 1, sshEvery: 2 });
    const changed = withOneRuleAdded(text, 'first');
    const given = await run(text, changed, { incremental: true });
    const walked = await run(text, changed, { incremental: true, cutOnce: false });
    // Not the same way twice: crossings were given their cuts in one, none in the other.
    expect(given.given).toBeGreaterThan(0);
    expect(walked.given).toBe(0);
    expect(given.json).toBe(walked.json);
    // What must be found: p2's and p3's VMs (vm2, vm3, vm5, vm6) reach p1's vm1 only through its
    // floating IP, across the external network, and newly reach it on tcp/8080; vm4 as before.
    const found = gist(given.answer).groups;
    for (const from of ['vm2:0', 'vm3:0', 'vm5:0', 'vm6:0']) {
      expect(found).toContain(`${from} gained at vm:vm1:0`);
      expect(found.filter((g) => g.startsWith(from) && g.includes('vm4'))).toEqual([]);
    }
    for (const d of given.answer.differences.filter((x) => x.from === 'vm2:0')) expect(d.classes.map((c) => c.packets)).toEqual(['tcp/8080']);
  }, 120_000);

  it('answer as walking each crossing, byte for byte, where senders of the changed group follow others of their network', async () => {
    const text = generateTopologyText({ name: 'two', projects: 2, networksPerProject: 2, routersPerProject: 1, vms: 12, computeHosts: 4, networkNodes: 2 });
    const changed = withOneRuleAdded(text, 'first');
    const given = await run(text, changed, { incremental: true });
    const walked = await run(text, changed, { incremental: true, cutOnce: false });
    expect(given.given).toBeGreaterThan(0);
    expect(JSON.stringify(given.answer.senders)).toBe(JSON.stringify(walked.answer.senders));
    expect(given.json).toBe(walked.json);
  }, 120_000);
});
