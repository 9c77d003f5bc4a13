// ha-failover counts the standard flows of an HA router's ports that cross the router. On
// topologies/failover-legacy-gateway.yaml, vm2's gateway is the legacy router side (on network1), so
// vm2:0 → vm1:0 never crosses edge, and it dies with network1 whatever edge does: not edge's failover.
// The flows that do cross edge (vm1:0 out to the internet, vm1:0 → vm2:0) are still checked: with
// network2's instance of edge dropping forwarded ICMP, losing network1 loses vm1:0's ICMP flows.
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { modelFromTopology } from '../../src/pipeline.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import { verifyScenario } from '../../src/questions/verify-scenario.ts';
import { injected, loadTopo, nsOf } from './inject.ts';

afterAll(async () => { await shutdownZ3(); });

const topo = loadTopo(fileURLToPath(new URL('./topologies/failover-legacy-gateway.yaml', import.meta.url)));
const NONE = { failures: { down: [], cuts: [] }, pins: new Map<string, string>() };
const failover = async (dp: Dataplane) => (await verifyScenario(topo, dp, NONE, [], [], { timeoutMs: 10_000, haInvariants: true })).find((r) => r.property === 'ha-failover' && r.subject === 'router:edge')!;

describe('ha-failover: only flows across the HA router count', () => {
  it('as rendered, holds: vm2:0 → vm1:0 goes through the legacy router side, which fails with network1', async () => {
    const r = await failover(modelFromTopology(topo).dataplane);
    expect(r.verdict).toBe('holds');
    // vm1:0 to the internet (icmp, tcp 443) and to vm2:0 cross edge; vm2:0's flows do not.
    expect(r.message).toMatch(/^for each single failure of its hosts \(network1, network2\), the 3 standard flows of edge's ports that got through it under a master still do/);
  });

  it("network2's instance of edge dropping forwarded ICMP: violated when network1 fails, an ICMP flow of vm1:0 lost", async () => {
    const ns = nsOf(topo, 'edge');
    const dp = injected(topo, (path, text) => (path === `network2/${ns}.iptables-save` ? text.replace('-A FORWARD -j neutron-filter-top', '-A FORWARD -p icmp -j DROP\n-A FORWARD -j neutron-filter-top') : null));
    const r = await failover(dp);
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^when network1 fails, vm1:0 → (8\.8\.8\.8|vm2:0) \(icmp\) no longer gets through \(dropped/);
  });
});
