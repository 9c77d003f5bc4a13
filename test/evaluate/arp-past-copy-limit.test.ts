// An ARP request floods its whole segment and is answered only where it reaches the owner of the
// address, so the copy limit that bounds a traced flood (`maxLeaves`) must not bound it: on an external
// network with more router ports than the limit (1,000 routers at the bench's 10,000 VMs, limit 512),
// owners past the limit went unanswered and every question needing them was unknown. Held here with a
// limit of one copy: every address on the seed's external and tenant networks resolves to the MAC the
// default limits give, with nothing left uncertain.
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';

describe('ARP resolution past the copy limit', () => {
  const m = loadModel('topologies/seed.yaml');
  if (!m.ok) throw new Error('seed.yaml does not load');
  const dp = m.value.dataplane;
  const roomy = createEvaluator(dp);
  const tight = createEvaluator(dp, { limits: { maxLeaves: 1 } });
  const outside = dp.stations.find((s) => s.kind === 'outside')!;
  const vm = dp.stations.find((s) => s.kind === 'vm-port')!;
  const asked = [
    ...m.value.topology.routers.flatMap((r) => (r.gateway ? [{ from: outside, ip: r.gateway.port.ip }] : [])),
    ...m.value.topology.floatingIps.map((f) => ({ from: outside, ip: f.ip })),
    ...m.value.topology.ports.filter((p) => vm.kind === 'vm-port' && p.network === vm.network && p.ip !== vm.ip).map((p) => ({ from: vm, ip: p.ip })),
  ];

  it('answers every address the default limits answer, with nothing uncertain', () => {
    let flooded = 0;
    for (const { from, ip } of asked) {
      const want = roomy.resolveArp(from, ip);
      const got = tight.resolveArp(from, ip);
      expect(want.mac, `${ip} resolves under the default limits`).not.toBeNull();
      expect(got.mac, `${ip} with a limit of one copy`).toBe(want.mac);
      expect(got.trace.uncertain, ip).toEqual([]);
      if (got.trace.branches.length > 0) flooded++;
    }
    console.log(`arp past the copy limit: ${asked.length} addresses resolved with a limit of one copy, ${flooded} of them by a request that reached more than one place`);
    expect(flooded).toBeGreaterThan(0);
  });
});
