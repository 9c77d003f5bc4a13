// The upstream router's hairpin, solver against evaluator (src/semantics/upstream.ts decides for both):
// on the seed with the router's external connected route deleted (hairpin-seed.ts), and on the seed as
// it is, every sender (each VM port from its own addresses, and the outside world) sends to any
// address of the external subnet; each symbolic end the solver finds feasible is replayed through the
// evaluator — the model's packet as sent, from the same sender — and the evaluator's trace must reach
// the same place with the same headers (or stop the same way; ends.ts). An end not followed to its
// finish that is feasible counts as unknown (none may be). The counts are asserted, so nothing is
// skipped silently: faulted, 695 ends, 97 feasible and compared, 12 of them a VM's packet delivered by
// the hairpin; as it is, 767 ends, 85 compared, none by the hairpin (the router sends straight).
import { afterAll, describe, expect, it } from 'vitest';
import { createEvaluator } from '../../src/evaluate/index.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import { explore, getZ3, shutdownZ3, type Val } from '../../src/smt/index.ts';
import { checkSat } from '../../src/smt/solve.ts';
import { decode } from '../../src/smt/witness.ts';
import { stationName } from '../../src/semantics/station-key.ts';
import { upstreamMac } from '../../src/dataplane/outside.ts';
import { copies, evaluatorKeys, solverKey } from './ends.ts';
import { EXTERNAL, hairpinSeed } from './hairpin-seed.ts';

afterAll(async () => { await shutdownZ3(); });

const CHECK_MS = 10_000;
const UPSTREAM = upstreamMac('public');

interface Tally { ends: number; compared: number; unknown: number; hairpins: string[]; mismatches: string[] }

async function replayAll(dp: Dataplane): Promise<Tally> {
  const ctx = await getZ3();
  const ev = createEvaluator(dp, { limits: { maxBranches: 100_000 } });
  const t: Tally = { ends: 0, compared: 0, unknown: 0, hairpins: [], mismatches: [] };
  for (const station of dp.stations) {
    const { enc: e, outcomes } = await explore(dp, [station], { ipDst: [EXTERNAL] }, { converged: ev.converged, timeoutMs: CHECK_MS });
    for (const o of outcomes) {
      t.ends++;
      const r = await checkSat(ctx, e, e.and(e.choicesAsReplayed(), o.cond), CHECK_MS);
      if (r.status === 'unsat') continue;
      if (r.status === 'unknown' || o.end.kind !== 'end') {
        t.unknown++;
        t.mismatches.push(`${stationName(station)}: ${r.status === 'unknown' ? r.reason : o.end.kind === 'unknown' ? o.end.reason : o.end.kind}`);
        continue;
      }
      t.compared++;
      const m = r.model;
      const num = (v: Val) => (typeof v === 'number' ? v : Number((m.eval(v, true) as unknown as { value(): bigint }).value()));
      const key = solverKey(o.end, num);
      const witness = decode(m, o.sent);
      const trace = ev.trace(station, witness);
      const uncertain = copies(trace).flatMap((c) => [...c.uncertain]);
      const keys = evaluatorKeys(trace);
      if (uncertain.length > 0) t.mismatches.push(`${stationName(station)} → ${witness.ip_dst}: evaluator uncertain: ${uncertain.join('; ')}`);
      else if (!keys.has(key)) t.mismatches.push(`${stationName(station)} → ${witness.ip_dst}: solver ${key}; evaluator ${[...keys].join(' | ')}`);
      // A VM's packet arriving with the upstream router's MAC as source came round by the hairpin.
      if (station.kind === 'vm-port' && key.includes(`${UPSTREAM}>`)) t.hairpins.push(`${stationName(station)} → ${witness.ip_dst}: ${key}`);
    }
  }
  return t;
}

describe('hairpin at the upstream router: the solver\'s ends replayed through the evaluator', () => {
  const { intact, faulted } = hairpinSeed();

  it('connected route deleted: every feasible end is an end of the evaluator\'s trace of its witness, the hairpins among them', { timeout: 240_000 }, async () => {
    const t = await replayAll(faulted);
    console.log(`hairpin agreement (route deleted): ${t.ends} ends, ${t.compared} feasible and compared, ${t.unknown} unknown; ${t.hairpins.length} a VM's packet delivered by the hairpin:\n${t.hairpins.join('\n')}`);
    expect(t.mismatches).toEqual([]);
    expect({ ends: t.ends, compared: t.compared, unknown: t.unknown, hairpins: t.hairpins.length }).toEqual({ ends: 695, compared: 97, unknown: 0, hairpins: 12 });
    // Every VM reaches the DHCP port of public (203.0.113.2) round by the upstream router.
    expect(new Set(t.hairpins.filter((h) => /→ 203\.0\.113\.2: ns:qdhcp-/.test(h)).map((h) => h.split(' ')[0]))).toEqual(new Set(['vm1:0', 'vm2:0', 'vm3:0', 'vm4:0']));
  });

  it('as it is: the same agreement, and no packet goes round by the upstream router', { timeout: 240_000 }, async () => {
    const t = await replayAll(intact);
    console.log(`hairpin agreement (as it is): ${t.ends} ends, ${t.compared} feasible and compared, ${t.unknown} unknown`);
    expect(t.mismatches).toEqual([]);
    expect({ ends: t.ends, compared: t.compared, unknown: t.unknown, hairpins: t.hairpins.length }).toEqual({ ends: 767, compared: 85, unknown: 0, hairpins: 0 });
  });
});
