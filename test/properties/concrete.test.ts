// The properties checked with concrete evaluator traces (dhcp, gateway, loop-free) and
// project-isolation: hold on the basic cloud; DHCP replies rendered without their ingress rule, an
// egress chain without its allow-all rule, and two projects on one router each show a violation.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { dhcp } from '../../src/questions/properties/dhcp.ts';
import { gateway } from '../../src/questions/properties/gateway.ts';
import { loopFree, tableCycle } from '../../src/questions/properties/loop-free.ts';
import { projectIsolation } from '../../src/questions/properties/project-isolation.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const basic = context('basic');

describe('the built-in list', () => {
  it('has the issue\'s ids in order', () => {
    expect(BUILTIN_PROPERTIES.map((p) => p.id)).toEqual(['nat-egress', 'fip-ingress', 'project-isolation', 'segment-isolation', 'loop-free', 'dhcp', 'gateway', 'security-groups', 'anti-spoofing']);
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
});

describe('gateway', () => {
  it('holds for each router interface', async () => {
    const rs = await gateway.check(basic);
    expect(rs.map((r) => [r.subject, r.verdict])).toEqual([['router:router1/subnet1', 'holds'], ['router:router1/subnet2', 'holds']]);
  });

  it('an egress chain without its allow rule stops the echo to the gateway', async () => {
    const ctx = context('basic', edit(/compute1\/iptables-save$/, dropLines(/^-A neutron-openvswi-o\S+ -j RETURN$/)));
    const rs = await gateway.check(ctx);
    expect(rs.map((r) => r.verdict)).toEqual(['violated', 'violated']);
    expect(rs[0]!.trace!.droppedAt).not.toBeNull();
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

  it('two projects on one router reach each other by fixed address; the witness names both ports', async () => {
    const rs = await projectIsolation.check(context('two-projects'));
    const demo = rs.find((r) => r.subject === 'project:demo')!;
    expect(demo.verdict).toBe('violated');
    expect(demo.message).toContain('vm1:0 (project demo) reaches vm3:0 (project other)');
    expect(demo.witness!.ip_dst).toBe('192.168.3.13');
    expect(demo.trace!.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm3' });
  });
});
