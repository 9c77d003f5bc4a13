// segment-isolation's solver half counts a packet as crossing networks without a router when it is
// delivered on another network still carrying the MAC it was sent from, that MAC being no router's. The
// upstream routers of the outside world are routers too: a port without port security may send from
// one's MAC, and what that router routes back onto its subnet then arrives with it
// (topologies/spoof-upstream-mac.yaml: vm1:0 on net1, routed by router1 and the upstream router of public
// to public's other subnet). A real crossing — a br-int flow handing vm1:0's frames straight to vm2:0's
// port, addressed to its MAC, — is still found, with vm1's packet delivered on public.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { segmentIsolation } from '../../src/questions/properties/segment-isolation.ts';
import { upstreamMac } from '../../src/dataplane/outside.ts';
import { context, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const of = async (ctx: ReturnType<typeof context>, subject: string) => (await segmentIsolation.check(ctx)).find((r) => r.subject === subject)!;

describe("segment-isolation: a packet routed by an upstream router keeps a spoofed upstream router's MAC", () => {
  it('as rendered, net1 holds: what arrives on public from the MAC vm1:0 sent was routed by the upstream router', async () => {
    const ctx = context('spoof-upstream-mac');
    // The case this is about can happen: vm1:0 may send from the upstream router's MAC.
    expect(ctx.dataplane.stations.some((s) => s.kind === 'outside' && s.network === 'public' && s.mac === upstreamMac('public'))).toBe(true);
    const r = await of(ctx, 'network:net1');
    expect(r.verdict).toBe('holds');
    expect(r.message).toContain('no packet from 1 port reaches another network without a router');
  });

  it("a br-int flow sending vm1:0's frames straight to vm2:0's port (public): net1 violated, delivered to vm2:0", async () => {
    // qvo1f2aaaa6-84 is vm1:0's port on br-int, qvoa06d80e2-e0 and fa:16:3e:80:70:e1 vm2:0's port and MAC
    // (left to the renderer by the file); vm1 addresses what it sends by ARP, so the flow takes only IP and sets the MAC.
    const ctx = context('spoof-upstream-mac', edit(/^compute1\/br-int\.dump-flows$/, (t) => ` cookie=0x1, priority=50,ip,in_port="qvo1f2aaaa6-84" actions=mod_dl_dst:fa:16:3e:80:70:e1,output:"qvoa06d80e2-e0"\n${t}`));
    const r = await of(ctx, 'network:net1');
    expect(r.verdict).toBe('violated');
    expect(r.message).toBe('vm1:0 on net1 reaches vm2:0 on another network without crossing a router');
    expect(r.witness!.eth_src).not.toBe(upstreamMac('public'));
  });
});
