// security-groups and segment-isolation: both hold on the rendered basic cloud; an ingress chain
// rendered without its fallback drop lets in what the groups never allowed, and a br-tun flow that
// tunnels net1's local VLAN with net2's VNI breaks segment isolation (a rule-level finding).
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { segmentIsolation } from '../../src/questions/properties/segment-isolation.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

describe('security-groups', () => {
  it('holds for every port of the rendered basic cloud', async () => {
    const rs = await securityGroups.check(context('basic'));
    expect(rs.map((r) => [r.subject, r.verdict])).toEqual([['port:vm1:0', 'holds'], ['port:vm2:0', 'holds']]);
  });

  it('an ingress chain without its fallback drop is violated, with a replayed witness the intent forbids', async () => {
    const ctx = context('basic', edit(/compute1\/iptables-save$/, dropLines(/^-A neutron-openvswi-i\S+ .*-j neutron-openvswi-sg-fallback$/)));
    const rs = await securityGroups.check(ctx);
    const vm1 = rs.find((r) => r.subject === 'port:vm1:0')!;
    expect(vm1.verdict).toBe('violated');
    expect(vm1.error).toBeUndefined();
    expect(vm1.message).toMatch(/^ingress:/);
    expect(vm1.trace!.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm1', port: 0 });
    // vm1's groups allow TCP 22 and traffic from the default group's members only.
    const w = vm1.trace!.final;
    expect(w.proto === 6 && w.dport === 22).toBe(false);
  });
});

describe('segment-isolation', () => {
  it('holds for each network of the basic cloud', async () => {
    const rs = await segmentIsolation.check(context('basic'));
    expect(rs.map((r) => r.verdict)).toEqual(['holds', 'holds', 'holds']);
  });

  it('a tunnel flow with the wrong VNI is a violation naming the rule', async () => {
    const ctx = context('basic', edit(/compute1\/br-tun\.dump-flows$/, (t) => t.replace('load:0x65->NXM_NX_TUN_ID[]', 'load:0x66->NXM_NX_TUN_ID[]')));
    const rs = await segmentIsolation.check(ctx);
    const net1 = rs.find((r) => r.subject === 'network:net1')!;
    expect(net1.verdict).toBe('violated');
    expect(net1.message).toContain('leaves with key 102, not 101');
    expect(rs.find((r) => r.subject === 'network:net2')!.verdict).toBe('holds');
  });
});
