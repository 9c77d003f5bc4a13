// Stateless security groups (`stateful: false`) in the topology file: loaded into the model, refused
// before Ussuri (the release that brought them), beside a stateful group on one port (the API refuses
// that), and where the hybrid firewall's choice between tracking and not tracking a port would depend
// on the order of its groups, which the agent takes from a set.
import { describe, expect, it } from 'vitest';
import { loadTopologyText } from '../../src/topology/index.ts';

const BASE = [
  'defaults: { release: "2024.1" }', //                                                     1
  'hosts:', //                                                                              2
  '  c1: { role: compute, tunnel_ip: 10.0.0.1 }', //                                        3
  '  n1: { role: network, tunnel_ip: 10.0.0.2 }', //                                        4
  'networks:', //                                                                           5
  '  t1: { project: p, type: vxlan, segmentation_id: 5, subnets: { s1: { cidr: 10.1.0.0/24 } } }', // 6
  'security_groups:', //                                                                    7
  '  p:', //                                                                                8
  '    web: { rules: [{ direction: ingress, protocol: tcp, port: 80 }], stateful: false }', // 9
  '    ssh: [{ direction: ingress, protocol: tcp, port: 22 }]', //                          10
  '    quiet: { rules: [], auto_egress: false, stateful: false }', //                       11
  'vms:', //                                                                                12
  '  vm1: { project: p, host: c1, ports: [{ network: t1, security_groups: [web] }] }', //  13
];
const withLine = (n: number, line: string): string => BASE.map((l, i) => (i + 1 === n ? line : l)).join('\n');

function errs(text: string): [string, string, number | null][] {
  const r = loadTopologyText(text, 't.yaml');
  return r.ok ? [] : r.errors.map((e) => [e.code, e.path, e.position?.line ?? null]);
}

describe('stateless security groups in the topology file', () => {
  it('load, with the flag on the group and every other group stateful', () => {
    const r = loadTopologyText(BASE.join('\n'), 't.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const byName = Object.fromEntries(r.value.securityGroups.map((g) => [g.name, g.stateful]));
    expect(byName).toEqual({ default: true, web: false, ssh: true, quiet: false });
  });

  it('are refused before Ussuri, at the group\'s stateful field', () => {
    expect(errs(withLine(1, 'defaults: { release: train }'))).toEqual([['NP102', 'security_groups.p.web.stateful', 9], ['NP102', 'security_groups.p.quiet.stateful', 11]]);
    expect(errs(withLine(1, 'defaults: { release: ussuri }'))).toEqual([]);
    expect(errs(withLine(1, 'defaults: { release: 16.0.0 }'))).toEqual([]);
    const r = loadTopologyText(withLine(1, 'defaults: { release: train }'), 't.yaml');
    expect(r.ok ? '' : r.errors[0]!.message).toMatch(/came with Ussuri \(neutron 16\.0\.0/);
  });

  it('may not share a port with a stateful group (NP412), the default group included', () => {
    expect(errs(withLine(13, '  vm1: { project: p, host: c1, ports: [{ network: t1, security_groups: [web, ssh] }] }'))).toEqual([['NP412', 'vms.vm1.ports[0].security_groups', 13]]);
    expect(errs(withLine(13, '  vm1: { project: p, host: c1, ports: [{ network: t1, security_groups: [default, web] }] }'))).toEqual([['NP412', 'vms.vm1.ports[0].security_groups', 13]]);
    // No groups at all, or port security off: nothing to disagree.
    expect(errs(withLine(13, '  vm1: { project: p, host: c1, ports: [{ network: t1, security_groups: [] }] }'))).toEqual([]);
  });

  it('a port in stateless groups some of which have no rules is refused under the hybrid firewall (NP413), not under noop', () => {
    const both = withLine(13, '  vm1: { project: p, host: c1, ports: [{ network: t1, security_groups: [web, quiet] }] }');
    expect(errs(both)).toEqual([['NP413', 'vms.vm1.ports[0].security_groups', 13]]);
    expect(errs(both.replace('defaults: { release: "2024.1" }', 'defaults: { release: "2024.1", firewall_driver: noop }'))).toEqual([]);
    // All without rules: the agent tracks the port, whatever the order.
    expect(errs(withLine(13, '  vm1: { project: p, host: c1, ports: [{ network: t1, security_groups: [quiet] }] }'))).toEqual([]);
  });
});
