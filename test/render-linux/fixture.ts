// A hand-made resolved Topology equal in shape to topologies/seed.yaml (ids are made up), so the Linux
// renderers can be tested independently of the loader. `withChanges` derives variants.
import type { PortT, SecurityGroupT, SgRuleT, Topology } from '../../src/topology/model.ts';

const bare = (id: string, direction: SgRuleT['direction'], ethertype: SgRuleT['ethertype'], remoteGroup: string | null): SgRuleT => ({
  id, direction, ethertype, protocol: null, portMin: null, portMax: null, icmpType: null, icmpCode: null, remoteIpPrefix: null, remoteGroup,
});

export const SG_DEFAULT = '5a1d2c3e-0000-4000-8000-00000000d3f0';
export const SG_SSH = '7b2e3d4f-0000-4000-8000-0000000055a1';

const defaultGroup: SecurityGroupT = {
  name: 'default',
  id: SG_DEFAULT,
  project: 'demo',
  stateful: true,
  rules: [
    bare('r-def-0', 'ingress', 'IPv4', SG_DEFAULT),
    bare('r-def-1', 'ingress', 'IPv6', SG_DEFAULT),
    bare('r-def-2', 'egress', 'IPv4', null),
    bare('r-def-3', 'egress', 'IPv6', null),
  ],
};

const sshGroup: SecurityGroupT = {
  name: 'ssh',
  id: SG_SSH,
  project: 'demo',
  stateful: true,
  rules: [
    { ...bare('r-ssh-0', 'ingress', 'IPv4', null), protocol: 6, portMin: 22, portMax: 22 },
    { ...bare('r-ssh-1', 'ingress', 'IPv4', null), protocol: 1 },
    bare('r-ssh-2', 'egress', 'IPv4', null),
    bare('r-ssh-3', 'egress', 'IPv6', null),
  ],
};

const port = (p: Partial<PortT> & Pick<PortT, 'id' | 'name' | 'network' | 'subnet' | 'ip' | 'mac' | 'deviceOwner' | 'deviceName' | 'host'>): PortT => ({
  project: 'demo',
  hosts: [p.host],
  portSecurity: false,
  securityGroups: [],
  allowedAddressPairs: [],
  ...p,
});

const vmPort = (vm: string, host: string, network: string, subnet: string, ip: string, id: string, mac: string, groups: string[]): PortT =>
  port({ id, name: `${vm}:0`, network, subnet, ip, mac, deviceOwner: 'compute:nova', deviceName: vm, host, portSecurity: true, securityGroups: groups });

export const IDS = {
  router: 'c0ffee00-1111-4222-8333-444455556666',
  net1: '11111111-aaaa-4bbb-8ccc-000000000001',
  net2: '22222222-aaaa-4bbb-8ccc-000000000002',
  public: '33333333-aaaa-4bbb-8ccc-000000000003',
  dhcp1: 'd1d1d1d1-0000-4000-8000-000000000001',
  dhcp2: 'd2d2d2d2-0000-4000-8000-000000000002',
  qr1: 'a1a1a1a1-0000-4000-8000-000000000001',
  qr2: 'a2a2a2a2-0000-4000-8000-000000000002',
  qg: 'bbbbbbbb-0000-4000-8000-00000000000b',
  vm1: '9f000001-0000-4000-8000-000000000001',
  vm2: '8e000002-0000-4000-8000-000000000002',
  vm3: '7d000003-0000-4000-8000-000000000003',
  vm4: '6c000004-0000-4000-8000-000000000004',
};

const dhcp1 = port({ id: IDS.dhcp1, name: 'dhcp:net1', network: 'net1', subnet: 'subnet1', ip: '192.168.1.2', mac: 'fa:16:3e:00:01:02', deviceOwner: 'network:dhcp', deviceName: 'net1', host: 'network1' });
const dhcp2 = port({ id: IDS.dhcp2, name: 'dhcp:net2', network: 'net2', subnet: 'subnet2', ip: '192.168.2.2', mac: 'fa:16:3e:00:02:02', deviceOwner: 'network:dhcp', deviceName: 'net2', host: 'network1' });
const qr1 = port({ id: IDS.qr1, name: 'router1:subnet1', network: 'net1', subnet: 'subnet1', ip: '192.168.1.1', mac: 'fa:16:3e:00:01:01', deviceOwner: 'network:router_interface', deviceName: 'router1', host: 'network1' });
const qr2 = port({ id: IDS.qr2, name: 'router1:subnet2', network: 'net2', subnet: 'subnet2', ip: '192.168.2.1', mac: 'fa:16:3e:00:02:01', deviceOwner: 'network:router_interface', deviceName: 'router1', host: 'network1' });
const qg = port({ id: IDS.qg, name: 'router1:gateway', network: 'public', subnet: 'public-v4', ip: '203.0.113.10', mac: 'fa:16:3e:00:71:0a', deviceOwner: 'network:router_gateway', deviceName: 'router1', host: 'network1', project: null });
const vm1 = vmPort('vm1', 'compute1', 'net1', 'subnet1', '192.168.1.11', IDS.vm1, 'fa:16:3e:aa:01:11', [SG_DEFAULT, SG_SSH]);
const vm2 = vmPort('vm2', 'compute2', 'net1', 'subnet1', '192.168.1.12', IDS.vm2, 'fa:16:3e:aa:01:12', [SG_DEFAULT]);
const vm3 = vmPort('vm3', 'compute1', 'net2', 'subnet2', '192.168.2.13', IDS.vm3, 'fa:16:3e:aa:02:13', [SG_DEFAULT]);
const vm4 = vmPort('vm4', 'compute2', 'net2', 'subnet2', '192.168.2.14', IDS.vm4, 'fa:16:3e:aa:02:14', [SG_DEFAULT]);

export const seedFixture: Topology = {
  file: 'test/render-linux/fixture.ts',
  release: '2024.1',
  firewallDriver: 'iptables_hybrid',
  l2Population: true,
  arpResponder: true,
  haVrrpAdvertInt: 2,
  hosts: [
    { name: 'compute1', compute: true, network: false, tunnelIp: '10.0.0.11', bridgeMappings: {} },
    { name: 'compute2', compute: true, network: false, tunnelIp: '10.0.0.12', bridgeMappings: {} },
    { name: 'network1', compute: false, network: true, tunnelIp: '10.0.0.21', bridgeMappings: { external: 'br-ex' } },
  ],
  networks: [
    {
      name: 'public', id: IDS.public, project: null, external: true, shared: false, type: 'flat', physicalNetwork: 'external', segmentationId: null, ha: false,
      subnets: [{ name: 'public-v4', id: 'sub-pub', network: 'public', cidr: '203.0.113.0/24', networkAddress: '203.0.113.0', prefixLen: 24, gateway: '203.0.113.1', dhcp: false }],
    },
    {
      name: 'net1', id: IDS.net1, project: 'demo', external: false, shared: false, type: 'vxlan', physicalNetwork: null, segmentationId: 101, ha: false,
      subnets: [{ name: 'subnet1', id: 'sub-1', network: 'net1', cidr: '192.168.1.0/24', networkAddress: '192.168.1.0', prefixLen: 24, gateway: '192.168.1.1', dhcp: true }],
    },
    {
      name: 'net2', id: IDS.net2, project: 'demo', external: false, shared: false, type: 'vxlan', physicalNetwork: null, segmentationId: 102, ha: false,
      subnets: [{ name: 'subnet2', id: 'sub-2', network: 'net2', cidr: '192.168.2.0/24', networkAddress: '192.168.2.0', prefixLen: 24, gateway: '192.168.2.1', dhcp: true }],
    },
  ],
  routers: [
    {
      name: 'router1', id: IDS.router, project: 'demo', hosts: ['network1'],
      gateway: { network: 'public', subnet: 'public-v4', port: qg, snat: true },
      interfaces: [{ subnet: 'subnet1', network: 'net1', port: qr1 }, { subnet: 'subnet2', network: 'net2', port: qr2 }],
      routes: [],
      ha: null,
    },
  ],
  securityGroups: [defaultGroup, sshGroup],
  vms: [
    { name: 'vm1', id: 'vm-1', project: 'demo', host: 'compute1', ports: [vm1] },
    { name: 'vm2', id: 'vm-2', project: 'demo', host: 'compute2', ports: [vm2] },
    { name: 'vm3', id: 'vm-3', project: 'demo', host: 'compute1', ports: [vm3] },
    { name: 'vm4', id: 'vm-4', project: 'demo', host: 'compute2', ports: [vm4] },
  ],
  ports: [dhcp1, dhcp2, qr1, qr2, qg, vm1, vm2, vm3, vm4],
  floatingIps: [{ id: 'fip-1', ip: '203.0.113.101', network: 'public', portId: IDS.vm4, vm: 'vm4', portIndex: 0, fixedIp: '192.168.2.14', router: 'router1' }],
  portForwardings: [],
  dhcpHosts: { net1: ['network1'], net2: ['network1'] },
  localVlans: { compute1: { net1: 1, net2: 2 }, compute2: { net1: 1, net2: 2 }, network1: { net1: 1, net2: 2, public: 3 } },
};

/** A copy of the fixture with top-level fields replaced. */
export function withChanges(changes: Partial<Topology>): Topology {
  return { ...seedFixture, ...changes };
}
