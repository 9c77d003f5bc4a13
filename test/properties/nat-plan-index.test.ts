// nat-egress's plans found through indexes (natPlanIndexSwitch, nat-egress.ts `planIndex`) against the
// scans they replace: for every router with a gateway of the shipped and test topologies, 40 generated
// ones and the bench's tiny, small and medium sizes (medium also with VLAN tenants and HA routers), the
// plan — the ports behind the router in station order, one representative per class, the sources
// each may leave with, whether a subnet is shared — is the same with the indexes as with the scans.
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadModel, modelFromTopology } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { arbitraryTopology, modelOf } from '../../src/testing/index.ts';
import { generateTopologyText, SIZES } from '../../bench/generate.ts';
import { plan, planIndex } from '../../src/questions/properties/nat-egress.ts';
import type { Topology } from '../../src/topology/model.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import type { VmStation } from '../../src/questions/properties/common.ts';

const GENERATED = 40;
const SEED = 20261208;

interface Tally { topologies: number; routers: number; classes: number; withFip: number; multiSubnet: number; shared: number }

function compare(topo: Topology, dp: Dataplane, t: Tally): void {
  const vms = dp.stations.filter((s): s is VmStation => s.kind === 'vm-port');
  const index = planIndex(topo, vms);
  t.topologies++;
  for (const r of topo.routers.filter((x) => x.gateway !== null)) {
    const fast = plan(topo, vms, index, r);
    const scanned = plan(topo, vms, null, r);
    expect(fast, `${topo.file}: router ${r.name}`).toEqual(scanned);
    // The same objects, not copies alike: the plan holds the stations themselves.
    expect(fast.reps.map((x) => x.rep)).toEqual(scanned.reps.map((x) => x.rep));
    fast.reps.forEach((x, i) => expect(x.rep).toBe(scanned.reps[i]!.rep));
    t.routers++;
    t.classes += fast.reps.length;
    t.withFip += fast.reps.filter((x) => x.allowed.fixed.length > 0).length;
    if (new Set(r.interfaces.map((i) => i.subnet)).size > 1 && fast.behind > 0) t.multiSubnet++;
    if (fast.shared) t.shared++;
  }
}

function fromText(text: string, name: string): { topo: Topology; dp: Dataplane } {
  const t = loadTopologyText(text, name);
  if (!t.ok) throw new Error(`${name}: ${JSON.stringify(t.errors.slice(0, 3))}`);
  const m = modelFromTopology(t.value);
  return { topo: m.topology, dp: m.dataplane };
}

describe('nat-egress plans through indexes', () => {
  it('are the plans the scans give, router by router', () => {
    const t: Tally = { topologies: 0, routers: 0, classes: 0, withFip: 0, multiSubnet: 0, shared: 0 };
    for (const dir of ['topologies/', 'test/properties/topologies/']) {
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
        const m = loadModel(`${dir}${f}`);
        if (!m.ok) throw new Error(`${f}: ${JSON.stringify(m.errors.slice(0, 3))}`);
        compare(m.value.topology, m.value.dataplane, t);
      }
    }
    for (const g of fc.sample(arbitraryTopology({ minRouters: 1 }), { numRuns: GENERATED, seed: SEED })) {
      const m = modelOf(g);
      compare(m.topology, m.dataplane, t);
    }
    const sizes = SIZES.filter((s) => s.name !== 'large');
    const medium = SIZES.find((s) => s.name === 'medium')!;
    for (const s of [...sizes, { ...medium, tenant: 'vlan' as const }, { ...medium, ha: true }]) {
      const b = fromText(generateTopologyText(s), `${s.name}.yaml`);
      compare(b.topo, b.dp, t);
    }
    console.log(`nat-egress plans: ${t.topologies} topologies, ${t.routers} routers, ${t.classes} classes (${t.withFip} with a floating IP), ${t.multiSubnet} routers with ports on several subnets, ${t.shared} with a subnet behind several routers`);
    // Every kind of plan the indexes could get wrong was met.
    expect(t.routers).toBeGreaterThan(100);
    expect(t.withFip).toBeGreaterThan(10);
    expect(t.multiSubnet).toBeGreaterThan(10);
    expect(t.shared).toBeGreaterThan(0);
  }, 300_000);
});
