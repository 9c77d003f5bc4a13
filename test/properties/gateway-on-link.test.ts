// gateway's on-link checks where a default extra route points into a tenant subnet (route-default-extra:
// router1's 0.0.0.0/0 via router2 on subnet2). With a connected route deleted, what router1 routes to
// that subnet, or to its external subnet's gateway, goes to router2 instead — still out of the right
// device in the first case, and out again to the outside world in the second — so neither "leaves
// through the interface" nor "the echo reply gets back out" shows it: the route taken must be on-link.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { gateway } from '../../src/questions/properties/gateway.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const ROUTER1_ROUTES = /network1\/qrouter-ff589f1d[^/]*\.ip-route$/;
const of = async (ctx: ReturnType<typeof context>, subject: string) => (await gateway.check(ctx)).find((r) => r.subject === subject)!;

describe('gateway: on-link where a default extra route points into a tenant subnet', () => {
  it('as rendered, router1 sends to its external subnet\'s gateway and into subnet2 on-link', async () => {
    const ctx = context('route-default-extra');
    const ext = await of(ctx, 'router:router1/public-v4');
    expect(ext.verdict).toBe('holds');
    expect(ext.message).toContain('router1 sends to 203.0.113.1 on public-v4 straight out of qg-');
    const into = await of(ctx, 'router:router1/subnet2');
    expect(into.verdict).toBe('holds');
  });

  it('without the connected route to the external subnet, the upstream router is reached through router2: violated', async () => {
    const ctx = context('route-default-extra', edit(ROUTER1_ROUTES, dropLines(/^203\.0\.113\.0\/24 dev qg-/)));
    const r = await of(ctx, 'router:router1/public-v4');
    expect(r.verdict).toBe('violated');
    expect(r.message).toContain("router1's packet to 203.0.113.1 (the upstream router's address, no other address answering ARP there, of public-v4");
    expect(r.trace!.hops.some((h) => h.device.startsWith('qrouter-0c756e29'))).toBe(true);
  });

  it('without the connected route to subnet2, a packet for vm2 goes to router2\'s MAC: violated, naming the route', async () => {
    const ctx = context('route-default-extra', edit(ROUTER1_ROUTES, dropLines(/^192\.168\.2\.0\/24 dev qr-/)));
    const r = await of(ctx, 'router:router1/subnet2');
    expect(r.verdict).toBe('violated');
    expect(r.message).toContain('router1 routes to subnet2 by the default route via 192.168.2.254 out of qr-');
    expect(r.message).toContain('not on-link to the destination');
  });

  it('a router whose ARP onto a provider network dies on its own host (br-provider\'s flow out deleted) does not reach the port it routes to: violated', async () => {
    const ok = await of(context('router-on-provider'), 'router:router1/net2-v4');
    expect(ok.verdict).toBe('holds');
    expect(ok.message).toBe('all 1 VM ports of net2-v4 reach 10.0.1.1 in qrouter-ff589f1d-8332-51d7-9e9d-1a69f4c70e7d (ICMP echo request)');
    const ctx = context('router-on-provider', edit(/network1\/br-provider\.dump-flows$/, dropLines(/dl_vlan=1 actions=strip_vlan,NORMAL/)));
    const r = await of(ctx, 'router:router1/net2-v4');
    expect(r.verdict).toBe('violated');
    expect(r.message).toContain("router1 routes to net2-v4 out of qr-");
    expect(r.message).toContain("but gets no ARP answer there from vm1:0, which answers ARP: the packet never leaves: vm2:0's packet to vm1:0 (10.0.1.241)");
  });
});

// On an external subnet without a gateway address (external-no-gateway-two-routers: router1 and router2
// alone on public-v4) there is no upstream router to ping the gateway from, but what a router reaches
// there at all it reaches by its connected route: the on-link part is asked of another holder.
describe('gateway: on-link on an external subnet without an upstream router', () => {
  const ROUTER1 = /network1\/qrouter-ff589f1d[^/]*\.ip-route$/;

  it('as rendered, router1 sends to router2\'s gateway address straight out of its qg- device', async () => {
    const r = await of(context('external-no-gateway-two-routers'), 'router:router1/public-v4');
    expect(r.verdict).toBe('holds');
    expect(r.message).toMatch(/^public-v4 has no gateway address: no upstream router on the link of router1's gateway 203\.0\.113\.10 to reach it from; router1 sends to 203\.0\.113\.20 on public-v4 straight out of qg-\S+$/);
  });

  it('without its connected route to public-v4, router1 has no route to router2\'s gateway: violated', async () => {
    const r = await of(context('external-no-gateway-two-routers', edit(ROUTER1, dropLines(/^203\.0\.113\.0\/24 dev qg-/))), 'router:router1/public-v4');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^router1's packet to 203\.0\.113\.20 \(another address of public-v4, at \S+\) does not leave qg-\S+ straight to it: no-route/);
    expect(r.witness).toMatchObject({ ip_src: '203.0.113.10', ip_dst: '203.0.113.20', proto: 1, icmp_type: 8 });
  });

  it("with DHCP on the subnet and one router, the other holder is the network's DHCP server", async () => {
    const r = await of(context('external-no-gateway'), 'router:router1/public-v4');
    expect(r.verdict).toBe('holds');
    expect(r.message).toMatch(/; router1 sends to 203\.0\.113\.1 on public-v4 straight out of qg-\S+$/);
  });
});

// An extra route with the prefix of one of the router's own subnets (route-over-subnet: router1's
// 192.168.2.0/24 via vm3 on subnet1) takes the connected route's place: what router1 routes into
// subnet2 leaves through subnet1's interface to vm3, as its owner told it, and must be routed by that
// route — found on generated topologies, where it was called a violation of routing into subnet2.
describe('gateway: an extra route over a subnet of the router', () => {
  const ROUTES = /network1\/qrouter-ff589f1d[^/]*\.ip-route$/;

  it('as rendered, subnet2 holds: its ports reach their gateway, and what the router routes there goes by the extra route to vm3', async () => {
    const ctx = context('route-over-subnet');
    const r = await of(ctx, 'router:router1/subnet2');
    expect(r.verdict).toBe('holds');
    expect(r.message).toBe('all 1 VM ports of subnet2 reach 192.168.2.1 in qrouter-ff589f1d-8332-51d7-9e9d-1a69f4c70e7d (ICMP echo request)');
  });

  it('without the extra route (nor a connected route, which it replaced), a packet for vm2 has no route: violated, naming the route', async () => {
    const ctx = context('route-over-subnet', edit(ROUTES, dropLines(/^192\.168\.2\.0\/24 via 192\.168\.1\.20 /)));
    const r = await of(ctx, 'router:router1/subnet2');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^router1 does not route 192\.168\.2\.12 by its extra route via 192\.168\.1\.20, which takes that address of subnet2: vm1:0's packet to vm2:0 \(192\.168\.2\.12\) /);
    expect(r.claim!.shownBy(r.trace!)).toBe(true);
  });

  it('with the extra route pointing at another next hop (vm1), violated: the route taken is not the extra route', async () => {
    const ctx = context('route-over-subnet', edit(ROUTES, (t) => t.replace(/^192\.168\.2\.0\/24 via 192\.168\.1\.20 /m, '192.168.2.0/24 via 192.168.1.11 ')));
    const r = await of(ctx, 'router:router1/subnet2');
    expect(r.verdict).toBe('violated');
    expect(r.message).toContain('router1 does not route 192.168.2.12 by its extra route via 192.168.1.20');
    expect(r.claim!.shownBy(r.trace!)).toBe(true);
  });
});
