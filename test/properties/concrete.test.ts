// The properties checked with concrete evaluator traces (dhcp, gateway with its external gateways and
// extra routes, loop-free) and
// project-isolation: hold on the basic cloud; DHCP replies rendered without their ingress rule, an
// egress chain without its allow-all rule, and two projects on one router each show a violation.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { dhcp } from '../../src/questions/properties/dhcp.ts';
import { gateway } from '../../src/questions/properties/gateway.ts';
import { routeProbeAddress } from '../../src/questions/properties/gateway-routes.ts';
import { loopFree, tableCycle } from '../../src/questions/properties/loop-free.ts';
import { projectIsolation } from '../../src/questions/properties/project-isolation.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const basic = context('basic');

describe('the built-in list', () => {
  it('has the issue\'s ids in order', () => {
    expect(BUILTIN_PROPERTIES.map((p) => p.id)).toEqual(['nat-egress', 'fip-ingress', 'project-isolation', 'segment-isolation', 'loop-free', 'dhcp', 'gateway', 'security-groups', 'anti-spoofing', 'east-west']);
  });
});

describe('dhcp', () => {
  it('holds on both tenant networks', async () => {
    const rs = await dhcp.check(basic);
    expect(rs.map((r) => [r.subject, r.verdict])).toEqual([['network:net1', 'holds'], ['network:net2', 'holds']]);
  });

  it('a port firewall without the DHCP reply rule loses the reply; the failing trace is reported', async () => {
    const ctx = context('basic', edit(/compute1\/iptables-save$/, dropLines(/--sport 67 --dport 68 -j RETURN$/)));
    const rs = await dhcp.check(ctx);
    expect(rs.every((r) => r.verdict === 'violated')).toBe(true);
    expect(rs[0]!.message).toContain('DHCP reply');
    expect(rs[0]!.trace!.disposition).toBe('dropped');
    expect(rs[0]!.witness!.sport).toBe(67);
  });

  it("a port whose ARP br-int drops (its address gone from the ARP anti-spoofing table) cannot renew: the unicast request's ARP for the server is reported", async () => {
    const ctx = context('basic', edit(/compute1\/br-int\.dump-flows$/, dropLines(/table=24,.*arp_spa=192\.168\.1\.11\b/)));
    const rs = await dhcp.check(ctx);
    expect(rs.map((r) => [r.subject, r.verdict])).toEqual([['network:net1', 'violated'], ['network:net2', 'holds']]);
    expect(rs[0]!.message).toContain('unicast DHCP request');
    expect(rs[0]!.trace!.disposition).toBe('no-arp');
    expect(rs[0]!.trace!.droppedAt?.device).toBe('br-int');
  });
});

describe('dhcp with two agents', () => {
  it("holds when each agent's server answers; one server's address deleted is a violation naming that server, though the other still answers", async () => {
    const [ok] = await dhcp.check(context('dhcp-two-agents'));
    expect(ok!.verdict).toBe('holds');
    expect(ok!.message).toContain('on each of network1, network2');
    const ctx = context('dhcp-two-agents', edit(/network2\/qdhcp-.*\.ip-addr$/, dropLines(/inet 192\.168\.1\.3\/24/)));
    const [r] = await dhcp.check(ctx);
    expect(r!.verdict).toBe('violated');
    expect(r!.message).toContain('unicast DHCP request to 192.168.1.3');
  });
});

describe('gateway', () => {
  it('holds for each router interface and for the router\'s external gateway', async () => {
    const rs = await gateway.check(basic);
    expect(rs.map((r) => [r.subject, r.verdict])).toEqual([['router:router1/subnet1', 'holds'], ['router:router1/subnet2', 'holds'], ['router:router1/public-v4', 'holds']]);
    expect(rs[2]!.message).toContain('the upstream router of public (203.0.113.1) reaches 203.0.113.10');
  });

  it('an egress chain without its allow rule stops the echo to the gateway', async () => {
    const ctx = context('basic', edit(/compute1\/iptables-save$/, dropLines(/^-A neutron-openvswi-o\S+ -j RETURN$/)));
    const rs = await gateway.check(ctx);
    expect(rs.map((r) => r.verdict)).toEqual(['violated', 'violated', 'holds']);
    expect(rs[0]!.trace!.droppedAt).not.toBeNull();
  });

  it("a port whose own groups let no ICMP echo out is not asked; of a subnet of only such ports, how the router routes into it; the drop of an echo they allow is still a violation", async () => {
    const rs = await gateway.check(context('sg-no-egress'));
    const by = new Map(rs.map((r) => [r.subject, r]));
    expect(by.get('router:router1/subnet1')!.verdict).toBe('holds');
    expect(by.get('router:router1/subnet1')!.message).toContain('1 of 2 VM ports of subnet1 reaches 192.168.1.1');
    expect(by.get('router:router1/subnet1')!.message).toContain('(vm3:0) not asked: its own security groups do not let an ICMP echo out');
    expect(by.get('router:router1/subnet3')!.verdict).toBe('holds');
    expect(by.get('router:router1/subnet3')!.message).toMatch(/^no VM port of subnet3 may send an ICMP echo to 192\.168\.3\.1; .*; router1 routes into it through its interface there: vm1:0's packet to vm4:0 leaves qrouter-\S+ through qr-/);
    // The same ports, their egress allowed by intent but the firewall's allow rules gone: the dataplane's fault.
    const broken = context('sg-no-egress', edit(/compute1\/iptables-save$/, dropLines(/^-A neutron-openvswi-o\S+ -j RETURN$/)));
    const after = new Map((await gateway.check(broken)).map((r) => [r.subject, r.verdict]));
    // subnet3's routing is shown from outside then (the ports' own echoes are all dropped leaving them).
    expect([after.get('router:router1/subnet1'), after.get('router:router1/subnet2'), after.get('router:router1/subnet3')]).toEqual(['violated', 'violated', 'holds']);
  });

  it("a router's subnet without VM ports: the router must still route into it; its address and connected route deleted, what is sent there leaves by the default route", async () => {
    const r = (await gateway.check(context('empty-subnet'))).find((x) => x.subject === 'router:router1/subnet3')!;
    expect(r.verdict).toBe('holds');
    expect(r.message).toContain("vm1:0's packet to 192.168.3.2 leaves qrouter-");
    const gone = context('empty-subnet', (a) => edit(/network1\/qrouter-.*\.ip-route$/, dropLines(/^192\.168\.3\.0\/24 dev/))(edit(/network1\/qrouter-.*\.ip-addr$/, dropLines(/inet 192\.168\.3\.1\/24/))(a)));
    const v = (await gateway.check(gone)).find((x) => x.subject === 'router:router1/subnet3')!;
    expect(v.verdict).toBe('violated');
    expect(v.message).toContain('router1 does not route to subnet3 through its interface there');
    expect(v.trace!.final.ip_dst).toBe('192.168.3.2');
  });

  it('a provider network: a class whose own groups let no echo out is not asked, a network of only such ports is n/a', async () => {
    const rs = new Map((await gateway.check(context('provider-no-egress'))).map((r) => [r.subject, r]));
    expect(rs.get('network:provider-vlan')!.verdict).toBe('holds');
    expect(rs.get('network:provider-vlan')!.message).toContain('2 ports on vlan200-v4 reach their gateway');
    expect(rs.get('network:provider-vlan')!.message).toContain('(locked1:0) not asked');
    expect(rs.get('network:provider-vlan2')!.verdict).toBe('n/a');
  });

  it("br-ex without the flow that takes the external network's VLAN out: the gateway is reached, its echo reply never gets back out", async () => {
    // Everything br-int sends onto the external network dies at br-ex's `in_port=phy-br-ex actions=drop`:
    // the router's ARP request for the upstream router first.
    const ctx = context('basic', edit(/network1\/br-ex\.dump-flows$/, dropLines(/in_port="?phy-br-ex"?,dl_vlan=\d+ actions=strip_vlan,NORMAL/)));
    const r = (await gateway.check(ctx)).find((x) => x.subject === 'router:router1/public-v4')!;
    expect(r.verdict).toBe('violated');
    expect(r.message).toContain('reaches router1\'s gateway 203.0.113.10, but the echo reply 203.0.113.10 → 203.0.113.1 does not get back out');
    expect(r.message).toContain('priority=2,in_port="phy-br-ex" actions=drop');
    expect(r.witness).toMatchObject({ ip_src: '203.0.113.10', ip_dst: '203.0.113.1', proto: 1, icmp_type: 0 });
    expect(r.trace!.disposition).toBe('no-arp');
  });

  it('a gateway address missing from the qg- device is not reached from outside', async () => {
    const ctx = context('basic', edit(/network1\/qrouter-[^/]*\.ip-addr$/, dropLines(/inet 203\.0\.113\.10\//)));
    const r = (await gateway.check(ctx)).find((x) => x.subject === 'router:router1/public-v4')!;
    expect(r.verdict).toBe('violated');
    expect(r.message).toContain('does not reach router1\'s gateway 203.0.113.10');
    expect(r.witness).toMatchObject({ ip_src: '203.0.113.1', ip_dst: '203.0.113.10', icmp_type: 8 });
  });

  it('the router sends to another address of its external subnet straight out of qg- (the on-link check holds)', async () => {
    const r = (await gateway.check(basic)).find((x) => x.subject === 'router:router1/public-v4')!;
    expect(r.verdict).toBe('holds');
    expect(r.message).toMatch(/router1 sends to 203\.0\.113\.2 on public-v4 straight out of qg-\S+$/);
  });

  it("the external subnet's connected route deleted: the router's packet to 203.0.113.2 goes by the upstream router, a violation with that trace", async () => {
    const ctx = context('basic', edit(/network1\/qrouter-[^/]*\.ip-route$/, dropLines(/^203\.0\.113\.0\/24 dev qg-\S+ proto kernel scope link/)));
    const r = (await gateway.check(ctx)).find((x) => x.subject === 'router:router1/public-v4')!;
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^router1's packet to 203\.0\.113\.2 \(another address of public-v4, at \S+\) does not leave qg-\S+ straight to it: it is sent to the upstream router \(02:\S+\), off the link/);
    expect(r.witness).toMatchObject({ ip_src: '203.0.113.10', ip_dst: '203.0.113.2', proto: 1, icmp_type: 8 });
    // It still arrives, by the hairpin: from the upstream router's MAC.
    expect(r.trace!.disposition).toBe('delivered');
    expect(r.trace!.hops.some((h) => h.deviceKind === 'outside' && h.outPort !== null)).toBe(true);
    expect(r.claim!.shownBy(r.trace!)).toBe(true);
  });

  it("an extra route to a VM next hop: the router sends the route's packets to it", async () => {
    const rs = await gateway.check(context('route-via-vm'));
    const r = rs.find((x) => x.subject === 'router:router1/route:10.20.0.0/24 via 192.168.1.30')!;
    expect(rs.every((x) => x.verdict === 'holds')).toBe(true);
    expect(r.message).toMatch(/^vm1:0's packet to 10\.20\.0\.1 leaves qrouter-\S+ via 192\.168\.1\.30$/);
  });

  it('the extra route gone from the router: its packets fall to the default route, a violation with that trace', async () => {
    const ctx = context('route-via-vm', edit(/network1\/qrouter-[^/]*\.ip-route$/, dropLines(/^10\.20\.0\.0\/24 via 192\.168\.1\.30 /)));
    const r = (await gateway.check(ctx)).find((x) => x.subject === 'router:router1/route:10.20.0.0/24 via 192.168.1.30')!;
    expect(r.verdict).toBe('violated');
    expect(r.message).toContain('is routed by the default route via 203.0.113.1 out of qg-');
    expect(r.witness).toMatchObject({ ip_src: '192.168.1.11', ip_dst: '10.20.0.1' });
    expect(r.trace!.disposition).toBe('exited');
  });

  it('the extra route pointing at another next hop is a violation too', async () => {
    const ctx = context('route-via-vm', edit(/network1\/qrouter-[^/]*\.ip-route$/, (t) => t.replace('10.20.0.0/24 via 192.168.1.30 ', '10.20.0.0/24 via 192.168.1.31 ')));
    const r = (await gateway.check(ctx)).find((x) => x.subject.startsWith('router:router1/route:'))!;
    expect(r.verdict).toBe('violated');
    expect(r.message).toContain('is routed by 10.20.0.0/24 via 192.168.1.31');
  });
});

describe("gateway's address for an extra route", () => {
  const t = context('route-via-vm').topology;
  const r1 = t.routers[0]!;
  const probe = (destination: string, others: string[] = []) =>
    routeProbeAddress(t, { ...r1, routes: [...others.map((d) => ({ destination: d, nexthop: '192.168.1.30' })), { destination, nexthop: '192.168.1.30' }] }, { destination, nexthop: '192.168.1.30' });
  it('is an address of the destination no more specific prefix of the router covers, never a martian one', () => {
    expect(probe('10.20.0.0/24')).toBe('10.20.0.1');
    expect(probe('10.20.0.0/24', ['10.20.0.0/25'])).toBe('10.20.0.129');
    expect(probe('10.20.0.0/24', ['10.20.0.0/25', '10.20.0.128/26'])).toBe('10.20.0.254');
    expect(probe('0.0.0.0/0')).toBe('128.0.0.1');
    expect(probe('10.20.0.7/32')).toBe('10.20.0.7');
    // The router's own subnet is more specific than the route: nothing left to ask about.
    expect(probe('192.168.1.0/24')).toBeNull();
  });
});

describe('loop-free', () => {
  it('holds on every host', async () => {
    const rs = await loopFree.check(basic);
    expect(rs.map((r) => r.verdict)).toEqual(['holds', 'holds']);
  });

  it('finds a resubmit cycle between tables', () => {
    const o = { file: 't', line: 1, text: '' };
    const f = (table: number, to: number) => ({ table, priority: 1, match: {}, actions: [{ kind: 'resubmit' as const, port: null, table: to }], cookie: null, origin: o });
    expect(tableCycle({ kind: 'ovs-bridge', name: 'br', ports: [], flows: [f(0, 60), f(60, 61)] })).toBeNull();
    expect(tableCycle({ kind: 'ovs-bridge', name: 'br', ports: [], flows: [f(0, 60), f(60, 0)] })).toEqual([0, 60, 0]);
  });
});

describe('project-isolation', () => {
  it('is n/a with one project: nothing to be isolated from', async () => {
    const [r] = await projectIsolation.check(basic);
    expect(r!.verdict).toBe('n/a');
    expect(r!.message).toContain('nothing to be isolated from');
  });

  it('two projects on one router reach each other by fixed address; the witness names both ports and the router between them', async () => {
    const rs = await projectIsolation.check(context('two-projects'));
    const demo = rs.find((r) => r.subject === 'project:demo')!;
    expect(demo.verdict).toBe('violated');
    expect(demo.message).toContain('vm1:0 (project demo) reaches vm3:0 (project other)');
    expect(demo.message).toMatch(/at its fixed address 192\.168\.3\.13, through router1 \(project demo\)$/);
    expect(demo.witness!.ip_dst).toBe('192.168.3.13');
    expect(demo.trace!.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm3' });
  });
});

describe('dhcp on a network with two DHCP-enabled subnets', () => {
  it('one DHCP port serves both: the second subnet\'s server address is the same tap and MAC, and a unicast request there is answered', async () => {
    const ctx = context('dhcp-two-subnets');
    const servers = ctx.topology.ports.filter((p) => p.deviceOwner === 'network:dhcp');
    expect(servers.map((p) => p.subnet)).toEqual(['net1-a', 'net1-b']);
    expect(new Set(servers.map((p) => p.id)).size).toBe(1);
    expect(new Set(servers.map((p) => p.mac)).size).toBe(1);
    const rs = await dhcp.check(ctx);
    expect(rs.map((r) => [r.subject, r.verdict, r.message])).toEqual([['network:net1', 'holds', expect.stringContaining('all 1 VM ports reach')]]);
  });
});
