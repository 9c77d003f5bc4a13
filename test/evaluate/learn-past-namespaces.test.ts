// A learning walk does not count against its copy limit the copies of an announcement that end in a
// namespace (src/evaluate/walk.ts): a flood on an external network reaches every router's qg- port, and
// counting those stopped an announcement before it reached the last network nodes once the routers
// outnumbered the limit (at 10,000 VMs, 1,000 routers against 512), which then never learned the
// announcer's MAC and flooded every frame to it to all their routers. Here the medium bench size (40
// routers on 2 network nodes) under a copy limit of 16, below its routers but above the copies an
// announcement follows, learns exactly what it learns under the default limits.
import { describe, expect, it } from 'vitest';
import { loadTopologyText } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { SIZES, generateTopologyText } from '../../bench/generate.ts';

describe('convergence past a flood into many routers', () => {
  it('a copy limit below the routers on the external network learns what the default limits learn', () => {
    const size = SIZES.find((s) => s.name === 'medium')!;
    const topo = loadTopologyText(generateTopologyText(size), 'medium.yaml');
    if (!topo.ok) throw new Error(JSON.stringify(topo.errors));
    const dp = assembleDataplane(topo.value, renderTopology(topo.value));
    const gateways = dp.hosts.flatMap((h) => h.namespaces.flatMap((n) => n.interfaces.filter((i) => i.name.startsWith('qg-'))));
    const limit = 16;
    expect(gateways.length).toBeGreaterThan(limit);
    const full = createEvaluator(dp).converged;
    const limited = createEvaluator(dp, { limits: { maxLeaves: limit } }).converged;
    expect(limited.fdb.length).toBe(full.fdb.length);
    expect(limited).toEqual(full);
  });
});
