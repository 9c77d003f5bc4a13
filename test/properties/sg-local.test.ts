// The port-local question of security-groups (sg-local.ts): the port's own firewall settles both
// directions on a correctly rendered cloud; a firewall that lets through what the groups forbid is
// never settled there (so the whole-path search runs and finds the witness); and a finding only the
// local question can see — an allowance for a source MAC that no sender in the cloud has — leaves the
// verdict to the whole-path search, which proves the property holds. A list of ports longer than one
// solver batch gets, port by port and direction by direction, what its condition asked alone gets.
import { afterAll, describe, expect, it } from 'vitest';
import { checkSat, getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { firewallViolation, settledAtFirewalls } from '../../src/questions/properties/sg-local.ts';
import { firewallSite } from '../../src/questions/properties/sg-completeness.ts';
import { portOf, vmStations } from '../../src/questions/properties/common.ts';
import { chainName } from '../../src/render/names.ts';
import type { VerifyContext } from '../../src/questions/property.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

/** Whether the firewall of `vm` settles each direction. */
async function settled(ctx: VerifyContext, vm: string): Promise<{ egress: boolean; ingress: boolean }> {
  const s = vmStations(ctx).find((x) => x.vm === vm)!;
  expect(firewallSite(ctx, s)).not.toBeNull();
  const [settledHere] = await settledAtFirewalls(ctx, [s]);
  return { ...settledHere! };
}

const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('security-groups at the port\'s own firewall', () => {
  it.each(['basic', 'sg-fip', 'two-projects'])('settles both directions of every port of the rendered %s cloud', async (name) => {
    const ctx = context(name);
    const vms = [...new Set(vmStations(ctx).map((s) => s.vm))];
    expect(vms.length).toBeGreaterThanOrEqual(2);
    for (const vm of vms) expect([vm, await settled(ctx, vm)]).toEqual([vm, { egress: true, ingress: true }]);
    const rs = await securityGroups.check(ctx);
    for (const r of rs) expect(r.message).toContain('ingress checked at the firewall over every IPv4 packet from the network');
  });

  it('an ingress chain without its fallback drop is not settled in, and still settled out', async () => {
    const ctx = context('basic', edit(/compute1\/iptables-save$/, dropLines(/^-A neutron-openvswi-i\S+ .*-j neutron-openvswi-sg-fallback$/)));
    expect(await settled(ctx, 'vm1')).toEqual({ egress: true, ingress: false });
  });

  it('an egress chain without the block on DHCP replies from the VM is not settled out, still settled in, and the whole-path search finds the reply', async () => {
    const ctx = context('basic', edit(/compute1\/iptables-save$/, dropLines(/^-A neutron-openvswi-o\S+ .*Prevent DHCP Spoofing by VM.*-j DROP$/)));
    expect(await settled(ctx, 'vm1')).toEqual({ egress: false, ingress: true });
    const r = (await securityGroups.check(ctx)).find((x) => x.subject === 'port:vm1:0')!;
    expect(r.verdict).toBe('violated');
    expect(r.error).toBeUndefined();
    expect(r.message).toMatch(/^egress:/);
    expect(r.witness).toMatchObject({ proto: 17, sport: 67, dport: 68 });
  });

  it('an allowance for a source MAC no sender has is found locally, and the whole-path search proves it harmless', async () => {
    const base = context('basic');
    const s = vmStations(base).find((x) => x.vm === 'vm1')!;
    const ichain = escape(chainName.ingress(portOf(base.topology, s)!.id));
    const ctx = context('basic', edit(/compute1\/iptables-save$/, (t) => t.replace(
      new RegExp(`^(-A ${ichain} -m state --state RELATED,ESTABLISHED .*)$`, 'm'),
      (line) => `${line}\n-A ${chainName.ingress(portOf(base.topology, s)!.id)} -m mac --mac-source 02:00:5e:00:53:99 -j RETURN`,
    )));
    expect((await settled(ctx, 'vm1')).ingress).toBe(false);
    const r = (await securityGroups.check(ctx)).find((x) => x.subject === 'port:vm1:0')!;
    expect(r.verdict).toBe('holds');
    expect(r.message).toMatch(/ingress checked against \d+ senders/);
  });

  it('answers every port of a list longer than one solver batch as each of its conditions is answered alone', async () => {
    // vm1's ingress chain lets in a source MAC no rule allows: its ingress condition is satisfiable (asked
    // in its batch, not settled), every other condition is not.
    const base = context('basic');
    const chain = chainName.ingress(portOf(base.topology, vmStations(base).find((x) => x.vm === 'vm1')!)!.id);
    const ctx = context('basic', edit(/compute1\/iptables-save$/, (t) => t.replace(
      new RegExp(`^(-A ${escape(chain)} -m state --state RELATED,ESTABLISHED .*)$`, 'm'),
      (line) => `${line}\n-A ${chain} -m mac --mac-source 02:00:5e:00:53:99 -j RETURN`,
    )));
    const ports = vmStations(ctx).filter((s) => firewallSite(ctx, s) !== null);
    // Each direction of each port on its own: settled when its condition is unsat, one solver check each.
    const alone = new Map<(typeof ports)[number], { egress: boolean; ingress: boolean }>();
    for (const s of ports) {
      const one = { egress: false, ingress: false };
      for (const dir of ['egress', 'ingress'] as const) {
        const v = await firewallViolation(ctx, s, portOf(ctx.topology, s)!, firewallSite(ctx, s)!, dir);
        one[dir] = v !== null && (await checkSat(await getZ3(), v.enc, v.cond, ctx.timeoutMs)).status === 'unsat';
      }
      alone.set(s, one);
    }
    expect([...alone.values()]).toContainEqual({ egress: true, ingress: false });
    expect([...alone.values()]).toContainEqual({ egress: true, ingress: true });
    // 101 ports, two conditions each: three full batches of 64 conditions and a last one of 10.
    const list = Array.from({ length: 101 }, (_, i) => ports[(i * 5 + Math.floor(i / 3)) % ports.length]!);
    const got = (await settledAtFirewalls(ctx, list)).map((v) => ({ ...v }));
    expect(got).toEqual(list.map((s) => alone.get(s)));
  });
});
