// `diffQuestions` asks whether a copy is translated differently per group of ends with the same
// header terms (src/smt/diff.ts `byHeaders`), not per pair of ends. Held here to the pairwise
// condition it replaces, on random topologies (netproof/testing) each with one random change
// (test/diff/changes.ts), every sender of both sides walked whole: for every question the two ways
// build (the same kinds and places, in the same order), Z3 must prove the two conditions equivalent
// (their exclusive or unsat). The test says how many pairs, senders and questions it compared, and
// how many translated questions had ends grouped (fewer groups than ends); it fails if none had, or
// if no translated question was satisfiable (the comparison would then say little).
// `DIFF_GROUPING_PER_KIND=N` compares N pairs of each kind of change (default 1).
import { afterAll, describe, expect, it } from 'vitest';
import { checkSat, getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { diffQuestions, exploreSide } from '../../src/smt/diff.ts';
import { stationName } from '../../src/questions/witness-replay.ts';
import { CHANGE_KINDS, changedPairs, kindCounts, party } from './pairs.ts';

afterAll(async () => { await shutdownZ3(); });

const PER_KIND = Number(process.env.DIFF_GROUPING_PER_KIND ?? 1);
const PAIRS = PER_KIND * CHANGE_KINDS;
const SEED = 1618;

/** The header fields the translated question compares, and a value's identity (Z3 shares equal terms). */
const HEADERS = ['eth_type', 'ip_src', 'ip_dst', 'proto', 'sport', 'dport', 'icmp_type', 'icmp_code'] as const;
const termId = (v: unknown): string => (typeof v === 'object' && v !== null ? `@${(v as { readonly ptr: number }).ptr}` : String(v));

describe('diff: the translated question asked per group of headers', () => {
  it(`is the pairwise condition on ${PAIRS} random topologies, each with one random change`, async () => {
    const ctx = await getZ3();
    const pairs = changedPairs({ maxHosts: 3, maxNetworks: 2, maxRouters: 2, maxVms: 4, maxPortsPerVm: 2, maxFloatingIps: 2, minVms: 2, minExternals: 1, minRouters: 1, minGroups: 1, minFloatingIps: 1 }, SEED, PER_KIND);
    let senders = 0;
    let questions = 0;
    let grouped = 0;
    let translatedSat = 0;
    for (const pair of pairs) {
      const [b, a] = [party(pair.before)!, party(pair.after)!];
      const byName = new Map(a.model.dataplane.stations.map((s) => [stationName(s), s]));
      for (const sb of b.model.dataplane.stations) {
        const sa = byName.get(stationName(sb));
        if (sa === undefined) continue;
        senders++;
        const before = await exploreSide(b.model.dataplane, { station: sb }, {}, () => true, { converged: b.ev.converged });
        const after = await exploreSide(a.model.dataplane, { station: sa }, {}, () => true, { converged: a.ev.converged });
        const e = before.e;
        const g = diffQuestions(before, after);
        const p = diffQuestions(before, after, true, { pairwise: true });
        const what = `${pair.what}, from ${stationName(sb)}`;
        expect(g.questions.map((q) => `${q.kind} ${q.place}`), what).toEqual(p.questions.map((q) => `${q.kind} ${q.place}`));
        for (let i = 0; i < g.questions.length; i++) {
          const [x, y] = [g.questions[i]!, p.questions[i]!];
          questions++;
          const differ = await checkSat(ctx, e, e.or(e.and(x.cond, e.not(y.cond)), e.and(y.cond, e.not(x.cond))), 20_000);
          expect(differ.status, `${what}: ${x.kind} at ${x.place}`).toBe('unsat');
          if (x.kind !== 'translated') continue;
          const place = [before.delivered.get(x.place) ?? [], after.delivered.get(x.place) ?? []];
          const heads = (xs: typeof place[0]) => new Set(xs.map((z) => HEADERS.map((f) => termId(z.final[f])).join(',')));
          if (place.some((xs) => heads(xs).size < xs.length)) grouped++;
          if ((await checkSat(ctx, e, x.cond, 20_000)).status === 'sat') translatedSat++;
        }
      }
    }
    console.log(`diff translated grouping: ${pairs.length} pairs, ${senders} senders, ${questions} questions proved the same both ways; ${grouped} translated questions with ends grouped, ${translatedSat} satisfiable; changes: ${kindCounts(pairs)}`);
    expect(pairs.length).toBe(PAIRS);
    expect(grouped).toBeGreaterThan(0);
    expect(translatedSat).toBeGreaterThan(0);
  }, 900_000);
});
