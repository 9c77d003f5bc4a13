// Ports a built-in leaves out are counted where the verdict is: in the subject's own message when it
// covers them (a network's subnets without DHCP, shared networks), else in an `n/a` result per network
// (ports behind no router with a gateway, on subnets no router serves, on networks without DHCP) or
// per port (port security off). left-out.yaml has one port left out for each reason.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { natEgress } from '../../src/questions/properties/nat-egress.ts';
import { gateway } from '../../src/questions/properties/gateway.ts';
import { dhcp } from '../../src/questions/properties/dhcp.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { projectIsolation } from '../../src/questions/properties/project-isolation.ts';
import type { PropertyCheck } from '../../src/questions/property.ts';
import { context } from './build.ts';

afterAll(async () => {
  await shutdownZ3();
});

const ctx = context('left-out');
const run = async (p: PropertyCheck) => Object.fromEntries((await p.check(ctx)).map((r) => [r.subject, r]));

describe('ports left out are counted in the messages', () => {
  it('nat-egress: ports behind no router with a gateway, per network, and a provider network said as such', async () => {
    const r = await run(natEgress);
    expect(r['router:router1']).toMatchObject({ verdict: 'holds' });
    expect(r['router:router1']!.message).toMatch(/from 2 ports behind router1/);
    expect(r['network:iso']).toMatchObject({ verdict: 'n/a', message: expect.stringMatching(/^left out: 1 port on iso, behind no router with a gateway/) });
    expect(r['network:net1']).toMatchObject({ verdict: 'n/a', message: expect.stringMatching(/^left out: 1 port on net1/) });
    expect(r['network:prov']).toMatchObject({ verdict: 'n/a', message: expect.stringMatching(/^left out: 1 port on prov, which reaches its outside world directly/) });
    expect(Object.keys(r)).toHaveLength(4);
  });

  it('gateway: ports on subnets no router has an interface on, per network', async () => {
    const r = await run(gateway);
    expect(r['router:router1/routed']).toMatchObject({ verdict: 'holds' });
    expect(r['network:net1']).toMatchObject({ verdict: 'n/a', message: 'left out: 1 port on unrouted, where no router has an interface' });
    expect(r['network:iso']!.message).toBe('left out: 1 port on iso-v4, where no router has an interface');
    // On a provider network the gateway is the upstream router: asked, not left out (gateway-provider.ts).
    expect(r['network:prov']).toMatchObject({ verdict: 'holds', message: '1 port on prov-v4 reaches its gateway, the upstream router outside the cloud (ICMP echo request), and gets its reply back through the connection\'s state' });
  });

  it('dhcp: ports on subnets without DHCP in the network message; a network without DHCP as n/a', async () => {
    const r = await run(dhcp);
    expect(r['network:net1']).toMatchObject({ verdict: 'holds', message: expect.stringMatching(/; 1 port on subnets without DHCP left out$/) });
    expect(r['network:prov']!.message).not.toMatch(/left out/);
    expect(r['network:iso']).toMatchObject({ verdict: 'n/a', message: 'left out: 1 port on iso, where DHCP is off on every subnet' });
  });

  it('security-groups: a port with port security off is an n/a result of its own', async () => {
    const r = await run(securityGroups);
    expect(r['port:vm2:0']).toMatchObject({ verdict: 'n/a', message: expect.stringMatching(/^left out: port security is off on vm2:0/) });
    expect(Object.values(r).filter((x) => x.verdict === 'holds')).toHaveLength(4);
  });

  it('project-isolation: ports on shared networks', async () => {
    const r = await run(projectIsolation);
    expect(r['project:demo']!.message).toMatch(/; 1 port on shared networks left out$/);
  });
});
