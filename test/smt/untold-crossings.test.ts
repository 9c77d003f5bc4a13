// A router's copy sent onto an external network is not followed when a walk of it with every other
// header field symbolic lists nothing telling and enters no place with netfilter (src/smt/untold.ts):
// held here to following every copy (`untoldCrossings: false`). Each VM port's packets are explored as
// the built-in properties' `near` searches explore them (only telling ends kept, cut at other routers'
// own addresses), with no constraint and to an address beyond the cloud, on the property tests'
// topologies (a router that routes such copies on among them), the shipped ones, 8 generated ones and
// a quarter of the small bench size's senders (alike by construction): the telling ends must be the
// same, in order, with the same path conditions and final packets. The copies not followed must be
// many (so the comparison is not vacuous), and a packet to the internet must still leave (its crossing
// reaches the upstream router: telling). The crossings decided by another router's alike exit
// (src/smt/alike-exits.ts) must be some, so that sharing is compared too. Last run: 32 topologies, 108
// senders, 9,977 telling ends compared, 521 copies not followed (22 crossings decided by an alike exit),
// 337 exits.
// A router that routes such a copy on (route-via-router, route-out-via-router) is entered by the
// walk that decides, so those copies are followed.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import { arbitraryTopology, modelOf } from '../../src/testing/index.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { explore, getZ3, shutdownZ3, telling, type SentConstraint } from '../../src/smt/index.ts';
import { checkSat } from '../../src/smt/solve.ts';
import type { SymPacket } from '../../src/smt/headers.ts';
import { endKey } from '../../src/smt/merge.ts';
import { walkerFor } from '../../src/smt/starts.ts';
import { portSender } from '../../src/questions/senders.ts';
import type { Dataplane, Station } from '../../src/ir/dataplane.ts';
import type { Topology } from '../../src/topology/model.ts';
import { SIZES, generateTopologyText } from '../../bench/generate.ts';

afterAll(async () => { await shutdownZ3(); });

const SEED = 1414;
const GENERATED = 8;
const SENT: readonly SentConstraint[] = [{}, { ipDst: [{ ip: '8.8.8.8', prefixLen: 32 }] }];

interface Tally { subjects: number; senders: number; ends: number; skipped: number; shared: number; exits: number; solved: number }

const WIDTH = { eth_src: 48, eth_dst: 48, eth_type: 16, ip_src: 32, ip_dst: 32, proto: 8, sport: 16, dport: 16, icmp_type: 8, icmp_code: 8, vlan: 12, tun_id: 32 } as const;
const FIELDS = Object.keys(WIDTH) as (keyof typeof WIDTH & keyof SymPacket)[];

/** Compares the walks of every `every`-th VM port (every one by default) of the topology. */
async function compare(name: string, topo: Topology, dp: Dataplane, t: Tally, every = 1): Promise<void> {
  const converged = createEvaluator(dp).converged;
  t.subjects++;
  const ports = dp.stations.filter((s) => s.kind === 'vm-port');
  for (const [i, s] of ports.entries()) {
    if (i % every !== 0) continue;
    const src = portSender(topo, s as Extract<Station, { kind: 'vm-port' }>);
    t.senders++;
    for (const sent of SENT) {
      const base = { converged, onlyTelling: true, stopAcrossExternal: true } as const;
      const w = walkerFor(await getZ3(), dp, base);
      const before = w.copiesUntold;
      const sharedBefore = w.crossingsShared;
      const fast = await explore(dp, [src], sent, { ...base, keep: telling });
      t.skipped += w.copiesUntold - before;
      t.shared += w.crossingsShared - sharedBefore;
      const slow = await explore(dp, [src], sent, { ...base, keep: telling, untoldCrossings: false });
      // The same ends in order (kind, place, delivery); path conditions and final packets the same terms
      // when printed alike, else proved equivalent by the solver.
      expect(fast.outcomes.map((o) => endKey(o.end)), `${name}: ${s.vm}:${s.index} sending ${JSON.stringify(sent)}`).toEqual(slow.outcomes.map((o) => endKey(o.end)));
      for (const [i, a] of fast.outcomes.entries()) {
        const b = slow.outcomes[i]!;
        const e = fast.enc;
        const text = (c: unknown) => String(c);
        const fields = FIELDS.filter((f) => text(a.final[f]) !== text(b.final[f]));
        if (text(a.cond) === text(b.cond) && fields.length === 0) continue;
        t.solved++;
        const differs = e.or(e.and(a.cond, e.not(b.cond)), e.and(b.cond, e.not(a.cond)), ...fields.map((f) => e.and(a.cond, e.not(e.eq(a.final[f]!, b.final[f]!, WIDTH[f])))));
        const r = await checkSat(await getZ3(), e, differs, 20_000);
        expect(r.status, `${name}: ${s.vm}:${s.index} end ${i} (${endKey(a.end)}) differs`).toBe('unsat');
      }
      t.ends += fast.outcomes.length;
      if (sent.ipDst !== undefined) t.exits += fast.outcomes.filter((o) => o.end.kind === 'end' && o.end.disposition === 'exited').length;
    }
  }
}

function fromText(text: string, file: string): { topo: Topology; dp: Dataplane } {
  const t = loadTopologyText(text, file);
  if (!t.ok) throw new Error(JSON.stringify(t.errors.slice(0, 3)));
  return { topo: t.value, dp: assembleDataplane(t.value, renderTopology(t.value)) };
}

describe("copies across an external network decided untold once, not walked per sender", () => {
  it('gives every sender the same telling ends as following every copy', async () => {
    const t: Tally = { subjects: 0, senders: 0, ends: 0, skipped: 0, shared: 0, exits: 0, solved: 0 };
    const dirs = [fileURLToPath(new URL('../properties/topologies/', import.meta.url)), fileURLToPath(new URL('../../topologies/', import.meta.url))];
    const files = dirs.map((dir) => readdirSync(dir).filter((x) => x.endsWith('.yaml')));
    for (const [i, dir] of dirs.entries()) {
      for (const f of files[i]!) {
        const m = loadModel(`${dir}${f}`);
        if (!m.ok) throw new Error(`${f}: ${JSON.stringify(m.errors.slice(0, 3))}`);
        await compare(f, m.value.topology, m.value.dataplane, t);
      }
    }
    for (const [i, g] of fc.sample(arbitraryTopology({ minRouters: 1 }), { numRuns: GENERATED, seed: SEED }).entries()) {
      const m = modelOf(g);
      await compare(`generated ${i}`, m.topology, m.dataplane, t);
    }
    const small = SIZES.find((x) => x.name === 'small')!;
    const b = fromText(generateTopologyText(small), 'small.yaml');
    // Its senders are alike by construction (the bench's generator): a quarter of them, spread over its projects.
    await compare('small', b.topo, b.dp, t, 4);
    console.log(`untold crossings: ${t.subjects} topologies, ${t.senders} senders, ${t.ends} telling ends compared (${t.solved} by the solver), ${t.skipped} copies not followed (${t.shared} crossings decided by another router's alike exit), ${t.exits} exits to the internet`);
    // Every file of both directories compared, none skipped (there are some in each).
    expect(files.every((x) => x.length > 0)).toBe(true);
    expect(t.subjects).toBe(files[0]!.length + files[1]!.length + GENERATED + 1);
    expect(t.skipped).toBeGreaterThan(400);
    expect(t.shared).toBeGreaterThan(0);
    expect(t.exits).toBeGreaterThan(t.senders / 2);
  }, 600_000);
});
