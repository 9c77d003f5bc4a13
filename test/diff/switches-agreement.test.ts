// `diff`'s optimisations, each held to the straightforward way on the same random topologies
// (netproof/testing), each with one random change (test/diff/changes.ts: a group rule added or removed,
// an extra route, a floating IP removed or moved, a port's port security), of up to three hosts,
// networks and four VMs (room for senders that never reach what changed). Each pair's answer with every
// optimisation on (diff's default) is run once (test/diff/runs.ts) and compared with each optimisation
// turned off in turn; answers agree as gist.ts says (the verdict; each sender's places, places settled
// and unknowns; the differences per sender, place and kind; the same classes where both list only
// exact ones; not the witnesses, another model of the same question):
// - settling a sender on one side when its walk there enters nothing that differs
//   (src/smt/changed-devices.ts), against walking both sides (`prune: false`); a sender settled must
//   be one the two-sided run found no difference for; fails if none was settled;
// - walking the after side within the before side's walk (src/questions/diff-split.ts,
//   walk.ts `split`), against walking it on its own (`split: false`): the answers (and the senders'
//   records byte for byte), and per VM port sender the sides themselves: the split walk's before and
//   after sides deliver to the same places by the same ends (conditions and headers, term for term),
//   with the same ends not followed and the same copies cut, as the two sides walked apart; fails if
//   no after side came from a split. Not byte for byte in the witnesses: Z3's models, and so their
//   unpinned fields, follow the order terms were made in the process.
// - on the pairs whose change is a group's rule added, the bench's change at its tiny size
//   (bench/diff.ts), a port and a range of ports, and at three projects with floating IPs on every VM: asking a sender's first check of
//   its incremental solver when a concrete packet built from what changed shows a difference in both
//   replays (src/questions/diff-concrete.ts), and proving a
//   question's destination port forced in one check before the witness's port preferences
//   (questions/diff.ts `forcedPort`), and ruling out unasked the preferences for another destination
//   address than every end of the question has (src/questions/diff-pins.ts), against a fresh solver's
//   first check and every preference asked (`concrete: false, forcedPort: false, questionPins: false`),
//   each way run on a Z3 context started afresh (Z3's models
//   follow the order terms were made in the context): the whole answer byte for byte, witnesses and
//   traces included, or else different only in what no preference pins (the first model comes from
//   another solver): a witness's source MAC, its destination address towards the outside world, the
//   example protocol of `other protocols`, and so those witnesses' traces; fails if any shortcut
//   was never taken.
// - giving a copy that crosses an external network and can only end cut its cut ends unwalked, decided
//   once per crossing (src/smt/cut-crossings.ts, walk.ts `cutOnlyCrossing`), against walking each
//   (`cutOnce: false`), on pairs drawn as crossing.test.ts draws them (two routers, floating IPs) and a
//   generated one of three projects (VM ports' copies cut at the other projects' routers): the
//   answers, and the senders' records byte for byte (the places counted: the routers cut at decide
//   whether a sender is walked whole); fails if no crossing was given its cuts. A pinned case where a
//   wrong decision loses differences is test/diff/cut-crossings.test.ts.
// Each comparison says how many pairs it compared and fails if none of them differed at all.
// `DIFF_PRUNING_PER_KIND=N`, `DIFF_SPLIT_PER_KIND=N` and `DIFF_CONCRETE_PER_KIND=N`, `DIFF_CUT_PER_KIND=N` (default 1 each) compare the first N pairs of
// each kind of change of one draw. The other optimisations are held to theirs on draws of their own
// (incremental-, class-agreement.test.ts, crossing.test.ts), which these pairs would not serve: a
// fresh solver per check costs much more on these larger topologies; classes need a twin VM and
// crossings two routers.
import { afterAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { exploreSide, sameEnds, type Side } from '../../src/smt/diff.ts';
import { changedDevices } from '../../src/smt/changed-devices.ts';
import { crossingFor } from '../../src/questions/diff-crossing.ts';
import { splitDevices } from '../../src/questions/diff-split.ts';
import { portSender } from '../../src/questions/senders.ts';
import { diffShortcuts, runDiff, type DiffAnswer, type DiffHow } from '../../src/questions/diff.ts';
import { CHANGE_KINDS, changedPairs, expectSameAnswers, kindCounts, party, type ChangedPair } from './pairs.ts';
import { ALL_ON, answer, firstOfEachKind } from './runs.ts';
import { SIZES, generateTopologyText } from '../../bench/generate.ts';
import { withOneRuleAdded } from '../../bench/diff.ts';
import { pinned, traces } from './pinned.ts';
import { cutCrossings } from '../../src/smt/cut-crossings.ts';

afterAll(async () => { await shutdownZ3(); });

/** Three projects of a network and router each, a floating IP on every VM (bench/generate.ts). */
const THREE = generateTopologyText({ name: 'three', projects: 3, networksPerProject: 1, routersPerProject: 1, vms: 6, computeHosts: 2, networkNodes: 2, fipEvery: 1, sshEvery: 2 });

const perKind = (knob: string) => Number(process.env[knob] ?? 1);
const PER_KIND = { prune: perKind('DIFF_PRUNING_PER_KIND'), split: perKind('DIFF_SPLIT_PER_KIND'), concrete: perKind('DIFF_CONCRETE_PER_KIND'), cut: perKind('DIFF_CUT_PER_KIND') };
// Up to three hosts, networks and four VMs: room for senders that never reach what changed (settled;
// after sides from a split walk).
const drawn = once(() => changedPairs({ maxHosts: 3, maxNetworks: 3, maxRouters: 2, maxVms: 4, maxPortsPerVm: 2, maxFloatingIps: 1, minVms: 2, minExternals: 1, minRouters: 1, minGroups: 1, minFloatingIps: 1 }, 2718, Math.max(PER_KIND.prune, PER_KIND.split, PER_KIND.concrete)));

// As crossing.test.ts draws (seed 1619): floating IPs and two routers, copies crossing the external network.
const crossingDrawn = once(() => changedPairs({ maxHosts: 3, maxNetworks: 3, maxRouters: 2, maxVms: 4, maxPortsPerVm: 1, maxFloatingIps: 2, minVms: 2, minExternals: 1, minRouters: 2, minGroups: 1, minFloatingIps: 1 }, 1619, PER_KIND.cut));

describe('diff: each optimisation answers as the straightforward way, on the same random changed topologies', () => {
  it(`crossings that can only be cut, given their cuts unwalked, answer as walking each, on ${PER_KIND.cut * CHANGE_KINDS + 1} pairs`, async () => {
    // And three projects of a network and router each, floating IPs on every VM, a rule added to the
    // first project's group: VM ports' copies crossing to the other projects' routers, cut there (the
    // drawn pairs give few such crossings to VM ports; the outside world's are walked).
    const pairs = [...firstOfEachKind(crossingDrawn(), PER_KIND.cut), { kind: 'bench', what: "a rule added to the first of three projects' groups", before: THREE, after: withOneRuleAdded(THREE) }];
    let differing = 0;
    let given = 0;
    for (const pair of pairs) {
      const was = cutCrossings.given;
      const once = await answer(pair, ALL_ON);
      given += cutCrossings.given - was;
      const each = await answer(pair, { incremental: true, cutOnce: false });
      expectSameAnswers(once, each, pair.what);
      expect(JSON.stringify(once.senders), pair.what).toBe(JSON.stringify(each.senders));
      if (each.differences.length > 0) differing++;
    }
    console.log(`diff cut crossings: ${pairs.length} pairs compared (${differing} with differences), ${given} copies given their cuts unwalked; changes: ${kindCounts(pairs)}`);
    expect(pairs.length).toBe(PER_KIND.cut * CHANGE_KINDS + 1);
    expect(differing).toBeGreaterThan(0);
    expect(given).toBeGreaterThan(0);
  }, 900_000);

  it(`settling a sender on one side answers as walking both sides, on ${PER_KIND.prune * CHANGE_KINDS} pairs`, async () => {
    const pairs = firstOfEachKind(drawn(), PER_KIND.prune);
    let differing = 0;
    let senders = 0;
    let settled = 0;
    for (const pair of pairs) {
      const pruned = await answer(pair, ALL_ON);
      const both = await answer(pair, { incremental: true, prune: false });
      const here = pruned.senders.filter((s) => s.untouched);
      expectSameAnswers(pruned, both, pair.what);
      // Walking both sides settles nothing this way.
      expect(both.senders.some((s) => s.untouched)).toBe(false);
      for (const s of here) expect(both.differences.some((d) => d.from === s.from), `${pair.what}: ${s.from} settled on one side`).toBe(false);
      senders += pruned.senders.length;
      settled += here.length;
      if (pruned.differences.length > 0) differing++;
    }
    console.log(`diff settling: ${pairs.length} pairs compared (${differing} with differences), ${settled} of ${senders} senders settled on one side; changes: ${kindCounts(pairs)}`);
    expect(pairs.length).toBe(PER_KIND.prune * CHANGE_KINDS);
    expect(differing).toBeGreaterThan(0);
    expect(settled).toBeGreaterThan(0);
  }, 900_000);

  it(`the after side walked within the before side's walk is its own walk, on ${PER_KIND.split * CHANGE_KINDS} pairs`, async () => {
    const pairs = firstOfEachKind(drawn(), PER_KIND.split);
    let differing = 0;
    let senders = 0;
    let split = 0;
    await getZ3();
    for (const pair of pairs) {
      const sides = await compareSides(pair);
      senders += sides.senders;
      split += sides.split;
      const together = await answer(pair, ALL_ON);
      const apart = await answer(pair, { incremental: true, split: false });
      expectSameAnswers(together, apart, pair.what);
      expect(JSON.stringify(together.senders), pair.what).toBe(JSON.stringify(apart.senders));
      if (apart.differences.length > 0) differing++;
    }
    console.log(`diff split: ${pairs.length} pairs compared (${differing} with differences), ${senders} senders' sides compared term for term, ${split} after sides taken from a split walk; changes: ${kindCounts(pairs)}`);
    expect(pairs.length).toBe(PER_KIND.split * CHANGE_KINDS);
    expect(differing).toBeGreaterThan(0);
    expect(split).toBeGreaterThan(0);
  }, 900_000);

  it(`the first check chosen on a concrete packet's word, a forced port proved once and a destination address read off the ends answer as the solver's way, on ${PER_KIND.concrete + 3} pairs of a group's rule changed`, async () => {
    // A group's rule added, whose protocol and port make the concrete packets (the other kinds try a
    // plain tcp/80 one, and cost the most to run twice more), and the bench's change at its
    // tiny size (tcp/8080 into a group whose members have a floating IP: every sender has a difference).
    const tiny = generateTopologyText(SIZES.find((x) => x.name === 'tiny')!);
    const pairs = [...firstOfEachKind(drawn(), PER_KIND.concrete).filter((p) => p.kind === 'rule-added'), { kind: 'bench', what: "the bench's change at tiny", before: tiny, after: withOneRuleAdded(tiny) },
      // The same with a range of ports: no port forced.
      { kind: 'bench', what: "the bench's change at tiny, ports 8080-8090", before: tiny, after: withOneRuleAdded(tiny).replace('port: 8080\n', 'port: "8080-8090"\n') },
      // Three projects, floating IPs on every VM: the other projects' ports reach the changed group's
      // only through its floating IPs, the destination address every end of their questions has.
      { kind: 'bench', what: "a rule added to the first of three projects' groups", before: THREE, after: withOneRuleAdded(THREE) }];
    let differing = 0;
    let witnesses = 0;
    let [concrete, forced, ruledOut, same] = [0, 0, 0, 0];
    for (const pair of pairs) {
      // Each way on a Z3 context of its own, started afresh: Z3's models (and so a witness's fields no
      // preference pins) follow the order terms were made in the context, the same for both here.
      const run = async (how: DiffHow) => {
        await shutdownZ3();
        const was = diffShortcuts();
        const r = await runDiff(party(pair.before)!, party(pair.after)!, { from: null, to: null, via: null }, 20_000, how);
        if (!r.ok) throw new Error(`diff refused a generated pair (${pair.what})`);
        const now = diffShortcuts();
        return { answer: JSON.stringify(r.value), concrete: now.concrete - was.concrete, forced: now.forced - was.forced, pinned: now.pinned - was.pinned, classes: r.value.differences.reduce((n, d) => n + d.classes.length, 0) };
      };
      const t0 = performance.now();
      const quick = await run(ALL_ON);
      const solver = await run({ incremental: true, concrete: false, forcedPort: false, questionPins: false });
      if (process.env.DIFF_AGREEMENT_LOG) console.log(pair.what, Math.round(performance.now() - t0), 'ms');
      expect(solver.concrete + solver.forced + solver.pinned, pair.what).toBe(0);
      if (quick.answer === solver.answer) same++;
      else {
        // Else only in what no preference pins: a witness's source MAC (a port without port security
        // sends any), its destination address towards the outside world (a routed prefix's addresses
        // alike) and the example protocol of `other protocols`.
        const [q, v] = [JSON.parse(quick.answer) as DiffAnswer, JSON.parse(solver.answer) as DiffAnswer];
        expect(JSON.stringify(q.senders), pair.what).toBe(JSON.stringify(v.senders));
        const strip = (xs: string[]) => xs.map((x) => JSON.stringify((JSON.parse(x) as unknown[]).map((y, i) => (i === 4 ? (y as unknown[][]).map((c) => c.slice(0, 3)) : y))));
        expect(strip(pinned(q)), pair.what).toEqual(strip(pinned(v)));
        const t = traces(q, v);
        expect(t.a, pair.what).toEqual(t.b);
      }
      concrete += quick.concrete;
      forced += quick.forced;
      ruledOut += quick.pinned;
      witnesses += quick.classes;
      if (quick.classes > 0) differing++;
    }
    console.log(`diff concrete first and forced ports: ${pairs.length} pairs compared (${differing} with differences), ${same} the same byte for byte, ${witnesses} witnesses; ${concrete} first checks asked of the incremental solver on a concrete packet's word, ${forced} ports proved forced, ${ruledOut} preferences ruled out by a question's destination address; changes: ${kindCounts(pairs)}`);
    expect(pairs.length).toBe(PER_KIND.concrete + 3);
    expect(differing).toBeGreaterThan(0);
    // Not a comparison of the same way twice: both shortcuts were taken.
    expect(concrete).toBeGreaterThan(0);
    expect(forced).toBeGreaterThan(0);
    expect(ruledOut).toBeGreaterThan(0);
  }, 900_000);
});

/** `f`'s value, made the first time it is asked for (a test left out by a filter draws nothing). */
function once<T>(f: () => T): () => T {
  let v: { value: T } | undefined;
  return () => (v ??= { value: f() }).value;
}

/** The two sides agree term for term: the same ends at every place, the same unknown ends, the same cut copies. */
function expectSameSide(x: Side, y: Side, what: string): void {
  for (const k of new Set([...x.delivered.keys(), ...y.delivered.keys()])) expect(sameEnds(x.delivered.get(k), y.delivered.get(k)), `${what}: ends at ${k}`).toBe(true);
  for (const k of new Set([...x.crossed.keys(), ...y.crossed.keys()])) expect(sameEnds(x.crossed.get(k), y.crossed.get(k)), `${what}: copies cut at ${k}`).toBe(true);
  expect(x.unknown.map((u) => u.end.kind === 'unknown' ? u.end.reason : '').sort(), `${what}: unknown ends`).toEqual(y.unknown.map((u) => u.end.kind === 'unknown' ? u.end.reason : '').sort());
}

/**
 * Per VM port sender whose own rules are the same on both sides (as diff splits), its sides walked
 * split and apart, compared: how many senders, and how many after sides came from a split.
 */
async function compareSides(pair: ChangedPair): Promise<{ senders: number; split: number }> {
  const [b, a] = [party(pair.before)!, party(pair.after)!];
  const changed = changedDevices(b.model.dataplane, a.model.dataplane, b.ev.converged, a.ev.converged);
  const at = splitDevices(b.model.dataplane, changed);
  if (at === null) return { senders: 0, split: 0 };
  const crossing = crossingFor(b.model.dataplane, a.model.dataplane, changed);
  const cut = crossing === null ? {} : { stopAt: crossing.stopAt };
  let [senders, split] = [0, 0];
  for (const sb of b.model.dataplane.stations) {
    const sa = a.model.dataplane.stations.find((s) => s.kind === 'vm-port' && sb.kind === 'vm-port' && s.vm === sb.vm && s.index === sb.index);
    if (sb.kind !== 'vm-port' || sa === undefined || sa.kind !== 'vm-port') continue;
    const [specB, specA] = [portSender(b.model.topology, sb), portSender(a.model.topology, sa)];
    if (JSON.stringify([specB.anySource, specB.allowedAddressPairs]) !== JSON.stringify([specA.anySource, specA.allowedAddressPairs])) continue;
    const what = `${pair.what}: ${sb.vm}:${sb.index}`;
    senders++;
    const joint = await exploreSide(b.model.dataplane, specB, {}, () => true, { converged: b.ev.converged, marks: changed, ...cut, split: { dp: a.model.dataplane, ...(a.ev.converged ? { converged: a.ev.converged } : {}), at } });
    const before = await exploreSide(b.model.dataplane, specB, {}, () => true, { converged: b.ev.converged, ...cut });
    const after = await exploreSide(a.model.dataplane, specA, {}, () => true, { converged: a.ev.converged, ...cut });
    expectSameSide(joint, before, `${what} (before)`);
    if (joint.other !== null) {
      expectSameSide(joint.other, after, `${what} (after)`);
      split++;
    }
  }
  return { senders, split };
}
