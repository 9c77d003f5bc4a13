// gateway's check of a router interface on a subnet whose gateway is the upstream router
// (router-beside-upstream: router1 at 10.0.1.254 on the flat provider subnet net2-v4, beside its gateway
// 10.0.1.1 outside the cloud): the upstream router pings the interface and gets the echo reply back. With
// network1's br-provider lost its NORMAL flow nothing from the physical network enters network1, yet
// every port's packet still ends as before — vm2:0's packet routed into net2-v4 leaves (its address
// answers no ARP), vm1:0 on net2's other subnet is on compute1 — so only this check sees it.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { gateway } from '../../src/questions/properties/gateway.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const of = async (ctx: ReturnType<typeof context>, subject: string) => (await gateway.check(ctx)).find((r) => r.subject === subject)!;

describe('gateway: a router interface beside the upstream router on a provider subnet', () => {
  it('as rendered, the upstream router reaches router1\'s interface and gets its echo reply back', async () => {
    const r = await of(context('router-beside-upstream'), 'router:router1/net2-v4');
    expect(r.verdict).toBe('holds');
    expect(r.message).toContain("the upstream router of net2 (10.0.1.1), net2-v4's gateway, reaches router1's interface 10.0.1.254 there (ICMP echo request), and its echo reply gets back out");
  });

  it("network1's br-provider without its NORMAL flow: the upstream router's ARP request for 10.0.1.254 dies there, violated with that trace", async () => {
    const ctx = context('router-beside-upstream', edit(/network1\/br-provider\.dump-flows$/, dropLines(/priority=0 actions=NORMAL/)));
    const rs = new Map((await gateway.check(ctx)).map((r) => [r.subject, r]));
    const r = rs.get('router:router1/net2-v4')!;
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^the upstream router of net2 \(10\.0\.1\.1\) does not reach router1's interface 10\.0\.1\.254 on net2-v4: /);
    expect(r.witness).toMatchObject({ ip_src: '10.0.1.1', ip_dst: '10.0.1.254', proto: 1, icmp_type: 8 });
    expect(r.trace!.disposition).toBe('no-arp');
    // The ports' own checks still hold: nothing else shows the fault.
    expect(rs.get('network:net2')!.verdict).toBe('holds');
    expect(rs.get('router:router1/net1-v4')!.verdict).toBe('holds');
  });

  it('a router interface at the subnet\'s gateway address has no upstream router beside it: not asked', async () => {
    const r = await of(context('router-on-provider'), 'router:router1/net2-v4');
    expect(r.verdict).toBe('holds');
    expect(r.message).not.toContain('upstream router');
  });
});
