import { describe, it, expect } from 'vitest';
import { loadTopologyFile, type Topology } from '../../src/topology/index.ts';

function load(path: string): Topology {
  const r = loadTopologyFile(path);
  if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
  return r.value;
}

describe('example topologies', () => {
  it('seed.yaml loads', () => {
    expect(load('topologies/seed.yaml').ports).toHaveLength(10);
  });

  it('seed-vlan.yaml puts the tenant networks on VLANs of physnet1 through br-vlan', () => {
    const t = load('topologies/seed-vlan.yaml');
    expect(t.networks.map((n) => [n.name, n.type, n.physicalNetwork, n.segmentationId])).toEqual([
      ['public', 'flat', 'external', null],
      ['net1', 'vlan', 'physnet1', 101],
      ['net2', 'vlan', 'physnet1', 102],
    ]);
    for (const h of t.hosts) expect(h.bridgeMappings['physnet1']).toBe('br-vlan');
    expect(t.hosts.find((h) => h.name === 'network1')?.bridgeMappings).toEqual({ external: 'br-ex', physnet1: 'br-vlan' });
    const ssh = t.securityGroups.find((g) => g.name === 'ssh')?.id;
    expect(t.vms.find((v) => v.name === 'vm4')?.ports[0]?.securityGroups).toContain(ssh);
    expect(t.floatingIps[0]?.router).toBe('router1');
  });

  it('provider.yaml has shared flat and VLAN provider networks, no router, DHCP on the network node', () => {
    const t = load('topologies/provider.yaml');
    expect(t.routers).toEqual([]);
    expect(t.networks.map((n) => [n.name, n.type, n.shared, n.external, n.segmentationId])).toEqual([
      ['provider-flat', 'flat', true, false, null],
      ['provider-vlan', 'vlan', true, false, 200],
    ]);
    expect(t.dhcpHosts).toEqual({ 'provider-flat': ['network1'], 'provider-vlan': ['network1'] });
    expect(new Set(t.vms.map((v) => v.host))).toEqual(new Set(['compute1', 'compute2']));
    expect(t.ports.find((p) => p.name === 'web2:0')?.ip).toBe('198.51.100.3'); // after the DHCP port's .2
  });
});
