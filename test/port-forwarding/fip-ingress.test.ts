// fip-ingress for a floating IP with port forwardings (test/properties/topologies/port-forwarding.yaml:
// 203.0.113.50 forwards tcp/2201 to vm1:22, tcp/2202 to vm2:22, udp/5353 to vm2:53): as rendered it holds,
// and each fault of the router's rules a real cloud can have is found, with its trace —
// the forwarding's DNAT rule deleted (its packets stay in the router itself), the jump into its chain deleted,
// the DNAT rewritten to another internal port or to another VM (what arrives through it arrives elsewhere),
// the floating IP's address gone from qg- (nothing arrives), the hairpin rule deleted (a forwarding's packet from
// behind the router arrives from its sender's own address). The ordinary floating IP beside it is unaffected.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { fipIngress } from '../../src/questions/properties/fip-ingress.ts';
import type { PropertyResult } from '../../src/questions/property.ts';
import { context, dropLines, edit } from '../properties/build.ts';

afterAll(async () => { await shutdownZ3(); });

const ROUTER = /network1\/qrouter-[^/]*\.iptables-save$/;
const ADDR = /network1\/qrouter-[^/]*\.ip-addr$/;
const FIP = 'fip:203.0.113.50';
const byFip = (rs: readonly PropertyResult[]) => new Map(rs.map((r) => [r.subject, r]));

describe('fip-ingress through port forwardings', () => {
  it('holds as rendered, for the forwarded floating IP and the ordinary one', async () => {
    const rs = byFip(await fipIngress.check(context('port-forwarding')));
    expect([...rs.keys()]).toEqual(['fip:203.0.113.101', FIP]);
    expect(rs.get(FIP)!.verdict).toBe('holds');
    expect(rs.get(FIP)!.message).toContain('by one of its 3 port forwardings');
    expect(rs.get('fip:203.0.113.101')!.verdict).toBe('holds');
  });

  it('the DNAT rule of tcp/2201 deleted: its packets stay in the router: violated', async () => {
    const rs = byFip(await fipIngress.check(context('port-forwarding', edit(ROUTER, dropLines(/--dport 2201 -j DNAT/)))));
    const r = rs.get(FIP)!;
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/tcp\/2201 packet to 203\.0\.113\.50, a forwarded port, is delivered to qrouter-\S+ on network1 itself, not forwarded/);
    expect(r.trace!.packet).toMatchObject({ ip_dst: '203.0.113.50', dport: 2201, proto: 6 });
    expect(rs.get('fip:203.0.113.101')!.verdict).toBe('holds');
  });

  it('the jump into the udp/5353 forwarding\'s chain deleted: violated', async () => {
    const rs = byFip(await fipIngress.check(context('port-forwarding', edit(ROUTER, (t) => {
      const chain = /-A (neutron-l3-agent-pf-[0-9a-f]{8}) .*--dport 5353 -j DNAT/.exec(t)![1]!;
      return dropLines(new RegExp(`^-A neutron-l3-agent-fip-pf -j ${chain}$`))(t);
    }))));
    expect(rs.get(FIP)!.verdict).toBe('violated');
    expect(rs.get(FIP)!.trace!.packet).toMatchObject({ dport: 5353, proto: 17 });
  });

  it('the DNAT sending tcp/2201 to port 23 instead of 22: what arrives, arrives where no forwarding sends it', async () => {
    const rs = byFip(await fipIngress.check(context('port-forwarding', edit(ROUTER, (t) => t.replace('--to-destination 192.168.1.11:22', '--to-destination 192.168.1.11:23')))));
    const r = rs.get(FIP)!;
    expect(r.verdict).toBe('violated');
    expect(r.message).toBe('a tcp/2201 packet to 203.0.113.50 reaches vm1:0 addressed to 192.168.1.11:23, which no port forwarding of 203.0.113.50 sends it to');
    expect(r.trace!.final).toMatchObject({ ip_dst: '192.168.1.11', dport: 23 });
  });

  it('the DNAT sending tcp/2202 to vm1 instead of vm2: delivered to vm1, which no forwarding of that port sends to', async () => {
    const rs = byFip(await fipIngress.check(context('port-forwarding', edit(ROUTER, (t) => t.replace('--to-destination 192.168.2.12:22', '--to-destination 192.168.1.11:22')))));
    const r = rs.get(FIP)!;
    expect(r.verdict).toBe('violated');
    expect(r.message).toBe('a tcp/2202 packet to 203.0.113.50 reaches vm1:0 addressed to 192.168.1.11:22, which no port forwarding of 203.0.113.50 sends it to');
  });

  it('the floating IP gone from qg-: nothing arrives: violated (not a proof over no packet)', async () => {
    const rs = byFip(await fipIngress.check(context('port-forwarding', edit(ADDR, dropLines(/inet 203\.0\.113\.50\/32/)))));
    expect(rs.get(FIP)!.verdict).toBe('violated');
    expect(rs.get(FIP)!.message).toContain('does not work');
  });

  it('from behind the router, the hairpin rule deleted: a forwarding\'s packet arrives from its sender\'s own address: violated', async () => {
    const ok = byFip(await fipIngress.check(context('port-forwarding'))).get(FIP)!;
    expect(ok.message).toMatch(/a packet from vm\d:0 behind router1 to 203\.0\.113\.50 .* from 203\.0\.113\.10/);
    const rs = byFip(await fipIngress.check(context('port-forwarding', edit(ROUTER, dropLines(/-m mark ! --mark 0x2\/0xffff -m conntrack --ctstate DNAT -j SNAT/)))));
    const r = rs.get(FIP)!;
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/behind router1 to 203\.0\.113\.50 .* not from 203\.0\.113\.10/);
  });
});
