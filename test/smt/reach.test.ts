// The questions API on a small hand-built cloud: reachability with witnesses, proofs of
// unreachability, NAT properties through `exists`, and the outside world as a source.
import { afterAll, describe, expect, it } from 'vitest';
import { exists, reach, shutdownZ3 } from '../../src/smt/index.ts';
import { ipToNum } from '../../src/smt/headers.ts';
import { EMPTY, MAC, OUTSIDE, ROUTER_NAT, VM1, VM2, chain, cloud, rule, ruleset } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

describe('reach', () => {
  it('finds a witness from vm1 to vm2 on the same subnet, sent to vm2 MAC', async () => {
    const r = await reach(cloud(), { sources: [VM1], target: { kind: 'station', station: VM2 } });
    expect(r.verdict).toBe('reachable');
    expect(r.witness).not.toBeNull();
    expect(r.witness!.eth_dst).toBe(MAC.vm2);
    expect(r.witness!.ip_dst).toBe('10.0.0.6');
    expect(r.witness!.ip_src).toBe('10.0.0.5');
    expect(r.witness!.proto).toBe(6); // preference: TCP
    expect(r.witness!.dport).toBe(80);
  });

  it('reaches the outside through the router, via the gateway MAC', async () => {
    const r = await reach(cloud(), { sources: [VM1], target: { kind: 'external', network: 'public' } });
    expect(r.verdict).toBe('reachable');
    expect(r.witness!.eth_dst).toBe(MAC.qr);
  });

  it('proves a FORWARD drop of TCP/22 makes SSH to the outside unreachable, but not HTTP', async () => {
    const rules = ruleset({
      ...Object.fromEntries(ROUTER_NAT.tables.map((t) => [t.name, [...t.chains]])),
      filter: [chain('FORWARD', [rule([{ kind: 'proto', proto: 6, negate: false }, { kind: 'dport', from: 22, to: 22, negate: false }], { kind: 'DROP' })], 'ACCEPT')],
    });
    const dp = cloud(rules);
    const ssh = await reach(dp, { sources: [VM1], sent: { proto: 6, dport: 22 }, target: { kind: 'external' } });
    expect(ssh.verdict).toBe('unreachable');
    const web = await reach(dp, { sources: [VM1], sent: { proto: 6, dport: 443 }, target: { kind: 'external' } });
    expect(web.verdict).toBe('reachable');
    expect(web.witness!.dport).toBe(443);
  });

  it('lets the outside reach vm2 through its floating IP (and, routed, at its own address)', async () => {
    const ext = [{ ip: '203.0.113.0', prefixLen: 24 }];
    const r2 = await reach(cloud(), { sources: [OUTSIDE], sent: { ipDst: ext }, target: { kind: 'station', station: VM2 } });
    expect(r2.verdict).toBe('reachable');
    expect(r2.witness!.ip_dst).toBe('203.0.113.50');
    expect(r2.witness!.eth_dst).toBe(MAC.qg);
    // The upstream router may route the tenant prefix to the router's external address (docs/topology.md, Conventions: The outside world).
    const direct = await reach(cloud(), { sources: [OUTSIDE], target: { kind: 'station', station: VM2 } });
    expect(direct.verdict).toBe('reachable');
    // Without the DNAT rule the floating IP is only the router's own address.
    const noFip = await reach(cloud(EMPTY), { sources: [OUTSIDE], sent: { ipDst: [{ ip: '203.0.113.50', prefixLen: 32 }] }, target: { kind: 'station', station: VM2 } });
    expect(noFip.verdict).toBe('unreachable');
  });

  it('a port-secured VM cannot spoof its source; one without port security can', async () => {
    const spoof = { ipSrc: [{ ip: '10.0.0.99', prefixLen: 32 }] };
    const secured = await reach(cloud(), { sources: [VM1], sent: spoof, target: { kind: 'any' } });
    expect(secured.verdict).toBe('unreachable');
    const open = await reach(cloud(), { sources: [{ station: VM1, anySource: true }], sent: spoof, target: { kind: 'station', station: VM2 } });
    expect(open.verdict).toBe('reachable');
    expect(open.witness!.ip_src).toBe('10.0.0.99');
  });
});

describe('exists (NAT egress property)', () => {
  const allowed = ['203.0.113.5', '203.0.113.50'].map(ipToNum);
  it('every TCP packet leaving the cloud carries the SNAT address or the floating IP', async () => {
    const r = await exists(cloud(), [VM1, VM2], { proto: 6 }, (e, f, end) =>
      end.kind === 'end' && end.disposition === 'exited' ? e.not(e.or(...allowed.map((ip) => e.eq(f.ip_src, ip, 32)))) : false);
    expect(r.verdict).toBe('no');
  });

  it('vm2 leaves with its floating IP, vm1 with the router address', async () => {
    const fipOnly = (ip: number) => (e: Parameters<Parameters<typeof exists>[3]>[0], f: { ip_src: Parameters<typeof e.eq>[0] }, end: { kind: string; disposition?: string }) =>
      end.kind === 'end' && end.disposition === 'exited' ? e.not(e.eq(f.ip_src, ip, 32)) : false;
    expect((await exists(cloud(), [VM2], { proto: 17 }, fipOnly(ipToNum('203.0.113.50')))).verdict).toBe('no');
    expect((await exists(cloud(), [VM1], { proto: 6 }, fipOnly(ipToNum('203.0.113.5')))).verdict).toBe('no');
    // And the property does fail without NAT: a witness leaves with its private address.
    const bare = await exists(cloud(EMPTY), [VM1], {}, fipOnly(ipToNum('203.0.113.5')));
    expect(bare.verdict).toBe('yes');
    expect(bare.witness!.ip_src).toBe('10.0.0.5');
  });

  it('finds that an ICMP echo reply (INVALID for conntrack, so never NATed) leaves un-translated', async () => {
    const r = await exists(cloud(), [VM2], { proto: 1 }, (e, f, end) =>
      end.kind === 'end' && end.disposition === 'exited' ? e.not(e.eq(f.ip_src, ipToNum('203.0.113.50'), 32)) : false);
    expect(r.verdict).toBe('yes');
    expect(r.witness!.icmp_type).not.toBe(8);
    expect(r.witness!.ip_src).toBe('10.0.0.6');
  });
});
