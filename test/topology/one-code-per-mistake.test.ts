// One mistake, one code: a missing field is NP103 whatever its type, and what follows from a mistake
// already reported is not reported again under another code. Found by the invalid topology families
// (test/generators/invalid.test.ts), which require exactly their code for each mistake.
import { describe, expect, it } from 'vitest';
import { loadTopologyText } from '../../src/topology/index.ts';

const BASE = [
  'hosts:',
  '  c1: { role: compute, tunnel_ip: 10.0.0.1, bridge_mappings: { physnet1: br-vlan } }',
  '  n1: { role: network, tunnel_ip: 10.0.0.2, bridge_mappings: { physnet1: br-vlan } }',
  'networks:',
  '  t1: { project: p, type: vxlan, subnets: { s1: { cidr: 10.1.0.0/24 } } }',
  '  v1: { project: p, type: vlan, physical_network: physnet1, subnets: { s2: { cidr: 10.2.0.0/24 } } }',
  'routers:',
  '  r1: { interfaces: [s1, s2] }',
  'vms:',
  '  vm1: { project: p, host: c1, ports: [{ network: v1 }] }',
];
const codes = (lines: string[]) => {
  const r = loadTopologyText(lines.join('\n'), 't.yaml');
  return r.ok ? [] : r.errors.map((e) => `${e.code} ${e.path}`);
};

describe('one code per mistake', () => {
  it('the base loads', () => expect(codes(BASE)).toEqual([]));

  it('a host without a role (a union of a name and a list) is NP103, not NP102', () => {
    expect(codes(BASE.map((l, i) => (i === 1 ? '  c1: { tunnel_ip: 10.0.0.1, bridge_mappings: { physnet1: br-vlan } }' : l)))).toEqual(['NP103 hosts.c1.role']);
  });

  it('a network without a type (an enum) is NP103, not NP102', () => {
    expect(codes(BASE.map((l, i) => (i === 4 ? '  t1: { project: p, subnets: { s1: { cidr: 10.1.0.0/24 } } }' : l)))).toEqual(['NP103 networks.t1.type']);
  });

  it('a VLAN network without physical_network is one NP103, not also NP402/NP407 for every host and port on it', () => {
    expect(codes(BASE.map((l, i) => (i === 5 ? '  v1: { project: p, type: vlan, subnets: { s2: { cidr: 10.2.0.0/24 } } }' : l)))).toEqual(['NP103 networks.v1']);
  });

  it('a VLAN network without physical_network but with dhcp_hosts is one NP103, not also NP402 per DHCP host', () => {
    expect(codes(BASE.map((l, i) => (i === 5 ? '  v1: { project: p, type: vlan, dhcp_hosts: [n1], subnets: { s2: { cidr: 10.2.0.0/24 } } }' : l)))).toEqual(['NP103 networks.v1']);
  });

  it('a router gateway on a network that is not external is NP102, not also NP316 for its interfaces on that network', () => {
    expect(codes(BASE.map((l, i) => (i === 7 ? '  r1: { gateway: { network: t1 }, interfaces: [s1, s2] }' : l)))).toEqual(['NP102 routers.r1.gateway.network']);
  });

  it('an HA router with an observed state but no network node left is NP407, not also NP409 for each state', () => {
    const lines = BASE.map((l, i) => (i === 2 ? '  n1: { role: compute, tunnel_ip: 10.0.0.2, bridge_mappings: { physnet1: br-vlan } }' : i === 7 ? '  r1: { ha: {}, ha_state: { n1: active }, interfaces: [s1] }' : l));
    expect(codes(lines).every((c) => c.startsWith('NP407'))).toBe(true);
  });
});
