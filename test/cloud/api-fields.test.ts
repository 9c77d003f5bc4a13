// Fields of the Neutron API that change what the agents program, each either carried into the topology
// or left out loudly — a note naming the object's file and line and the verdicts it makes unknown —
// never dropped in silence: the binding (vnic_type, vif_type), trunks, admin and operational state,
// a router's SNAT flag and its gateway's addresses, a subnet without gateway or with host routes, a
// floating IP on a fixed IP the topology does not carry.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { API_FILES } from '../../src/cloud/layout.ts';
import { apiOf, serialise, shippedTopology, writeCloud, loadCloudApi } from './cloud-dir.ts';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

type Obj = Record<string, unknown>;
interface Api { ports: Obj[]; routers: Obj[]; networks: Obj[]; subnets: Obj[]; floatingips: Obj[]; groups: Obj[] }

function load(edit: (a: Api) => void) {
  const topo = shippedTopology('seed');
  const api = apiOf(topo);
  const body = (k: keyof typeof API_FILES, key: string) => (api.get(`api/${API_FILES[k]}`) as Record<string, Obj[]>)[key]!;
  edit({ ports: body('ports', 'ports'), routers: body('routers', 'routers'), networks: body('networks', 'networks'), subnets: body('subnets', 'subnets'), floatingips: body('floatingips', 'floatingips'), groups: body('securityGroups', 'security_groups') });
  const dir = writeCloud(serialise(api));
  made.push(dir);
  return { ...loadCloudApi(dir), seed: topo };
}

const seed = shippedTopology('seed');
const portOf = (a: Api, vm: string) => a.ports.find((p) => p.id === seed.ports.find((x) => x.name === `${vm}:0`)!.id)!;
const noteOf = (notes: readonly { message: string }[], re: RegExp) => notes.find((n) => re.test(n.message)) as { message: string; taints: readonly string[]; file: string; line: number } | undefined;

describe('the port binding', () => {
  it('an SR-IOV port (binding:vnic_type direct, vif_type hw_veb) is left out: no hybrid firewall, no br-int — its network and every project unknown', () => {
    const { topology, notes } = load((a) => Object.assign(portOf(a, 'vm1'), { 'binding:vnic_type': 'direct', 'binding:vif_type': 'hw_veb' }));
    expect(topology.vms.map((v) => v.name)).not.toContain('vm1');
    const n = noteOf(notes, /server vm1 is a direct port/);
    expect(n?.message).toMatch(/binding:vnic_type direct, vif_type hw_veb\): not modelled \(no security group of the hybrid firewall applies to it\); left out/);
    expect(n?.taints).toEqual(['network:net1', 'project:admin', 'project:demo']);
    expect(n?.file).toBe('api/ports.json');
  });

  it('an OVS-DPDK vhost-user port (vif_type vhostuser, which iptables never sees) is left out the same way', () => {
    const { topology, notes } = load((a) => Object.assign(portOf(a, 'vm2'), { 'binding:vif_type': 'vhostuser' }));
    expect(topology.vms.map((v) => v.name)).not.toContain('vm2');
    expect(noteOf(notes, /server vm2 is plugged as vif_type vhostuser/)?.taints).toEqual(['network:net1', 'project:admin', 'project:demo']);
  });

  it('unbound and binding_failed ports are not plugged: said, nothing to verify on them', () => {
    const { topology, notes } = load((a) => {
      Object.assign(portOf(a, 'vm1'), { 'binding:vif_type': 'binding_failed' });
      Object.assign(portOf(a, 'vm2'), { 'binding:vif_type': 'unbound', 'binding:host_id': '' });
    });
    expect(topology.vms.map((v) => v.name).sort()).toEqual(['vm3', 'vm4']);
    expect(notes.filter((n) => /is not bound to a host: nothing is plugged/.test(n.message))).toHaveLength(2);
  });

  it('a trunk\'s parent port is modelled, its trunk bridge and subports said left out: the port and its network unknown', () => {
    const { topology, notes } = load((a) => Object.assign(portOf(a, 'vm3'), { trunk_details: { trunk_id: 't-1', sub_ports: [{ port_id: 'sp-1', segmentation_type: 'vlan', segmentation_id: 100 }] } }));
    expect(topology.vms.map((v) => v.name)).toContain('vm3');
    expect(noteOf(notes, /parent of trunk t-1 \(1 subport\)/)?.taints).toEqual(['port:vm3:0', 'network:net2']);
  });
});

describe('administrative and operational state', () => {
  it('a port administratively down, or bound and DOWN: the port unknown', () => {
    const { notes } = load((a) => {
      portOf(a, 'vm1').admin_state_up = false;
      portOf(a, 'vm2').status = 'DOWN';
    });
    expect(noteOf(notes, /vm1:0 is administratively down/)?.taints).toEqual(['port:vm1:0']);
    expect(noteOf(notes, /vm2:0 is bound but DOWN/)?.taints).toEqual(['port:vm2:0']);
  });

  it('a network administratively down: the network unknown; a router: left out', () => {
    const net1 = seed.networks.find((n) => n.name === 'net1')!;
    const { topology, notes } = load((a) => {
      a.networks.find((n) => n.id === net1.id)!.admin_state_up = false;
      a.routers[0]!.admin_state_up = false;
    });
    expect(noteOf(notes, /network net1 is administratively down/)?.taints).toEqual(['network:net1']);
    expect(topology.routers).toEqual([]);
    expect(noteOf(notes, /router router1: administratively down/)?.taints).toEqual(expect.arrayContaining(['router:router1', 'network:public']));
  });
});

describe('routers', () => {
  it('external_gateway_info.enable_snat false is the topology\'s snat: false', () => {
    const { topology } = load((a) => { (a.routers[0]!.external_gateway_info as Obj).enable_snat = false; });
    expect(topology.routers[0]?.gateway?.snat).toBe(false);
  });

  it('a gateway with several IPv4 addresses: the first modelled (the one the L3 agent SNATs to), the others said, the router unknown', () => {
    const { topology, notes } = load((a) => {
      const gw = a.routers[0]!.external_gateway_info as { external_fixed_ips: { subnet_id: string; ip_address: string }[] };
      gw.external_fixed_ips.push({ subnet_id: gw.external_fixed_ips[0]!.subnet_id, ip_address: '203.0.113.77' });
    });
    expect(topology.routers[0]?.gateway?.port.ip).toBe(seed.routers[0]?.gateway?.port.ip);
    expect(noteOf(notes, /router1's gateway has several IPv4 addresses; only 203\.0\.113\.\d+ is modelled, not 203\.0\.113\.77/)?.taints).toEqual(['router:router1', 'network:public']);
  });
});

describe('subnets', () => {
  it('gateway_ip null: a subnet without gateway', () => {
    const sub = seed.networks.find((n) => n.name === 'net2')!.subnets[0]!;
    const { topology } = load((a) => { a.subnets.find((s) => s.id === sub.id)!.gateway_ip = null; });
    expect(topology.networks.find((n) => n.name === 'net2')?.subnets[0]?.gateway).toBeNull();
  });

  it('host_routes: the VMs\' own routing is not modelled, the network unknown', () => {
    const sub = seed.networks.find((n) => n.name === 'net2')!.subnets[0]!;
    const { notes } = load((a) => { a.subnets.find((s) => s.id === sub.id)!.host_routes = [{ destination: '10.9.0.0/16', nexthop: '192.168.2.254' }]; });
    expect(noteOf(notes, /hands its VMs host routes by DHCP \(10\.9\.0\.0\/16 via 192\.168\.2\.254\)/)?.taints).toEqual(['network:net2']);
  });
});

describe('floating IPs', () => {
  it('a floating IP bound to a fixed IP of its port the topology does not carry is left out, said', () => {
    const { topology, notes } = load((a) => {
      const vm4 = portOf(a, 'vm4');
      const fixed = vm4.fixed_ips as { subnet_id: string; ip_address: string }[];
      fixed.push({ subnet_id: fixed[0]!.subnet_id, ip_address: '192.168.2.99' });
      a.floatingips[0]!.fixed_ip_address = '192.168.2.99';
    });
    expect(topology.floatingIps).toEqual([]);
    expect(noteOf(notes, /floating IP 203\.0\.113\.101: bound to 192\.168\.2\.99 of its port, but only 192\.168\.2\.14 of that port is modelled; left out/)?.taints).toEqual(['fip:203.0.113.101']);
    // The port's second address is said too.
    expect(noteOf(notes, /vm4:0 has several IPv4 addresses/)?.taints).toEqual(['port:vm4:0', 'network:net2']);
  });
});

describe('security group rules', () => {
  it('a rule naming a remote address group is left out of its group, said, and every port in the group unknown — and every project\'s isolation (an allow left out may let any project in)', () => {
    const { topology, notes } = load((a) => {
      const ssh = a.groups.find((g) => g.name === 'ssh')!;
      const rules = ssh.security_group_rules as Obj[];
      rules.push({ ...rules[0]!, id: 'ag-rule-1', remote_ip_prefix: null, remote_address_group_id: 'ag-1' });
    });
    expect(topology.securityGroups.find((g) => g.name === 'ssh')?.rules.some((r) => r.id === 'ag-rule-1')).toBe(false);
    expect(noteOf(notes, /security group ssh \(project demo\): rule ag-rule-1: remote address group ag-1 is not modelled; left out of the group/)).toBeDefined();
    expect(noteOf(notes, /port vm1:0 is in security group ssh, part of which is not modelled/)?.taints).toEqual(expect.arrayContaining(['port:vm1:0', 'project:demo']));
  });

  it('a remote prefix with host bits (Neutron stores it as given) is the network iptables applies, not a group left out', () => {
    const { topology, notes } = load((a) => {
      const ssh = a.groups.find((g) => g.name === 'ssh')!;
      const rules = ssh.security_group_rules as Obj[];
      rules.push({ ...rules[0]!, id: '0b0b0b0b-0000-4000-8000-0000000000b1', ethertype: 'IPv4', remote_group_id: null, remote_ip_prefix: '10.20.30.40/16', normalized_cidr: '10.20.0.0/16' });
    });
    expect(topology.securityGroups.find((g) => g.name === 'ssh')?.rules.find((r) => r.id === '0b0b0b0b-0000-4000-8000-0000000000b1')?.remoteIpPrefix).toBe('10.20.0.0/16');
    expect(notes).toEqual([]);
  });
});
