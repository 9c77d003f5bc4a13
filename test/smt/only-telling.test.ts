// A walker that keeps only the ends that tell something (`onlyTelling`, for the built-in properties)
// gives the same telling ends as a walker that keeps everything and filters afterwards: the same
// places, the same packets, on every sender of the shipped topologies and a generated one.
import { afterAll, describe, expect, it } from 'vitest';
import { explore, shutdownZ3, telling } from '../../src/smt/index.ts';
import { endKey } from '../../src/smt/merge.ts';
import type { SymPacket } from '../../src/smt/headers.ts';
import { loadModel, modelFromTopology } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { generateTopologyText, SIZES } from '../../bench/generate.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';

afterAll(async () => { await shutdownZ3(); });

function model(name: string): Dataplane {
  if (name === 'bench small') {
    const t = loadTopologyText(generateTopologyText(SIZES.find((s) => s.name === 'small')!), 'small.yaml');
    if (!t.ok) throw new Error(JSON.stringify(t.errors));
    return modelFromTopology(t.value).dataplane;
  }
  const m = loadModel(`topologies/${name}.yaml`);
  if (!m.ok) throw new Error(JSON.stringify(m.errors));
  return m.value.dataplane;
}

describe('walking with only the telling ends kept', () => {
  it.each(['seed', 'seed-vlan', 'provider', 'bench small'])('gives the telling ends of a full walk on %s', async (name) => {
    const dp = model(name);
    const converged = createEvaluator(dp).converged;
    let compared = 0;
    for (const s of dp.stations) {
      // Packets by value or by term text (walkers with different options build their own, equal, terms).
      const text = (p: SymPacket) => Object.values(p).map((v) => (v === null ? '-' : String(v))).join('|');
      const key = (x: Awaited<ReturnType<typeof explore>>) => x.outcomes.map((o) => `${endKey(o.end)}#${text(o.end.path.packet)}`).sort();
      const all = await explore(dp, [s], {}, { converged, keep: telling });
      const only = await explore(dp, [s], {}, { converged, keep: telling, onlyTelling: true });
      expect(key(only)).toEqual(key(all));
      compared += all.outcomes.length;
    }
    expect(compared).toBeGreaterThan(20);
  });
});
