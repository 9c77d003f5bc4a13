// nat-egress and fip-ingress on small clouds: both hold with SNAT and a correct floating IP; snat:
// false leaves vm1 with its fixed address (witness replayed), a DNAT rendered to the wrong
// address sends the floating IP's traffic to another VM, without its DNAT the router keeps it, and
// without its address on the router's qg- device nothing from outside reaches it; on an external subnet
// without a gateway, what the network's DHCP server or another router's gateway address takes from a
// router's gateway port is asked as what leaves.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { natEgress } from '../../src/questions/properties/nat-egress.ts';
import { fipIngress } from '../../src/questions/properties/fip-ingress.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

describe('nat-egress', () => {
  it('holds for a router with SNAT and a floating IP', async () => {
    const [r] = await natEgress.check(context('basic'));
    expect(r).toMatchObject({ property: 'nat-egress', subject: 'router:router1', verdict: 'holds' });
  });

  it('snat: false is violated by the port without a floating IP, with a replayed witness', async () => {
    const [r] = await natEgress.check(context('no-snat'));
    expect(r!.verdict).toBe('violated');
    expect(r!.error).toBeUndefined();
    expect(r!.witness!.ip_src).toBe('192.168.1.11');
    expect(r!.trace!.final.ip_src).toBe('192.168.1.11');
    expect(r!.trace!.deliveredTo).toEqual({ kind: 'external', network: 'public' });
    expect(r!.message).toContain('vm1:0');
  });

  it('every class that leaks is named, not only the first: without the router\'s SNAT and float-snat rules both ports leave un-NATed', async () => {
    const ctx = context('basic', edit(/qrouter-.*\.iptables-save$/, dropLines(/-j SNAT --to-source/)));
    const [r] = await natEgress.check(ctx);
    expect(r!.verdict).toBe('violated');
    expect(r!.message).toMatch(/^vm1:0 leaves through public with source 192\.168\.1\.11, .*; and another class leaks too: vm2:0 \(source 192\.168\.2\.12 through public\)/);
  });
  it('from an allowed address pair the port may leave with the SNAT address; from its fixed address only with its floating IP', async () => {
    const [r] = await natEgress.check(context('fip-pair'));
    expect(r).toMatchObject({ subject: 'router:router1', verdict: 'holds' });
    // Without the float-snat rule, what vm2 sends from its fixed address leaves with the SNAT address.
    const ctx = context('fip-pair', edit(/qrouter-.*\.iptables-save$/, dropLines(/-s 192\.168\.2\.12\/32 -j SNAT/)));
    const [v] = await natEgress.check(ctx);
    expect(v!.verdict).toBe('violated');
    expect(v!.message).toMatch(/^vm2:0 leaves through public with source 203\.0\.113\.10 \(sent from 192\.168\.2\.12\), not one of 203\.0\.113\.101/);
    expect(v!.trace!.packet.ip_src).toBe('192.168.2.12');
  });
  it("what reaches the external network's DHCP server is asked as what leaves: without the router's SNAT rule vm1's packets get there with its fixed address", async () => {
    // No gateway on the external subnet: no outside world, so nothing leaves, and only the DHCP server sees the wire.
    const [r] = await natEgress.check(context('external-no-gateway'));
    expect(r).toMatchObject({ subject: 'router:router1', verdict: 'violated' });
    expect(r!.message).toMatch(/^nothing from behind router1 reaches the internet through public/);
    const [v] = await natEgress.check(context('external-no-gateway', edit(/qrouter-.*\.iptables-save$/, dropLines(/-o qg-\S+ -j SNAT --to-source 203\.0\.113\.10/))));
    expect(v!.verdict).toBe('violated');
    expect(v!.message).toMatch(/^vm1:0 reaches 203\.0\.113\.\d+ in qdhcp-\S+ across public with source 192\.168\.1\.11, not one of 203\.0\.113\.10; and nothing from behind router1 reaches the internet/);
    expect(v!.trace!.deliveredTo).toMatchObject({ kind: 'namespace', namespace: expect.stringMatching(/^qdhcp-/) });
    expect(v!.trace!.final.ip_src).toBe('192.168.1.11');
  });

  it("what another router's gateway address takes from the external network is asked as what leaves: without router1's SNAT rule vm1's packets get there with its fixed address", async () => {
    const [r] = await natEgress.check(context('external-no-gateway-two-routers'));
    expect(r).toMatchObject({ subject: 'router:router1', verdict: 'violated' });
    expect(r!.message).toMatch(/^nothing from behind router1 reaches the internet through public/);
    // router1's namespace's rules only (the first qrouter- file may be router2's).
    const snat = /-o qg-\S+ -j SNAT --to-source 203\.0\.113\.10 /;
    const [v] = await natEgress.check(context('external-no-gateway-two-routers', (arts) => {
      const i = arts.findIndex((a) => /qrouter-.*\.iptables-save$/.test(a.path) && snat.test(a.text));
      expect(i).toBeGreaterThanOrEqual(0);
      return arts.map((a, j) => (j === i ? { ...a, text: dropLines(snat)(a.text) } : a));
    }));
    expect(v!.verdict).toBe('violated');
    expect(v!.message).toMatch(/^vm1:0 reaches 203\.0\.113\.20 in qrouter-\S+ across public with source 192\.168\.1\.11, not one of 203\.0\.113\.10/);
    expect(v!.trace!.final.ip_src).toBe('192.168.1.11');
  });
});

describe('fip-ingress', () => {
  it('holds for a correctly rendered floating IP', async () => {
    const [r] = await fipIngress.check(context('basic'));
    expect(r).toMatchObject({ subject: 'fip:203.0.113.101', verdict: 'holds' });
  });

  it('a DNAT to the wrong fixed address is violated, reaching vm1 instead of vm2', async () => {
    const ctx = context('basic', edit(/qrouter-.*\.iptables-save$/, (t) => t.replaceAll('--to-destination 192.168.2.12', '--to-destination 192.168.1.11')));
    const [r] = await fipIngress.check(ctx);
    expect(r!.verdict).toBe('violated');
    expect(r!.witness!.ip_dst).toBe('203.0.113.101');
    expect(r!.trace!.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm1' });
    expect(r!.message).toContain('vm1:0');
  });

  it('a floating IP whose DNAT rule is gone is violated: the router keeps its packets', async () => {
    const ctx = context('basic', edit(/qrouter-.*\.iptables-save$/, (t) => t.split('\n').filter((l) => !/PREROUTING .*-j DNAT/.test(l)).join('\n')));
    const [r] = await fipIngress.check(ctx);
    expect(r!.verdict).toBe('violated');
    expect(r!.error).toBeUndefined();
    expect(r!.trace!.deliveredTo).toMatchObject({ kind: 'namespace' });
    expect(r!.trace!.deliveredTo).toMatchObject({ namespace: expect.stringMatching(/^qrouter-/) });
    // Conntrack never NATs an unsolicited echo reply: the witness opens a connection.
    expect(r!.witness!.proto === 1 ? r!.witness!.icmp_type : 8).toBe(8);
    expect(r!.message).toMatch(/is delivered to qrouter-\S+ on \S+ itself, not rewritten to vm2:0's fixed IP 192\.168\.2\.12/);
  });

  it('a floating IP whose address is gone from the router\'s qg- device is violated: nothing from outside reaches it', async () => {
    // The router no longer answers ARP for it: the upstream router sends nothing, so the search alone proves nothing.
    const ctx = context('basic', edit(/qrouter-.*\.ip-addr$/, dropLines(/inet 203\.0\.113\.101\/32/)));
    const [r] = await fipIngress.check(ctx);
    expect(r!.verdict).toBe('violated');
    expect(r!.witness!.ip_dst).toBe('203.0.113.101');
    expect(r!.trace!.disposition).toBe('no-arp');
    expect(r!.message).toMatch(/^nothing from outside reaches 203\.0\.113\.101: a packet to it from the upstream router of public \(203\.0\.113\.1\) ends no-arp/);
  });
});
