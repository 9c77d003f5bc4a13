// Solver ≡ evaluator where ports are in stateless security groups (their raw rules `-j CT --notrack`):
// every feasible end of a free first packet from every station of the stateless fixture — VMs in
// stateless groups behind a router with a floating IP (whose packets to their own floating IP come back
// to their own, untracked, firewall), on a provider network, and the outside worlds sending in — is
// replayed through the evaluator and must end in the same place with the same headers.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { untrackedPort } from '../../src/render/linux/zones.ts';
import { expectEveryStationAgrees } from './every-station.ts';

afterAll(async () => { await shutdownZ3(); });

describe('solver and evaluator agree on stateless ports', () => {
  it('every feasible end from every station, replayed', async () => {
    const loaded = loadModel(new URL('../properties/topologies/stateless.yaml', import.meta.url).pathname);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const m = loaded.value;
    expect(m.topology.ports.filter((p) => untrackedPort(m.topology, p)).map((p) => p.name).sort()).toEqual(['vm1:0', 'vm3:0', 'vm4:0']);
    await expectEveryStationAgrees(m);
  }, 120_000);
});
