import { describe, it, expect } from 'vitest';
import { loadTopologyFile, loadTopologyText } from '../../src/topology/index.ts';

/** Errors as [code, path, line] triples, or [] when the text loads. */
function errs(text: string): [string, string, number | null][] {
  const r = loadTopologyText(text, 't.yaml');
  if (r.ok) return [];
  for (const e of r.errors) expect(e.file).toBe('t.yaml');
  return r.errors.map((e) => [e.code, e.path, e.position?.line ?? null]);
}

// A small valid topology; each test replaces one line. Line numbers are 1-based.
const BASE = [
  'hosts:', //                                                                              1
  '  c1: { role: compute, tunnel_ip: 10.0.0.1 }', //                                        2
  '  n1: { role: network, tunnel_ip: 10.0.0.2, bridge_mappings: { ext: br-ex } }', //       3
  'networks:', //                                                                           4
  '  pub: { external: true, type: flat, physical_network: ext, subnets: { pub4: { cidr: 203.0.113.0/24 } } }', // 5
  '  t1: { project: p, type: vxlan, segmentation_id: 5, subnets: { s1: { cidr: 10.1.0.0/24 } } }', // 6
  '  t2: { project: p, type: vxlan, segmentation_id: 6, subnets: { s2: { cidr: 10.2.0.0/24 } } }', // 7
  'routers:', //                                                                            8
  '  r1: { hosts: [n1], gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }', // 9
  'security_groups:', //                                                                    10
  '  p:', //                                                                                11
  '    ssh: [{ direction: ingress, protocol: tcp, port: 22 }]', //                          12
  'vms:', //                                                                                13
  '  vm1: { project: p, host: c1, ports: [{ network: t1, ip: 10.1.0.11 }] }', //            14
  '  vm2: { project: p, host: c1, ports: [{ network: t2 }] }', //                           15
  'floating_ips:', //                                                                       16
  '  - { ip: 203.0.113.101, vm: vm1 }', //                                                  17
];
const withLine = (n: number, line: string): string => BASE.map((l, i) => (i + 1 === n ? line : l)).join('\n');
const plus = (...lines: string[]): string => [...BASE, ...lines].join('\n');

describe('the base topology', () => {
  it('loads', () => expect(errs(BASE.join('\n'))).toEqual([]));
});

describe('file and syntax errors (NP0xx)', () => {
  it('reports a syntax error with its line and nothing else', () => {
    const e = errs(withLine(14, '  vm1: { project: p, host: c1, ports: [{ network: t1 }]'));
    expect(e.length).toBeGreaterThan(0);
    expect(e.every(([code]) => code === 'NP002')).toBe(true);
  });

  it('reports a syntax error in JSON', () => {
    const r = loadTopologyText('{\n  "hosts": {\n    "c1": { "role": "compute" },\n  ]\n}', 'x.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ code: 'NP002', file: 'x.json', position: { line: 4 } });
  });

  it('reports a duplicate key with its path', () => {
    const r = loadTopologyText(withLine(15, '  vm1: { project: p, host: c1, ports: [] }'), 't.yaml');
    expect(r.ok ? [] : r.errors).toEqual([
      { code: 'NP003', file: 't.yaml', position: { line: 15, column: 3 }, path: 'vms.vm1', message: 'duplicate key "vm1" (map keys must be unique)' },
    ]);
  });

  it('reports an unreadable file as NP001', () => {
    const r = loadTopologyFile('topologies/does-not-exist.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ code: 'NP001', position: null });
  });

  it('loads JSON', () => {
    const r = loadTopologyText('{"hosts": {"c1": {"role": "compute"}}}', 'x.json');
    expect(r.ok).toBe(true);
  });
});

describe('schema errors (NP1xx)', () => {
  it('reports an unknown field at its key', () => {
    expect(errs(withLine(14, '  vm1: { project: p, host: c1, prots: [{ network: t1, ip: 10.1.0.11 }] }'))).toEqual([
      ['NP103', 'vms.vm1.ports', 14], // at the object, which starts before the misspelt key
      ['NP101', 'vms.vm1.prots', 14],
    ]);
  });

  it('reports an unknown top-level section', () => {
    expect(errs(plus('extra: 1'))).toEqual([['NP101', 'extra', 18]]);
  });

  it('reports a wrong type', () => {
    expect(errs(withLine(6, '  t1: { project: p, type: vxlan, segmentation_id: five, subnets: { s1: { cidr: 10.1.0.0/24 } } }'))).toEqual([
      ['NP102', 'networks.t1.segmentation_id', 6],
    ]);
  });

  it('says what a union expected', () => {
    const r = loadTopologyText(withLine(2, '  c1: { role: computer, tunnel_ip: 10.0.0.1 }'), 't.yaml');
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.path, e.message])).toEqual([
      ['NP102', 'hosts.c1.role', 'expected one of "compute", "network" or array, got string'],
    ]);
  });

  it('reports a bad enum value', () => {
    expect(errs(withLine(6, '  t1: { project: p, type: geneve, segmentation_id: 5, subnets: { s1: { cidr: 10.1.0.0/24 } } }'))).toEqual([
      ['NP102', 'networks.t1.type', 6],
    ]);
  });

  it('reports a wrong type inside a union (unknown field of the object form)', () => {
    expect(errs(withLine(9, '  r1: { hosts: [n1], interfaces: [{ subnet: s1, adress: 10.1.0.1 }] }'))[0]).toEqual([
      'NP101',
      'routers.r1.interfaces[0].adress',
      9,
    ]);
  });

  it('reports a missing field at the enclosing object', () => {
    expect(errs(withLine(15, '  vm2: { project: p, ports: [{ network: t2 }] }'))).toEqual([['NP103', 'vms.vm2.host', 15]]);
  });

  it('reports an empty file', () => {
    expect(errs('')).toEqual([['NP103', '', null]]);
  });

  it('reports all schema errors, in file order', () => {
    const text = withLine(2, '  c1: { role: compute, tunnel_ip: 10.0.0.1, colour: red }').split('\n');
    text[14] = '  vm2: { project: p, host: 7, ports: [{ network: t2 }] }';
    expect(errs(text.join('\n'))).toEqual([
      ['NP101', 'hosts.c1.colour', 2],
      ['NP102', 'vms.vm2.host', 15],
    ]);
  });
});

describe('rule and naming values (NP102)', () => {
  it('a port range needs tcp or udp, and must be a range', () => {
    expect(errs(withLine(12, '    ssh: [{ direction: ingress, port: 22 }]'))).toEqual([['NP102', 'security_groups.p.ssh[0].port', 12]]);
    expect(errs(withLine(12, '    ssh: [{ direction: ingress, protocol: tcp, port: "90-80" }]'))).toEqual([['NP102', 'security_groups.p.ssh[0].port', 12]]);
  });
  it('icmp_type needs icmp; remote_group excludes remote_ip_prefix', () => {
    expect(errs(withLine(12, '    ssh: [{ direction: ingress, protocol: udp, icmp_type: 8 }]'))).toEqual([['NP102', 'security_groups.p.ssh[0].icmp_type', 12]]);
    expect(errs(withLine(12, '    ssh: [{ direction: ingress, remote_ip_prefix: 10.0.0.0/8, remote_group: default }]'))).toEqual([
      ['NP102', 'security_groups.p.ssh[0].remote_group', 12],
    ]);
  });
  it('a subnet name is unique across networks', () => {
    expect(errs(withLine(7, '  t2: { project: p, type: vxlan, segmentation_id: 6, subnets: { s1: { cidr: 10.2.0.0/24 } } }'))).toContainEqual([
      'NP102',
      'networks.t2.subnets.s1',
      7,
    ]);
  });
  it('a router gateway needs an external network', () => {
    expect(errs(withLine(9, '  r1: { hosts: [n1], gateway: { network: t2 }, interfaces: [s1] }'))).toContainEqual(['NP102', 'routers.r1.gateway.network', 9]);
  });
});

describe('reference errors (NP201)', () => {
  it('dangling host', () => {
    expect(errs(withLine(15, '  vm2: { project: p, host: c9, ports: [{ network: t2 }] }'))).toEqual([['NP201', 'vms.vm2.host', 15]]);
  });
  it('dangling network', () => {
    expect(errs(withLine(15, '  vm2: { project: p, host: c1, ports: [{ network: t9 }] }'))).toEqual([['NP201', 'vms.vm2.ports[0].network', 15]]);
  });
  it('dangling subnet of a router interface', () => {
    expect(errs(withLine(9, '  r1: { hosts: [n1], gateway: { network: pub }, interfaces: [s1, s9] }'))).toContainEqual(['NP201', 'routers.r1.interfaces[1]', 9]);
  });
  it('dangling router host', () => {
    expect(errs(withLine(9, '  r1: { hosts: [n9], gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }'))).toEqual([['NP201', 'routers.r1.hosts[0]', 9]]);
  });
  it('dangling gateway network', () => {
    expect(errs(withLine(9, '  r1: { hosts: [n1], gateway: { network: nope }, interfaces: [s1] }'))).toContainEqual(['NP201', 'routers.r1.gateway.network', 9]);
  });
  it('dangling security group', () => {
    expect(errs(withLine(15, '  vm2: { project: p, host: c1, ports: [{ network: t2, security_groups: [default, web] }] }'))).toEqual([
      ['NP201', 'vms.vm2.ports[0].security_groups[1]', 15],
    ]);
  });
  it('security groups are per project', () => {
    expect(errs(withLine(15, '  vm2: { project: q, host: c1, ports: [{ network: t2, security_groups: [ssh] }] }'))).toEqual([
      ['NP201', 'vms.vm2.ports[0].security_groups[0]', 15],
    ]);
  });
  it('dangling remote_group', () => {
    expect(errs(withLine(12, '    ssh: [{ direction: ingress, remote_group: web }]'))).toEqual([['NP201', 'security_groups.p.ssh[0].remote_group', 12]]);
  });
  it("dangling floating IP's VM", () => {
    expect(errs(withLine(17, '  - { ip: 203.0.113.101, vm: vm9 }'))).toEqual([['NP201', 'floating_ips[0].vm', 17]]);
  });
  it("dangling floating IP's port index", () => {
    expect(errs(withLine(17, '  - { ip: 203.0.113.101, vm: vm1, port: 1 }'))).toEqual([['NP201', 'floating_ips[0].port', 17]]);
  });
});

describe('addressing and segmentation errors (NP3xx)', () => {
  it('IP outside its subnet (NP301)', () => {
    expect(errs(withLine(14, '  vm1: { project: p, host: c1, ports: [{ network: t1, ip: 10.9.0.11 }] }'))).toEqual([['NP301', 'vms.vm1.ports[0].ip', 14]]);
  });
  it('router interface address outside its subnet (NP301)', () => {
    expect(errs(withLine(9, '  r1: { hosts: [n1], gateway: { network: pub }, interfaces: [{ subnet: s1, ip: 10.2.0.1 }] }'))).toEqual([
      ['NP301', 'routers.r1.interfaces[0].ip', 9],
    ]);
  });
  it('gateway outside its subnet (NP301)', () => {
    expect(errs(withLine(7, '  t2: { project: p, type: vxlan, segmentation_id: 6, subnets: { s2: { cidr: 10.2.0.0/24, gateway: 10.3.0.1 } } }'))).toEqual([
      ['NP301', 'networks.t2.subnets.s2.gateway', 7],
    ]);
  });
  it('duplicate fixed IP between VMs (NP302)', () => {
    expect(errs(withLine(15, '  vm2: { project: p, host: c1, ports: [{ network: t1, ip: 10.1.0.11 }] }'))).toEqual([['NP302', 'vms.vm2.ports[0].ip', 15]]);
  });
  it('VM on the router interface address (NP302)', () => {
    expect(errs(withLine(15, '  vm2: { project: p, host: c1, ports: [{ network: t1, ip: 10.1.0.1 }] }'))).toEqual([['NP302', 'vms.vm2.ports[0].ip', 15]]);
  });
  it('VM on the router gateway address (NP302)', () => {
    expect(errs(plus('  - { ip: 203.0.113.10, vm: vm2 }'))).toContainEqual(['NP302', 'floating_ips[1].ip', 18]);
  });
  it('the same address in two networks is fine', () => {
    expect(errs(withLine(15, '  vm2: { project: p, host: c1, ports: [{ network: t2, ip: 10.2.0.11 }] }'))).toEqual([]);
  });
  it('duplicate VXLAN segmentation id (NP303)', () => {
    expect(errs(withLine(7, '  t2: { project: p, type: vxlan, segmentation_id: 5, subnets: { s2: { cidr: 10.2.0.0/24 } } }'))).toEqual([
      ['NP303', 'networks.t2.segmentation_id', 7],
    ]);
  });
  it('a VXLAN and a GRE network may share an id', () => {
    expect(errs(withLine(7, '  t2: { project: p, type: gre, segmentation_id: 5, subnets: { s2: { cidr: 10.2.0.0/24 } } }'))).toEqual([]);
  });
  it('duplicate VLAN id per physical network only (NP303)', () => {
    const vlan = (phys: string) =>
      [
        'hosts:',
        `  n1: { role: [compute, network], bridge_mappings: { a: br-a, b: br-b } }`,
        'networks:',
        '  v1: { type: vlan, physical_network: a, segmentation_id: 100 }',
        `  v2: { type: vlan, physical_network: ${phys}, segmentation_id: 100 }`,
      ].join('\n');
    expect(errs(vlan('a'))).toEqual([['NP303', 'networks.v2.segmentation_id', 5]]);
    expect(errs(vlan('b'))).toEqual([]);
  });
  it('two flat networks on one physical network (NP303)', () => {
    expect(errs(plus().replace('networks:\n', 'networks:\n  pub2: { type: flat, physical_network: ext }\n'))).toContainEqual(['NP303', 'networks.pub.physical_network', 6]);
  });
  it('VLAN id out of range (NP304)', () => {
    const text = 'hosts:\n  n1: { role: network, bridge_mappings: { a: br-a } }\nnetworks:\n  v1: { type: vlan, physical_network: a, segmentation_id: 4095 }';
    expect(errs(text)).toEqual([['NP304', 'networks.v1.segmentation_id', 4]]);
  });
  it('VNI out of range (NP304)', () => {
    expect(errs(withLine(7, '  t2: { project: p, type: vxlan, segmentation_id: 16777216, subnets: { s2: { cidr: 10.2.0.0/24 } } }'))).toEqual([
      ['NP304', 'networks.t2.segmentation_id', 7],
    ]);
  });
  it('GRE keys go up to 2^32-1 (NP304 above, fine below)', () => {
    const gre = (id: number) => withLine(7, `  t2: { project: p, type: gre, segmentation_id: ${id}, subnets: { s2: { cidr: 10.2.0.0/24 } } }`);
    expect(errs(gre(4294967295))).toEqual([]);
    expect(errs(gre(4294967296))).toEqual([['NP304', 'networks.t2.segmentation_id', 7]]);
  });
  it('floating IP outside every external subnet (NP305)', () => {
    expect(errs(withLine(17, '  - { ip: 10.1.0.200, vm: vm1 }'))).toEqual([['NP305', 'floating_ips[0].ip', 17]]);
  });
  it('floating IP bound twice (NP306): same ip and same port', () => {
    expect(errs(plus('  - { ip: 203.0.113.101, vm: vm2 }'))).toEqual([
      ['NP306', 'floating_ips[1].ip', 18],
      ['NP310', 'floating_ips[1].ip', 18], // vm2's subnet s2 is on no router either
    ]);
    expect(errs(plus('  - { ip: 203.0.113.102, vm: vm1 }'))).toEqual([['NP306', 'floating_ips[1].vm', 18]]);
  });
  it('router interface on a subnet twice (NP307)', () => {
    expect(errs(withLine(9, '  r1: { hosts: [n1], gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1, s2, { subnet: s1, ip: 10.1.0.254 }] }'))).toEqual([
      ['NP307', 'routers.r1.interfaces[2].subnet', 9],
    ]);
  });
  it('no free address (NP308)', () => {
    expect(errs(withLine(7, '  t2: { project: p, type: vxlan, segmentation_id: 6, subnets: { s2: { cidr: 10.2.0.0/30 } } }'))).toEqual([
      ['NP308', 'vms.vm2.ports[0]', 15],
    ]);
  });
  it('invalid CIDR and address (NP309)', () => {
    expect(errs(withLine(7, '  t2: { project: p, type: vxlan, segmentation_id: 6, subnets: { s2: { cidr: 10.2.0.0/33 } } }'))).toEqual([
      ['NP309', 'networks.t2.subnets.s2.cidr', 7],
    ]);
    expect(errs(withLine(7, '  t2: { project: p, type: vxlan, segmentation_id: 6, subnets: { s2: { cidr: 10.2.0.5/24 } } }'))).toEqual([
      ['NP309', 'networks.t2.subnets.s2.cidr', 7],
    ]);
    expect(errs(withLine(14, '  vm1: { project: p, host: c1, ports: [{ network: t1, ip: 10.1.0.300 }] }'))).toEqual([['NP309', 'vms.vm1.ports[0].ip', 14]]);
  });
  it('floating IP without a router to serve it (NP310)', () => {
    expect(errs(withLine(17, '  - { ip: 203.0.113.101, vm: vm2 }'))).toEqual([['NP310', 'floating_ips[0].ip', 17]]);
  });
});

describe('placement errors (NP4xx)', () => {
  it('VM on a host without the compute role (NP401)', () => {
    expect(errs(withLine(15, '  vm2: { project: p, host: n1, ports: [{ network: t2 }] }'))).toEqual([['NP401', 'vms.vm2.host', 15]]);
  });
  it('VM port on a flat network its host does not map (NP402)', () => {
    expect(errs(withLine(15, '  vm2: { project: p, host: c1, ports: [{ network: pub }] }'))).toEqual([['NP402', 'vms.vm2.ports[0].network', 15]]);
  });
  it("router gateway on a network its host does not map (NP402)", () => {
    expect(errs(withLine(3, '  n1: { role: network, tunnel_ip: 10.0.0.2, bridge_mappings: { other: br-ex } }'))).toContainEqual(['NP402', 'routers.r1.gateway', 9]);
  });
  it('port_security false with security groups (NP403)', () => {
    expect(errs(withLine(15, '  vm2: { project: p, host: c1, ports: [{ network: t2, port_security: false, security_groups: [ssh] }] }'))).toEqual([
      ['NP403', 'vms.vm2.ports[0].security_groups', 15],
    ]);
  });
  it('missing tunnel_ip with a tunnel network (NP406)', () => {
    expect(errs(withLine(2, '  c1: { role: compute }'))).toEqual([['NP406', 'hosts.c1', 2]]);
  });
  it('DHCP network with no network node to serve it (NP407)', () => {
    expect(errs(withLine(3, '  n1: { role: compute, tunnel_ip: 10.0.0.2, bridge_mappings: { ext: br-ex } }'))).toContainEqual(['NP407', 'networks.pub', 5]);
  });
});

describe('L3 HA (NP102, NP311–NP313, NP402, NP406–NP409)', () => {
  // BASE with a second network node; r1 becomes an HA router on both.
  const N2 = '  n1: { role: network, tunnel_ip: 10.0.0.2, bridge_mappings: { ext: br-ex } }\n  n2: { role: network, tunnel_ip: 10.0.0.3, bridge_mappings: { ext: br-ex } }';
  const two = (router: string, ...extra: string[]) => [...withLine(3, N2).split('\n').map((l) => (l.startsWith('  r1:') ? router : l)), ...extra].join('\n');
  const HA = '  r1: { hosts: [n1, n2], gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }';

  it('an HA router, a pinned VRID and observed states load', () => {
    expect(errs(two('  r1: { hosts: [n1, n2], ha: { vrid: 7 }, ha_state: { n1: active, n2: standby }, gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }'))).toEqual([]);
  });
  it('a router listing a host twice (NP408)', () => {
    expect(errs(two('  r1: { hosts: [n1, n1], gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }'))).toEqual([['NP408', 'routers.r1.hosts[1]', 10]]);
  });
  it('an HA router on a host that is not a network node (NP407)', () => {
    expect(errs(two('  r1: { hosts: [n1, c1], gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }'))).toContainEqual(['NP407', 'routers.r1.hosts[1]', 10]);
  });
  it('a pinned VRID out of Neutron\'s 1–254 (NP311)', () => {
    expect(errs(two('  r1: { hosts: [n1, n2], ha: { vrid: 255 }, gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }'))).toEqual([['NP311', 'routers.r1.ha.vrid', 10]]);
    expect(errs(two('  r1: { hosts: [n1, n2], ha: { vrid: 0 }, gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }'))).toEqual([['NP311', 'routers.r1.ha.vrid', 10]]);
  });
  it('a pinned VRID repeated in one HA network (NP312), but not across projects', () => {
    const r2 = (project: string) => `  r2: { project: ${project}, hosts: [n1, n2], ha: { vrid: 3 }, interfaces: [s2] }`;
    const r1 = '  r1: { project: p, hosts: [n1, n2], ha: { vrid: 3 }, gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }';
    const text = (project: string) => two(r1).replace('routers:', `routers:\n${r2(project)}`);
    expect(errs(text('p'))).toEqual([['NP312', 'routers.r1.ha.vrid', 11]]);
    expect(errs(text('q'))).toEqual([]);
  });
  it('more than 254 HA routers of one project (NP313)', () => {
    const many = Array.from({ length: 255 }, (_, i) => `  x${i}: { project: p, ha: {}, hosts: [n1, n2] }`);
    const text = two(HA).replace('routers:', `routers:\n${many.join('\n')}`);
    expect(errs(text)).toEqual([['NP313', 'routers.x254', 264]]);
  });
  it('ha_state for a host without an instance, or on a legacy router (NP409)', () => {
    expect(errs(two('  r1: { hosts: [n1, n2], ha_state: { c1: active }, gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }'))).toEqual([['NP409', 'routers.r1.ha_state.c1', 10]]);
    expect(errs(two('  r1: { hosts: [n1], ha_state: { n1: active }, gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }'))).toEqual([['NP409', 'routers.r1.ha_state.n1', 10]]);
    expect(errs(two('  r1: { hosts: [n1, n2], ha_state: { n1: master }, gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }'))).toEqual([['NP102', 'routers.r1.ha_state.n1', 10]]);
  });
  it('HA defaults: advert interval and DHCP agents per network out of range (NP102)', () => {
    expect(errs(two(HA, 'defaults: { ha_vrrp_advert_int: 0, dhcp_agents_per_network: 0 }'))).toEqual([
      ['NP102', 'defaults.ha_vrrp_advert_int', 19],
      ['NP102', 'defaults.dhcp_agents_per_network', 19],
    ]);
  });
  it('a VLAN HA network without a physical network (NP103), and its hosts without the mapping (NP402)', () => {
    expect(errs(two(HA, 'defaults: { l3_ha_network_type: vlan }'))).toEqual([['NP103', 'defaults', 19]]);
    expect(errs(two(HA, 'defaults: { l3_ha_network_type: vlan, l3_ha_network_physical_name: hanet }'))).toEqual([
      ['NP402', 'routers.r1.hosts[0]', 10],
      ['NP402', 'routers.r1.hosts[1]', 10],
    ]);
  });
  it('an HA instance on a host without a tunnel endpoint for a VXLAN HA network (NP406)', () => {
    const text = two(HA).replace('  n2: { role: network, tunnel_ip: 10.0.0.3,', '  n2: { role: network,');
    expect(errs(text)).toContainEqual(['NP406', 'routers.r1.hosts[1]', 10]);
  });
  it('dhcp_hosts: unknown, not a network node, not mapped, twice, on a network without DHCP', () => {
    const net = (hosts: string, dhcp = true) => `  t1: { project: p, type: vxlan, segmentation_id: 5, dhcp_hosts: [${hosts}], subnets: { s1: { cidr: 10.1.0.0/24${dhcp ? '' : ', dhcp: false'} } } }`;
    const at = (hosts: string, dhcp = true) => two(HA).replace(/^  t1: .*$/m, net(hosts, dhcp));
    expect(errs(at('n2, n1'))).toEqual([]);
    expect(errs(at('n9'))).toEqual([['NP201', 'networks.t1.dhcp_hosts[0]', 7]]);
    expect(errs(at('c1'))).toEqual([['NP407', 'networks.t1.dhcp_hosts[0]', 7]]);
    expect(errs(at('n1, n1'))).toEqual([['NP408', 'networks.t1.dhcp_hosts[1]', 7]]);
    expect(errs(at('n1', false))).toEqual([['NP102', 'networks.t1.dhcp_hosts', 7]]);
    const flat = two(HA).replace(/^  pub: \{ external: true, type: flat, physical_network: ext, subnets: \{ pub4: \{ cidr: 203.0.113.0\/24 \} \} \}$/m,
      '  pub: { external: true, type: flat, physical_network: ext, dhcp_hosts: [n1], subnets: { pub4: { cidr: 203.0.113.0/24 } } }');
    expect(errs(flat.replace('  n1: { role: network, tunnel_ip: 10.0.0.2, bridge_mappings: { ext: br-ex } }', '  n1: { role: network, tunnel_ip: 10.0.0.2 }'))).toContainEqual(['NP402', 'networks.pub.dhcp_hosts[0]', 6]);
  });
});

describe('release', () => {
  it('a release name that names no Neutron release (NP102)', () => {
    expect(errs(plus('defaults: { release: "2024.7" }'))).toEqual([['NP102', 'defaults.release', 18]]);
  });
  it('series names, year-based versions, code names and version tags are accepted', () => {
    for (const r of ['mitaka', 'Yoga', '2024.2', 'caracal', '12.0.0']) expect(errs(plus(`defaults: { release: "${r}" }`))).toEqual([]);
  });
});

describe('unsupported (NP5xx)', () => {
  it('DVR (NP501)', () => {
    expect(errs(withLine(9, '  r1: { distributed: true, hosts: [n1], gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }'))).toEqual([
      ['NP501', 'routers.r1.distributed', 9],
    ]);
  });
  it('native OVS firewall (NP502)', () => {
    expect(errs(plus('defaults: { firewall_driver: openvswitch }'))).toEqual([['NP502', 'defaults.firewall_driver', 18]]);
  });
  it('a router on several hosts is an L3 HA router now, no longer NP503', () => {
    const text = withLine(3, '  n1: { role: network, tunnel_ip: 10.0.0.2, bridge_mappings: { ext: br-ex } }\n  n2: { role: network, tunnel_ip: 10.0.0.3, bridge_mappings: { ext: br-ex } }');
    expect(errs(text.replace('hosts: [n1]', 'hosts: [n1, n2]'))).toEqual([]);
  });
  it('IPv6 subnets, addresses and user rules (NP504); automatic IPv6 egress rules are fine', () => {
    expect(errs(withLine(7, '  t2: { project: p, type: vxlan, segmentation_id: 6, subnets: { s2: { cidr: "fd00::/64" } } }'))).toContainEqual([
      'NP504',
      'networks.t2.subnets.s2.cidr',
      7,
    ]);
    expect(errs(withLine(12, '    ssh: [{ direction: ingress, ethertype: IPv6 }]'))).toEqual([['NP504', 'security_groups.p.ssh[0].ethertype', 12]]);
    expect(errs(withLine(14, '  vm1: { project: p, host: c1, ports: [{ network: t1, ip: "fd00::5" }] }'))).toContainEqual(['NP504', 'vms.vm1.ports[0].ip', 14]);
  });
});

describe('ports that would share a device on a host (NP410)', () => {
  const ID = (head: string, n: number) => `${head}-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const vm2 = (id: string, host = 'c1', security = '') => withLine(15, `  vm2: { project: p, host: ${host}, ports: [{ network: t2, id: ${id}${security} }] }`);
  const vm1 = (id: string) => `  vm1: { project: p, host: c1, ports: [{ network: t1, ip: 10.1.0.11, id: ${id} }] }`;
  const both = (a: string, b: string, host = 'c1', security = '') => vm2(b, host, security).split('\n').map((l, i) => (i === 13 ? vm1(a) : l)).join('\n');

  it('two VM ports on one host whose ids share their first 11 characters: at the later id, naming the earlier port and its line', () => {
    const r = loadTopologyText(both(ID('0a1b2c3d', 1), ID('0a1b2c3d', 2)), 't.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.path, e.position?.line])).toEqual([['NP410', 'vms.vm2.ports[0].id', 15]]);
    expect(r.errors[0]!.message).toMatch(/^port vm2:0 would share tap0a1b2c3d-00 \(and its qvb\/qvo\/qbr\) on c1 with port vm1:0 \(line 14\): Neutron names a port's devices after its id's first 11 characters/);
  });
  it('the same ids on different hosts share nothing', () => {
    const text = both(ID('0a1b2c3d', 1), ID('0a1b2c3d', 2), 'c2').replace("  n1: {", "  c2: { role: compute, tunnel_ip: 10.0.0.9 }\n  n1: {");
    expect(errs(text)).toEqual([]);
  });
  it('ids sharing only their first 10 characters: the hybrid firewall\'s chains, for port-secured ports; not with port security off', () => {
    const a = '0a1b2c3d-0100-4000-8000-000000000001';
    const b = '0a1b2c3d-0200-4000-8000-000000000002';
    expect(errs(both(a, b))).toEqual([['NP410', 'vms.vm2.ports[0].id', 15]]);
    expect(loadTopologyText(both(a, b), 't.yaml')).toMatchObject({ ok: false, errors: [{ message: expect.stringMatching(/iptables chains neutron-openvswi-i\/o\/s0a1b2c3d-0 on c1 with port vm1:0 \(line 14\)/) }] });
    expect(errs(both(a, b, 'c1', ', port_security: false'))).toEqual([]);
  });
  it('a router interface and a DHCP port: their own device names (qr-, the DHCP tap)', () => {
    const text = withLine(9, `  r1: { hosts: [n1], gateway: { network: pub, ip: 203.0.113.10, id: ${ID('0a1b2c3d', 3)} }, interfaces: [{ subnet: s1, id: ${ID('0a1b2c3d', 4)} }] }`);
    expect(errs(text)).toEqual([]);
    const dhcp = withLine(6, `  t1: { project: p, type: vxlan, segmentation_id: 5, dhcp_hosts: [n1], subnets: { s1: { cidr: 10.1.0.0/24, dhcp_ports: { n1: { id: ${ID('0a1b2c3d', 5)} } } } } }`)
      .split('\n').map((l) => (l.startsWith('  t2:') ? `  t2: { project: p, type: vxlan, segmentation_id: 6, dhcp_hosts: [n1], subnets: { s2: { cidr: 10.2.0.0/24, dhcp_ports: { n1: { id: ${ID('0a1b2c3d', 6)} } } } } }` : l)).join('\n');
    expect(errs(dhcp)).toEqual([['NP410', 'networks.t2.subnets.s2.dhcp_ports.n1.id', 7]]);
  });
});

describe("a DHCP agent's port on a network with two DHCP-enabled subnets (NP411)", () => {
  const ID = '0a1b2c3d-0000-4000-8000-000000000007';
  const t1 = (a: string, b: string) => withLine(6, `  t1: { project: p, type: vxlan, segmentation_id: 5, dhcp_hosts: [n1], subnets: { s1: { cidr: 10.1.0.0/24${a} }, s1b: { cidr: 10.1.1.0/24${b} } } }`);
  const dhcp = (text: string) => {
    const r = loadTopologyText(text, 't.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.value.ports.filter((p) => p.deviceOwner === 'network:dhcp' && p.network === 't1').map((p) => [p.subnet, p.id, p.mac]);
  };
  it('is one port (one id, one MAC) with an address on each, derived or written as `netproof import` writes it', () => {
    const derived = dhcp(t1('', ''));
    expect(derived.map((x) => x[0])).toEqual(['s1', 's1b']);
    expect(new Set(derived.map((x) => `${x[1]} ${x[2]}`)).size).toBe(1);
    const written = dhcp(t1(`, dhcp_ports: { n1: { id: ${ID}, mac: 'fa:16:3e:00:00:71' } }`, `, dhcp_ports: { n1: { id: ${ID}, mac: 'fa:16:3e:00:00:71' } }`));
    expect(written).toEqual([['s1', ID, 'fa:16:3e:00:00:71'], ['s1b', ID, 'fa:16:3e:00:00:71']]);
    // Written on one subnet only: the other address is the same port's.
    const once = dhcp(t1(`, dhcp_ports: { n1: { id: ${ID} } }`, ''));
    expect(once.map((x) => x[1])).toEqual([ID, ID]);
    expect(once[1]![2]).toBe(once[0]![2]);
  });
  it('another id written for a subnet is another port, with its own MAC', () => {
    const two = dhcp(t1(`, dhcp_ports: { n1: { id: ${ID} } }`, ', dhcp_ports: { n1: { id: 9a1b2c3d-0000-4000-8000-000000000008 } }'));
    expect(two.map((x) => x[1])).toEqual([ID, '9a1b2c3d-0000-4000-8000-000000000008']);
    expect(two[0]![2]).not.toBe(two[1]![2]);
  });
  it('one id with two MACs is refused at the later MAC', () => {
    const text = t1(`, dhcp_ports: { n1: { id: ${ID}, mac: 'fa:16:3e:00:00:71' } }`, `, dhcp_ports: { n1: { id: ${ID}, mac: 'fa:16:3e:00:00:72' } }`);
    expect(errs(text)).toEqual([['NP411', 'networks.t1.subnets.s1b.dhcp_ports.n1.mac', 6]]);
    expect(loadTopologyText(text, 't.yaml')).toMatchObject({ ok: false, errors: [{ message: expect.stringMatching(/^network t1's DHCP port on n1 is one port with one MAC \(fa:16:3e:00:00:71 on subnet s1\)/) }] });
  });
});

describe('several errors', () => {
  it('are all reported, in file order, with columns', () => {
    const text = withLine(2, '  c1: { role: compute }').split('\n');
    text[14] = '  vm2: { project: p, host: c9, ports: [{ network: t2 }] }';
    const r = loadTopologyText(text.join('\n'), 't.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.path, e.position])).toEqual([
      ['NP406', 'hosts.c1', { line: 2, column: 3 }],
      ['NP201', 'vms.vm2.host', { line: 15, column: 28 }],
    ]);
  });
});
