import { describe, it, expect } from 'vitest';
import { loadTopologyFile, loadTopologyText, type Topology } from '../../src/topology/index.ts';
import { deriveId } from '../../src/topology/ids.ts';

function load(path: string): Topology {
  const r = loadTopologyFile(path);
  if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
  return r.value;
}

describe('seed.yaml', () => {
  const t = load('topologies/seed.yaml');

  it('takes the defaults', () => {
    expect(t.release).toBe('2024.1');
    expect(t.firewallDriver).toBe('iptables_hybrid');
    expect(t.l2Population).toBe(true);
    expect(t.arpResponder).toBe(false);
    expect(t.file).toBe('topologies/seed.yaml');
  });

  it('resolves hosts and networks', () => {
    expect(t.hosts.map((h) => [h.name, h.compute, h.network, h.tunnelIp])).toEqual([
      ['compute1', true, false, '10.0.0.11'],
      ['compute2', true, false, '10.0.0.12'],
      ['network1', false, true, '10.0.0.21'],
    ]);
    const net1 = t.networks.find((n) => n.name === 'net1');
    expect(net1).toMatchObject({ type: 'vxlan', segmentationId: 101, project: 'demo', external: false, id: deriveId('network', 'net1') });
    expect(net1?.subnets[0]).toMatchObject({ cidr: '192.168.1.0/24', networkAddress: '192.168.1.0', prefixLen: 24, gateway: '192.168.1.1', dhcp: true });
    expect(t.networks.find((n) => n.name === 'public')).toMatchObject({ external: true, type: 'flat', physicalNetwork: 'external', segmentationId: null });
  });

  it('orders ports DHCP, router, VM and allocates DHCP addresses first', () => {
    expect(t.ports.map((p) => [p.name, p.ip, p.deviceOwner, p.host])).toEqual([
      ['dhcp:public:public-v4', '203.0.113.2', 'network:dhcp', 'network1'],
      ['dhcp:net1:subnet1', '192.168.1.2', 'network:dhcp', 'network1'],
      ['dhcp:net2:subnet2', '192.168.2.2', 'network:dhcp', 'network1'],
      ['router1:subnet1', '192.168.1.1', 'network:router_interface', 'network1'],
      ['router1:subnet2', '192.168.2.1', 'network:router_interface', 'network1'],
      ['router1:gateway', '203.0.113.10', 'network:router_gateway', 'network1'],
      ['vm1:0', '192.168.1.11', 'compute:nova', 'compute1'],
      ['vm2:0', '192.168.1.12', 'compute:nova', 'compute2'],
      ['vm3:0', '192.168.2.13', 'compute:nova', 'compute1'],
      ['vm4:0', '192.168.2.14', 'compute:nova', 'compute2'],
    ]);
    expect(t.dhcpHosts).toEqual({ public: ['network1'], net1: ['network1'], net2: ['network1'] });
  });

  it('derives unique Neutron MACs and name-based port ids', () => {
    const macs = t.ports.map((p) => p.mac);
    expect(new Set(macs).size).toBe(macs.length);
    for (const m of macs) expect(m).toMatch(/^fa:16:3e(:[0-9a-f]{2}){3}$/);
    expect(t.ports.find((p) => p.name === 'vm1:0')?.id).toBe(deriveId('port', 'vm1:0'));
    expect(load('topologies/seed.yaml').ports.map((p) => p.mac)).toEqual(macs); // stable across loads
  });

  it('gives VM ports their security groups and network ports none', () => {
    const sg = (name: string) => t.securityGroups.find((g) => g.name === name)?.id;
    expect(t.ports.find((p) => p.name === 'vm1:0')?.securityGroups).toEqual([sg('default'), sg('ssh')]);
    expect(t.ports.find((p) => p.name === 'vm2:0')?.securityGroups).toEqual([sg('default')]);
    expect(t.ports.find((p) => p.name === 'vm2:0')?.portSecurity).toBe(true);
    expect(t.ports.find((p) => p.name === 'router1:subnet1')?.securityGroups).toEqual([]);
  });

  it("builds Neutron's default group and adds automatic egress rules to written groups", () => {
    const def = t.securityGroups.find((g) => g.name === 'default');
    expect(def?.rules.map((r) => [r.direction, r.ethertype, r.remoteGroup])).toEqual([
      ['ingress', 'IPv4', def?.id],
      ['ingress', 'IPv6', def?.id],
      ['egress', 'IPv4', null],
      ['egress', 'IPv6', null],
    ]);
    const ssh = t.securityGroups.find((g) => g.name === 'ssh');
    expect(ssh?.id).toBe(deriveId('security_group', 'demo/ssh'));
    expect(ssh?.rules.map((r) => [r.direction, r.ethertype, r.protocol, r.portMin, r.portMax])).toEqual([
      ['ingress', 'IPv4', 6, 22, 22],
      ['ingress', 'IPv4', 1, null, null],
      ['egress', 'IPv4', null, null, null],
      ['egress', 'IPv6', null, null, null],
    ]);
  });

  it('resolves the router and the floating IP', () => {
    const r = t.routers[0];
    expect(r?.hosts).toEqual(['network1']);
    expect(r?.gateway).toMatchObject({ network: 'public', subnet: 'public-v4', snat: true });
    expect(r?.interfaces.map((i) => [i.subnet, i.port.ip])).toEqual([['subnet1', '192.168.1.1'], ['subnet2', '192.168.2.1']]);
    const vm4 = t.ports.find((p) => p.name === 'vm4:0');
    expect(t.floatingIps).toEqual([
      { id: deriveId('floatingip', '203.0.113.101'), ip: '203.0.113.101', network: 'public', portId: vm4?.id, vm: 'vm4', portIndex: 0, fixedIp: '192.168.2.14', router: 'router1' },
    ]);
  });

  it('numbers local VLANs per host in port order', () => {
    expect(t.localVlans).toEqual({
      network1: { public: 1, net1: 2, net2: 3 },
      compute1: { net1: 1, net2: 2 },
      compute2: { net1: 1, net2: 2 },
    });
  });
});

describe('derivations beyond the seed', () => {
  const text = `
hosts:
  aio: { role: [compute, network], tunnel_ip: 10.0.0.1, bridge_mappings: { ext: br-ex } }
networks:
  ext: { external: true, type: flat, physical_network: ext, subnets: { ext-v4: { cidr: 203.0.113.0/28, dhcp: false } } }
  a: { project: p, type: vxlan, subnets: { sa: { cidr: 10.1.0.0/24 } } }
  b: { project: p, type: gre, segmentation_id: 1, subnets: { sb: { cidr: 10.2.0.0/24, dhcp: false } } }
  c: { project: p, type: vxlan, segmentation_id: 1, subnets: { sc: { cidr: 10.3.0.0/24, gateway: null } } }
routers:
  r: { gateway: { network: ext, snat: false }, interfaces: [sa, { subnet: sb, ip: 10.2.0.254 }] }
security_groups:
  p:
    web: { rules: [{ direction: ingress, protocol: tcp, port: "80-90", remote_group: web }], auto_egress: false }
vms:
  v1: { project: p, host: aio, ports: [{ network: a }, { network: b, port_security: false }, { network: c, mac: FA:16:3E:00:00:09, allowed_address_pairs: [{ ip_address: 10.3.0.0/24 }] }] }
  v2: { project: p, host: aio, ports: [{ network: a, security_groups: [web] }] }
floating_ips:
  - { ip: 203.0.113.5, vm: v1 }
`;
  const r = loadTopologyText(text, 'x.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
  const t = r.value;

  it('allocates the lowest free address, DHCP ports first, then gateways, then VMs', () => {
    expect(t.ports.map((p) => [p.name, p.ip])).toEqual([
      ['dhcp:a:sa', '10.1.0.2'],
      ['dhcp:c:sc', '10.3.0.1'], // no gateway: the first host address is free
      ['r:sa', '10.1.0.1'],
      ['r:sb', '10.2.0.254'],
      ['r:gateway', '203.0.113.2'], // .1 is the upstream gateway, .5 the floating IP
      ['v1:0', '10.1.0.3'],
      ['v1:1', '10.2.0.2'],
      ['v1:2', '10.3.0.2'],
      ['v2:0', '10.1.0.4'],
    ]);
  });

  it('allocates missing segmentation ids per type', () => {
    expect(t.networks.find((n) => n.name === 'a')?.segmentationId).toBe(2); // vxlan 1 is c's
  });

  it('takes router hosts, snat, port security, MACs and address pairs as written or defaulted', () => {
    expect(t.routers[0]?.hosts).toEqual(['aio']);
    expect(t.routers[0]?.gateway?.snat).toBe(false);
    const v1 = t.vms.find((v) => v.name === 'v1');
    expect(v1?.ports[1]).toMatchObject({ portSecurity: false, securityGroups: [] });
    expect(v1?.ports[2]).toMatchObject({ mac: 'fa:16:3e:00:00:09', allowedAddressPairs: [{ ipAddress: '10.3.0.0/24', macAddress: null }] });
    expect(t.floatingIps[0]).toMatchObject({ network: 'ext', router: 'r', fixedIp: '10.1.0.3' });
  });

  it('honours auto_egress: false and resolves remote groups to ids', () => {
    const web = t.securityGroups.find((g) => g.name === 'web');
    expect(web?.rules).toHaveLength(1);
    expect(web?.rules[0]).toMatchObject({ protocol: 6, portMin: 80, portMax: 90, remoteGroup: web?.id });
    expect(t.vms[1]?.ports[0]?.securityGroups).toEqual([web?.id]);
  });

  it('numbers local VLANs in the order of the host ports', () => {
    expect(t.localVlans).toEqual({ aio: { a: 1, c: 2, b: 3, ext: 4 } });
  });
});
