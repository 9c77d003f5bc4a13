// security-groups replays a connection's replies through the port's own firewall (sg-replies.ts): the
// first rule of each port chain, `RELATED,ESTABLISHED -j RETURN`, is what lets them through where no
// group rule would. On stateful-replies.yaml vm1 lets only ssh in and sends nothing of its own (no
// egress rule), and vm2 (default group) reaches the internet, whose replies no rule names: each chain's
// state rule deleted on its own drops exactly the reply it alone let through, with the reply's trace.
// On stateless-replies.yaml vm2's groups are stateless: its rules alone decide a reply, and the
// internet's reply its rules keep out is what its groups mean, not a violation.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const NAME = 'stateful-replies';
const of = async (ctx: ReturnType<typeof context>, subject: string) => (await securityGroups.check(ctx)).find((r) => r.subject === subject)!;
/** A port chain's state rule (`-A neutron-openvswi-<i|o><port id's first 10> -m state --state RELATED,ESTABLISHED … -j RETURN`) deleted on HOST. */
const withoutStateRule = (host: string, chain: 'i' | 'o', portId: string) =>
  edit(new RegExp(`^${host}/iptables-save$`), dropLines(new RegExp(`^-A neutron-openvswi-${chain}${portId.slice(0, 10)} -m state --state RELATED,ESTABLISHED `)));

describe('security-groups: replies replayed through the port\'s own firewall', () => {
  const base = context(NAME);
  const portId = (vm: string) => base.topology.vms.find((v) => v.name === vm)!.ports[0]!.id;

  it('as rendered, both hold and say which replies were replayed', async () => {
    const vm1 = await of(base, 'port:vm1:0');
    expect(vm1.verdict).toBe('holds');
    expect(vm1.message).toContain("; replayed replies pass its firewall: its reply to vm2:0's tcp/22");
    const vm2 = await of(base, 'port:vm2:0');
    expect(vm2.verdict).toBe('holds');
    expect(vm2.message).toMatch(/; replayed replies pass its firewall: [\d.]+'s reply to its tcp\/22$/);
  });

  it("vm2's ingress chain without its state rule drops the internet's reply: violated, with the reply's trace", async () => {
    const r = await of(context(NAME, withoutStateRule('compute2', 'i', portId('vm2'))), 'port:vm2:0');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^egress replies: the reply from [\d.]+ to vm2:0's tcp\/22 is dropped by its own firewall at qbr\S+@compute2: /);
    expect(r.witness!.dport).toBe(r.trace!.packet.dport);
    // The reply, de-NATed by the router, is dropped at vm2's bridge having come from the network.
    expect(r.trace!.disposition).toBe('dropped');
    expect(r.trace!.droppedAt!.device).toMatch(/^qbr/);
    expect(r.trace!.final.ip_dst).toBe('192.168.1.12');
    expect(r.trace!.final.sport).toBe(22);
  });

  it("vm1's egress chain without its state rule drops its reply to vm2's ssh: violated", async () => {
    const r = await of(context(NAME, withoutStateRule('compute1', 'o', portId('vm1'))), 'port:vm1:0');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^ingress replies: vm1:0's reply to vm2:0's tcp\/22 is dropped by its own firewall at qbr\S+@compute1: /);
    expect(r.trace!.packet.ip_src).toBe('192.168.1.11');
    expect(r.trace!.packet.sport).toBe(22);
  });

  it("a port in stateless groups is not asked about replies: the internet's reply its rules drop is what they mean", async () => {
    const ctx = context('stateless-replies');
    const vm2 = await of(ctx, 'port:vm2:0');
    expect(vm2.verdict).toBe('holds');
    expect(vm2.message).toMatch(/; replies not replayed: its groups are stateless, so a reply passes only by their rules$/);
    // vm1, stateful, still lets its reply to vm2's ssh out (what vm2's rules then do with it is vm2's).
    expect((await of(ctx, 'port:vm1:0')).message).toContain("; replayed replies pass its firewall: its reply to vm2:0's tcp/22");
  });

  it('a state rule whose reply a group rule lets through anyway changes nothing: vm2 without its egress state rule still holds (its egress allows everything)', async () => {
    const r = await of(context(NAME, withoutStateRule('compute2', 'o', portId('vm2'))), 'port:vm2:0');
    expect(r.verdict).toBe('holds');
  });
});
