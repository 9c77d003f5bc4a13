// A table's flows that require another VLAN (dl_vlan) or another tunnel key (exact tun_id) than the
// packet's are left out before matching (src/smt/openflow.ts `sieve`): their matches are false, so the
// walk must be the same term for term. Held to meeting every flow (`flowSieve.on = false`) on two
// shipped topologies (VXLAN and VLAN) and the small bench size (two network nodes, each br-tun with a
// flow per network in tables 4 and 22): VM ports' packets explored as the built-in properties' `near`
// searches explore them (and on provider.yaml as a `whole` one), each side on a dataplane assembled
// afresh (its own walker and memo) — the same ends, in order, with the same path conditions and final
// packets printed alike. The flows left out must be many (so the comparison is not vacuous). Every
// shipped topology, both scopes and every sender (20,603 ends, 45,437 flows left out) passed once;
// kept small here for time.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadTopologyText, loadTopologyFile } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { explore, shutdownZ3, telling } from '../../src/smt/index.ts';
import { endKey } from '../../src/smt/merge.ts';
import { flowSieve } from '../../src/smt/openflow.ts';
import { portSender } from '../../src/questions/senders.ts';
import type { Station } from '../../src/ir/dataplane.ts';
import type { Topology } from '../../src/topology/model.ts';
import { SIZES, generateTopologyText } from '../../bench/generate.ts';

afterAll(async () => { await shutdownZ3(); });
afterEach(() => { flowSieve.on = true; });

/** Every VM port's ends, printed: kind and place, path condition, final packet. */
async function walks(topo: Topology, sieve: boolean, every: number, scopes: readonly boolean[]): Promise<string[]> {
  flowSieve.on = sieve;
  const dp = assembleDataplane(topo, renderTopology(topo));
  const converged = createEvaluator(dp).converged;
  const out: string[] = [];
  for (const [i, s] of dp.stations.filter((x) => x.kind === 'vm-port').entries()) {
    if (i % every !== 0) continue;
    const src = portSender(topo, s as Extract<Station, { kind: 'vm-port' }>);
    for (const near of scopes) {
      const x = await explore(dp, [src], {}, { converged, keep: telling, onlyTelling: true, ...(near ? { stopAcrossExternal: true } : {}) });
      for (const o of x.outcomes) out.push(`${s.vm}:${s.index} ${near} ${endKey(o.end)} | ${String(o.cond)} | ${Object.values(o.final).map(String).join(',')}`);
    }
  }
  return out;
}

describe('flows sieved by VLAN and tunnel key', () => {
  it('leave every walk as meeting every flow does', async () => {
    // Every VM port of two shipped topologies (VXLAN and VLAN); a sixteenth of the small size's (alike by construction).
    const topos: [string, Topology, number][] = [];
    const dir = fileURLToPath(new URL('../../topologies/', import.meta.url));
    for (const f of readdirSync(dir).filter((x) => x === 'provider.yaml' || x === 'seed-vlan.yaml')) {
      const t = loadTopologyFile(`${dir}${f}`);
      if (t.ok) topos.push([f, t.value, 1]);
    }
    const small = loadTopologyText(generateTopologyText(SIZES.find((x) => x.name === 'small')!), 'small.yaml');
    if (!small.ok) throw new Error('small does not load');
    topos.push(['small', small.value, 16]);
    let ends = 0;
    const left0 = flowSieve.left;
    for (const [name, topo, every] of topos) {
      // provider.yaml also as a `whole` search explores it.
      const scopes = name === 'provider.yaml' ? [true, false] : [true];
      const on = await walks(topo, true, every, scopes);
      const off = await walks(topo, false, every, scopes);
      expect(on, name).toEqual(off);
      ends += on.length;
    }
    const left = flowSieve.left - left0;
    console.log(`flow sieve: ${topos.length} topologies, ${ends} ends the same, ${left} flows left out`);
    expect(left).toBeGreaterThan(500);
  }, 120_000);
});
