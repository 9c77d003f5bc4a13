// anti-spoofing, and senders taken as sending anything: a VM may put any MAC and address on the wire,
// and only its firewall's rules stop it. On the correct rules every port-secured port holds (the DHCP
// client exception named); with the spoof chain's DROP removed on one host, that host's ports are
// violated with a replayed witness, the other host's still hold, and a property that relies on
// source addresses (a group admitting only another group's members) is violated too — with the
// senders' own addresses alone, as before, it held.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { antiSpoofing } from '../../src/questions/properties/anti-spoofing.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import { checkUserProperty, resolveUserProperties } from '../../src/questions/user-properties/check.ts';
import { guardResult } from '../../src/questions/guard.ts';
import type { UserProperty } from '../../src/questions/user-properties/model.ts';
import type { PropertyResult, VerifyContext } from '../../src/questions/property.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const SPOOF_DROP = /^-A neutron-openvswi-s\S+ .*Drop traffic without an IP\/MAC allow rule.* -j DROP$/;
const withoutSpoofDrop = (host: string) => edit(new RegExp(`${host}/iptables-save$`), dropLines(SPOOF_DROP));
const verdicts = (rs: readonly PropertyResult[]) => Object.fromEntries(rs.map((r) => [r.subject, r.verdict]));

/** vm1 (group client) asks vm2, whose web group admits tcp/80 from group app's members (vm3) only. */
async function webFromVm1(ctx: VerifyContext): Promise<PropertyResult> {
  const p: UserProperty = { kind: 'reach', name: 'web-closed-to-vm1', from: 'vm1', to: 'vm2', proto: 'tcp', dport: 80, expect: 'unreachable', bidirectional: false, file: 'inline', position: null, index: 0 };
  const r = resolveUserProperties(ctx.topology, ctx.dataplane, [p]);
  if (!r.ok) throw new Error(r.errors.map((x) => x.message).join('; '));
  return guardResult(await checkUserProperty(ctx, r.value[0]!));
}

describe('anti-spoofing on correct rules', () => {
  const ctx = context('spoofing');

  it('holds for every port with port security (vm5 has none and is left out, n/a), naming the DHCP client exception', async () => {
    const rs = await antiSpoofing.check(ctx);
    expect(verdicts(rs)).toEqual({ 'port:vm1:0': 'holds', 'port:vm2:0': 'holds', 'port:vm3:0': 'holds', 'port:vm4:0': 'holds', 'port:vm5:0': 'n/a' });
    expect(rs[0]!.message).toContain('but for DHCP client requests as its rules let them through: UDP 68 → 67 from 0.0.0.0 to 255.255.255.255, from any MAC');
    expect(rs.find((r) => r.subject === 'port:vm4:0')!.message).toContain('or its 1 allowed address pair');
    expect(rs.find((r) => r.subject === 'port:vm5:0')!.message).toMatch(/^left out: port security is off on vm5:0/);
  });

  it('is one of the built-in properties', () => {
    expect(BUILTIN_PROPERTIES.map((p) => p.id)).toContain('anti-spoofing');
  });

  it('vm1 cannot reach vm2 on tcp/80: only app members may, and vm1 cannot pass for one', async () => {
    expect((await webFromVm1(ctx)).verdict).toBe('holds');
  });
});

describe("the spoof chain's DROP removed on compute1", () => {
  const ctx = context('spoofing', withoutSpoofDrop('compute1'));

  it("anti-spoofing is violated for compute1's ports, with a spoofed witness replayed past the qbr; compute2's hold", async () => {
    const rs = (await antiSpoofing.check(ctx)).map(guardResult);
    expect(verdicts(rs)).toEqual({ 'port:vm1:0': 'violated', 'port:vm2:0': 'holds', 'port:vm3:0': 'holds', 'port:vm4:0': 'violated', 'port:vm5:0': 'n/a' });
    const vm1 = rs.find((r) => r.subject === 'port:vm1:0')!;
    const w = vm1.witness!;
    expect(w.eth_src !== 'fa:16:3e:2d:0c:fa' || w.ip_src !== '192.168.1.11').toBe(true);
    expect(w.proto === 17 && w.sport === 68 && w.dport === 67).toBe(false);
    expect(vm1.trace!.hops.some((h) => h.device.startsWith('qbr') && h.outPort?.startsWith('qvb'))).toBe(true);
    expect(vm1.message).toContain('gets past its firewall (qbr');
  });

  it('a property that relies on source addresses is now violated: vm1 sends as app member vm3 and reaches vm2', async () => {
    const r = await webFromVm1(ctx);
    expect(r.verdict).toBe('violated');
    expect(r.witness).toMatchObject({ ip_src: '192.168.1.13', dport: 80 });
    expect(r.trace!.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm2' });
  });

  it('security-groups judges the spoofed packets by the port intent too: vm1 egress is violated', async () => {
    const rs = (await securityGroups.check(ctx)).map(guardResult);
    const vm1 = rs.find((r) => r.subject === 'port:vm1:0')!;
    expect(vm1.verdict).toBe('violated');
    expect(vm1.message).toMatch(/^egress:/);
  });
});

describe("vm2's address gone from br-int's ARP spoofing protection on compute2 (table 24)", () => {
  const ctx = context('spoofing', edit(/compute2\/br-int\.dump-flows$/, dropLines(/table=24,.*arp,.*arp_spa=192\.168\.1\.12\b/)));

  it("anti-spoofing is violated for vm2 alone: its own ARP reply dies in br-int, nobody resolves it", async () => {
    const rs = (await antiSpoofing.check(ctx)).map(guardResult);
    expect(verdicts(rs)).toEqual({ 'port:vm1:0': 'holds', 'port:vm2:0': 'violated', 'port:vm3:0': 'holds', 'port:vm4:0': 'holds', 'port:vm5:0': 'n/a' });
    const vm2 = rs.find((r) => r.subject === 'port:vm2:0')!;
    expect(vm2.witness).toMatchObject({ eth_type: 0x0806, proto: 2, ip_src: '192.168.1.12' });
    expect(vm2.trace!.droppedAt?.device).toBe('br-int');
    expect(vm2.message).toMatch(/^vm2:0's own ARP \(a reply from \S+ 192\.168\.1\.12\) does not get past br-int on compute2/);
  });
});

describe('the seed-shaped basic cloud', () => {
  it("without the spoof chain's DROP some built-in is violated with a witness (it was not: every one held)", async () => {
    const ctx = context('basic', withoutSpoofDrop('compute1'));
    const rs = (await antiSpoofing.check(ctx)).map(guardResult);
    expect(rs.length).toBeGreaterThan(0);
    expect(rs.every((r) => r.verdict === 'violated' && r.witness !== null && r.trace !== null)).toBe(true);
  });
});
