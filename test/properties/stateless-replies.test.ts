// Replies to ports in stateless security groups (Ussuri+): their firewall does not track their
// connections, so an answer gets in only by a rule of their groups. A reply that comes back to the
// port's own firewall and is dropped there, by a packet its groups do not allow in, is the groups'
// doing: nat-egress does not blame the router for it, gateway does not blame the upstream router —
// while a reply the groups do allow, dropped there anyway, is still the dataplane's fault.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { gateway } from '../../src/questions/properties/gateway.ts';
import { natEgress } from '../../src/questions/properties/nat-egress.ts';
import { chainName } from '../../src/render/names.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const of = async (check: typeof gateway, ctx: ReturnType<typeof context>, subject: string) => (await check.check(ctx)).find((r) => r.subject === subject)!;

describe('replies to ports in stateless groups', () => {
  it('nat-egress: vm1\'s answer from the internet comes back through router1 to vm1\'s firewall, which its group keeps shut: holds', async () => {
    const r = await of(natEgress, context('stateless'), 'router:router1');
    expect(r.verdict, r.message).toBe('holds');
  });

  it('gateway on the provider network: vm4\'s echo reply gets in by its rule; vm3\'s is dropped at its own firewall, as its group means, and said so', async () => {
    const r = await of(gateway, context('stateless'), 'network:prov');
    expect(r.verdict, r.message).toBe('holds');
    expect(r.message).toContain('a class (vm3:0) gets its echo reply back only to its own firewall: its security groups are stateless and let no such reply in');
    expect(r.message).toMatch(/^1 port on prov-v4 reaches its gateway/);
  });

  it('a reply the groups let in but the rendered firewall drops is still violated', async () => {
    const base = context('stateless');
    const vm4 = base.topology.ports.find((p) => p.name === 'vm4:0')!;
    const ichain = chainName.ingress(vm4.id);
    const ctx = context('stateless', edit(/compute1\/iptables-save$/, dropLines(new RegExp(`^-A ${ichain} -p icmp -j RETURN$`))));
    const r = await of(gateway, ctx, 'network:prov');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/vm4:0 reaches its gateway, the upstream router 198\.51\.100\.1 of prov, but the echo reply does not get back/);
  });
});
