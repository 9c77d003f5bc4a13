// L3 HA in the resolved topology: HA routers and their instances, the per-project HA network, VRIDs,
// ha- ports, the rendered master, DHCP agents spread over network nodes, local VLANs on every host of a
// router for its replicated qr-/qg- ports.
import { describe, expect, it } from 'vitest';
import { loadTopologyFile, loadTopologyText } from '../../src/topology/index.ts';
import type { Topology } from '../../src/topology/model.ts';

function load(text: string): Topology {
  const r = loadTopologyText(text, 't.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const ha = (() => {
  const r = loadTopologyFile('topologies/ha.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
})();

describe('topologies/ha.yaml', () => {
  const router = (n: string) => ha.routers.find((r) => r.name === n)!;

  it('has two HA routers on one HA network with VRIDs 1 and 2, and a legacy router', () => {
    expect(ha.routers.map((r) => [r.name, r.hosts, r.ha?.vrid ?? null, r.ha?.network ?? null])).toEqual([
      ['edge', ['network1', 'network2'], 1, 'HA network project demo'],
      ['backend', ['network1', 'network2'], 2, 'HA network project demo'],
      ['ops-router', ['network1'], null, null],
    ]);
  });

  it('adds the HA network: 169.254.192.0/18 without DHCP or gateway, the tenant type, the next free VNI, no project', () => {
    const net = ha.networks.find((n) => n.ha)!;
    expect(net).toMatchObject({ name: 'HA network project demo', project: null, external: false, type: 'vxlan', segmentationId: 1 });
    expect(net.subnets).toEqual([expect.objectContaining({ cidr: '169.254.192.0/18', gateway: null, dhcp: false })]);
    expect(ha.networks.filter((n) => n.ha)).toHaveLength(1);
  });

  it('gives each instance an ha- port on it, numbered in host order, and binds the qr-/qg- ports to the master', () => {
    const edge = router('edge');
    expect(edge.ha!.ports.map((p) => [p.name, p.ip, p.host, p.deviceOwner])).toEqual([
      ['edge:ha:network1', '169.254.192.1', 'network1', 'network:router_ha_interface'],
      ['edge:ha:network2', '169.254.192.2', 'network2', 'network:router_ha_interface'],
    ]);
    expect(router('backend').ha!.ports.map((p) => p.ip)).toEqual(['169.254.192.3', '169.254.192.4']);
    // VRRP's tie-break at a common start: equal priorities, the highest primary (ha-) address wins.
    expect(edge.ha!.master).toBe('network2');
    expect(edge.interfaces[0]!.port).toMatchObject({ deviceOwner: 'network:ha_router_replicated_interface', host: 'network2', hosts: ['network1', 'network2'] });
    expect(edge.gateway!.port).toMatchObject({ deviceOwner: 'network:router_gateway', host: 'network2', hosts: ['network1', 'network2'] });
    expect(router('ops-router').interfaces[0]!.port).toMatchObject({ deviceOwner: 'network:router_interface', host: 'network1', hosts: ['network1'] });
  });

  it('spreads DHCP over both network nodes (dhcp_agents_per_network: 2), one port per agent', () => {
    expect(ha.dhcpHosts).toEqual({ web: ['network1', 'network2'], db: ['network1', 'network2'], ops: ['network1', 'network2'] });
    expect(ha.ports.filter((p) => p.deviceOwner === 'network:dhcp' && p.network === 'web').map((p) => [p.name, p.ip, p.host])).toEqual([
      ['dhcp:web:web-v4', '192.168.1.2', 'network1'],
      ['dhcp:web:web-v4:network2', '192.168.1.3', 'network2'],
    ]);
  });

  it('gives every host of an HA router local VLANs for its networks and the HA network', () => {
    for (const h of ['network1', 'network2']) {
      expect(Object.keys(ha.localVlans[h]!).sort()).toEqual(['HA network project demo', 'db', 'ops', 'public', 'web']);
    }
    expect(ha.haVrrpAdvertInt).toBe(2);
  });
});

describe('HA details derived from the file', () => {
  const base = (routers: string, defaults = '') => `
${defaults}
hosts:
  c1: { role: compute, tunnel_ip: 10.0.0.1 }
  n1: { role: network, tunnel_ip: 10.0.0.2 }
  n2: { role: network, tunnel_ip: 10.0.0.3 }
  n3: { role: network, tunnel_ip: 10.0.0.4 }
  n4: { role: network, tunnel_ip: 10.0.0.5 }
networks:
  t1: { project: p, type: vxlan, segmentation_id: 1, subnets: { s1: { cidr: 10.1.0.0/24 } } }
  t2: { project: p, type: gre, segmentation_id: 7, subnets: { s2: { cidr: 10.2.0.0/24 } } }
routers:
${routers}`;

  it('pins VRIDs and fills the lowest free ones around them, per project', () => {
    const t = load(base(['  a: { project: p, ha: {}, hosts: [n1, n2], interfaces: [s1] }', '  b: { project: p, ha: { vrid: 1 }, hosts: [n1, n2] }', '  c: { project: p, hosts: [n1, n2] }', '  d: { project: q, hosts: [n1, n2] }'].join('\n')));
    expect(t.routers.map((r) => [r.name, r.ha?.vrid])).toEqual([['a', 2], ['b', 1], ['c', 3], ['d', 1]]);
    expect(t.networks.filter((n) => n.ha).map((n) => [n.name, n.type, n.segmentationId])).toEqual([
      ['HA network project p', 'vxlan', 2],
      ['HA network project q', 'vxlan', 3],
    ]);
  });

  it('an HA router without hosts gets the first three network nodes; ha: {} on one host makes a one-instance HA router', () => {
    const t = load(base(['  a: { project: p, ha: {}, interfaces: [s1] }', '  b: { project: p, ha: {}, hosts: [n4], interfaces: [s2] }'].join('\n')));
    expect(t.routers.map((r) => [r.name, r.hosts, r.ha?.master])).toEqual([['a', ['n1', 'n2', 'n3'], 'n3'], ['b', ['n4'], 'n4']]);
  });

  it('an observed active instance is the rendered master', () => {
    const t = load(base('  a: { project: p, hosts: [n1, n2], ha_state: { n1: active, n2: standby }, interfaces: [s1] }'));
    expect(t.routers[0]!.ha).toMatchObject({ master: 'n1', observed: { n1: 'active', n2: 'standby' } });
  });

  it('follows l3_ha_network_type and the advert interval', () => {
    const t = load(base('  a: { project: p, hosts: [n1, n2] }', 'defaults: { l3_ha_network_type: gre, ha_vrrp_advert_int: 1 }'));
    expect(t.networks.find((n) => n.ha)).toMatchObject({ type: 'gre', segmentationId: 1 });
    expect(t.haVrrpAdvertInt).toBe(1);
  });

  it('spreads DHCP agents least-loaded first, in file order among equals', () => {
    const text = base('  a: { project: p, hosts: [n1, n2] }').replace('networks:', 'networks:\n  t3: { project: p, type: vxlan, subnets: { s3: { cidr: 10.3.0.0/24 } } }');
    const t = load(text);
    expect(t.dhcpHosts).toEqual({ t3: ['n1'], t1: ['n2'], t2: ['n3'] });
    expect(load(text.replace('hosts:', 'defaults: { dhcp_agents_per_network: 3 }\nhosts:')).dhcpHosts).toEqual({ t3: ['n1', 'n2', 'n3'], t1: ['n1', 'n2', 'n4'], t2: ['n1', 'n3', 'n4'] });
  });
});
