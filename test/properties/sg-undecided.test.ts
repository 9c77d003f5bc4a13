// security-groups where one direction cannot be decided (topologies/udplite-egress.yaml: until Stein a
// single UDP-Lite port in vm1's egress rules was written as `--dport`, which iptables refuses): what vm1
// sends is `unknown`, naming the rule, but that hides nothing of what it receives — with the jump into
// vm1's ingress chain deleted, a packet its groups never allowed reaches it, and the result is that
// violation, with its witness, not the egress's unknown.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const vm1 = async (ctx: ReturnType<typeof context>) => (await securityGroups.check(ctx)).find((r) => r.subject === 'port:vm1:0')!;

describe('security-groups with one direction undecided', () => {
  it('as rendered: unknown, naming the egress rule iptables refuses', async () => {
    const r = await vm1(context('udplite-egress'));
    expect(r.verdict).toBe('unknown');
    expect(r.message).toMatch(/^egress from vm1:0: .*-p udplite --dport 5000 -j RETURN/);
  });

  it("the jump into vm1's ingress chain deleted: violated by an ingress witness, though egress stays undecided", async () => {
    const ctx = context('udplite-egress', edit(/compute1\/iptables-save$/, dropLines(/--physdev-out tap1f2aaaa6-84 .* -j neutron-openvswi-i1f2aaaa6-8$/)));
    const r = await vm1(ctx);
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^ingress: \S+ reaches vm1:0 with proto \S+( dport \d+)?, which no rule of its groups allows/);
    expect(r.trace!.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm1', port: 0 });
    // Not SSH, the one thing its groups let in.
    expect([r.trace!.final.proto, r.trace!.final.dport]).not.toEqual([6, 22]);
  });
});
