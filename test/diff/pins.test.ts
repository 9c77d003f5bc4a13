// The destination address a question's ends pin (src/questions/diff-pins.ts), held to the solver:
// for every question of every sender of a few changed pairs — the bench's change at its tiny size
// (tcp/8080 into a group whose member has a floating IP: senders reach it through the floating IP),
// and drawn pairs of two routers and floating IPs (crossing.test.ts's draw) — each pin claimed at the
// value of a model of the question is one no packet of the question lacks (unsat with the pin
// negated). The sides are walked apart, as diff walks a side it cannot split. Fails if no pin was
// claimed, or if no question had ends that pin its destination address at different values or not at
// all (where a pin read off some ends but not every one would be wrong), so that both the reading
// and its care are exercised. And on sides made by hand: which side's ends a question is made of
// (after where packets are gained, before where lost, either where translated).
import { afterAll, describe, expect, it } from 'vitest';
import { Enc, checkSat, getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { diffQuestions, exploreSide, type DiffQuestion, type Side, type SideEnd } from '../../src/smt/diff.ts';
import { symbolicPacket } from '../../src/smt/headers.ts';
import { portSender } from '../../src/questions/senders.ts';
import { questionPins } from '../../src/questions/diff-pins.ts';
import { decode } from '../../src/smt/witness.ts';
import { ipToNum } from '../../src/smt/headers.ts';
import { SIZES, generateTopologyText } from '../../bench/generate.ts';
import { withOneRuleAdded } from '../../bench/diff.ts';
import { changedPairs, party } from './pairs.ts';
import { firstOfEachKind } from './runs.ts';

afterAll(async () => { await shutdownZ3(); });

describe('diff: the destination address read off a question\'s ends', () => {
  it('is one every packet of the question has', async () => {
    const ctx = await getZ3();
    const tiny = generateTopologyText(SIZES.find((x) => x.name === 'tiny')!);
    const drawn = firstOfEachKind(changedPairs({ maxHosts: 3, maxNetworks: 3, maxRouters: 2, maxVms: 4, maxPortsPerVm: 1, maxFloatingIps: 2, minVms: 2, minExternals: 1, minRouters: 2, minGroups: 1, minFloatingIps: 1 }, 1619, 1), 1)
      .filter((p) => p.kind === 'rule-added' || p.kind === 'fip-moved');
    const pairs = [{ what: "the bench's change at tiny", before: tiny, after: withOneRuleAdded(tiny) }, ...drawn];
    let [questions, claimed, mixed] = [0, 0, 0];
    for (const pair of pairs) {
      const [b, a] = [party(pair.before)!, party(pair.after)!];
      for (const sb of b.model.dataplane.stations) {
        const sa = a.model.dataplane.stations.find((s) => s.kind === sb.kind && (s.kind !== 'vm-port' || (sb.kind === 'vm-port' && s.vm === sb.vm && s.index === sb.index)) && (s.kind !== 'outside' || (sb.kind === 'outside' && s.network === sb.network)));
        if (sa === undefined) continue;
        const specB = sb.kind === 'vm-port' ? portSender(b.model.topology, sb) : { station: sb };
        const specA = sa.kind === 'vm-port' ? portSender(a.model.topology, sa) : { station: sa };
        const before = await exploreSide(b.model.dataplane, specB, {}, () => true, { converged: b.ev.converged });
        const after = await exploreSide(a.model.dataplane, specA, {}, () => true, { converged: a.ev.converged });
        const e = before.e;
        const p = before.packet;
        for (const q of diffQuestions(before, after).questions) {
          const what = `${pair.what}: ${sb.kind === 'vm-port' ? `${sb.vm}:${sb.index}` : 'outside'} ${q.kind} at ${q.place}`;
          const m = await checkSat(ctx, e, q.cond, 20_000);
          if (m.status !== 'sat') continue;
          questions++;
          // Ends whose destination addresses differ (or are not pinned at all): where reading a pin
          // off some of them would claim one the question does not have.
          const model = m.model;
          const pins = questionPins(e, p, q, before, after, model);
          const v = ipToNum(decode(model, p).ip_dst);
          const one = questionPins(e, p, q, { ...before, delivered: new Map() }, { ...after, delivered: new Map() }, model);
          expect(one, what).toEqual({});
          const ends = [...(before.delivered.get(q.place) ?? []), ...(after.delivered.get(q.place) ?? [])];
          if (ends.some((x) => !x.end.path.pc.some((c) => typeof c !== 'boolean' && (c as unknown as { ptr: number }).ptr === (e.eq(p.ip_dst, v, 32) as unknown as { ptr: number }).ptr))) mixed++;
          for (const [field, value] of Object.entries(pins)) {
            expect(field, what).toBe('ip_dst');
            claimed++;
            const other = await checkSat(ctx, e, e.and(q.cond, e.not(e.eq(p.ip_dst, value, 32))), 20_000);
            expect(other.status, `${what}: destination address pinned at ${value}`).toBe('unsat');
          }
        }
      }
    }
    console.log(`diff pins: ${pairs.length} pairs, ${questions} questions with packets, ${claimed} destination addresses pinned, ${mixed} questions whose ends do not all pin it at the model's value`);
    expect(claimed).toBeGreaterThan(0);
    expect(mixed).toBeGreaterThan(0);
  }, 600_000);

  it("is read off the side whose ends the question is made of", async () => {
    const ctx = await getZ3();
    const e = new Enc(ctx);
    const p = symbolicPacket(ctx, 'pins', null);
    const [v, w] = [0x0a000001, 0x0a000002];
    // Ends at one place whose path conditions pin the destination address at the given values.
    const side = (...dsts: number[]): Side => ({ delivered: new Map([['P', dsts.map((d) => ({ end: { path: { pc: [e.eq(p.ip_dst, d, 32)] } } }) as unknown as SideEnd)]]) }) as unknown as Side;
    const m = await checkSat(ctx, e, e.eq(p.ip_dst, v, 32), 10_000);
    if (m.status !== 'sat') throw new Error('no model');
    const q = (kind: DiffQuestion['kind']): DiffQuestion => ({ kind, place: 'P', delivery: { kind: 'external', network: 'x' }, cond: true });
    // Before: every end at v; after: one at v, one at w.
    const [before, after] = [side(v), side(v, w)];
    expect(questionPins(e, p, q('gained'), before, after, m.model)).toEqual({});
    expect(questionPins(e, p, q('lost'), before, after, m.model)).toEqual({ ip_dst: v });
    expect(questionPins(e, p, q('translated'), before, after, m.model)).toEqual({ ip_dst: v });
    expect(questionPins(e, p, q('gained'), after, before, m.model)).toEqual({ ip_dst: v });
    expect(questionPins(e, p, q('lost'), after, before, m.model)).toEqual({});
    expect(questionPins(e, p, q('translated'), after, before, m.model)).toEqual({ ip_dst: v });
    expect(questionPins(e, p, q('translated'), after, after, m.model)).toEqual({});
  });
});
