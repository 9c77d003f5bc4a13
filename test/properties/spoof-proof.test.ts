// The narrowing of port-secured senders (src/questions/spoof-proof.ts): a port's packets are taken to
// be its own and its DHCP client requests only where the solver proves, from its first device's rules,
// that nothing else it sends goes anywhere; otherwise it sends anything. Checked three ways:
// - the proof against the whole walk: from each port sending anything, no packet from another
//   address than its own, other than a DHCP client request, ends anywhere but dropped inside its
//   first device (the claim the narrowing rests on, asked of the full exploration, not the device);
// - a fault (the spoof chain's DROP removed on one host) stops the narrowing on that host only;
// - with the noop firewall driver (port security on, no firewall, first device br-int with the
//   destination MAC left free) nothing is narrowed and anti-spoofing is violated; a tap attached to
//   no bridge is unknown, never proved.
import { afterAll, describe, expect, it } from 'vitest';
import { anyOf, checkSat, dhcpClientRequest, explore, getZ3, ownAddresses, shutdownZ3, type Conjunction, type SourceSpec } from '../../src/smt/index.ts';
import { checkedSources, spoofProofs } from '../../src/questions/spoof-proof.ts';
import { antiSpoofing } from '../../src/questions/properties/anti-spoofing.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { sourceSpec, vmStations } from '../../src/questions/properties/common.ts';
import { guardResult } from '../../src/questions/guard.ts';
import type { PropertyResult, VerifyContext } from '../../src/questions/property.ts';
import type { Artifact } from '../../src/render/artifacts.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const SPOOF_DROP = /^-A neutron-openvswi-s\S+ .*Drop traffic without an IP\/MAC allow rule.* -j DROP$/;
const withoutSpoofDrop = (host: string) => edit(new RegExp(`${host}/iptables-save$`), dropLines(SPOOF_DROP));
const verdicts = (rs: readonly PropertyResult[]) => Object.fromEntries(rs.map((r) => [r.subject, r.verdict]));

/** Each VM port's sender spec, by label, as the properties take it and as narrowed. */
async function senders(ctx: VerifyContext): Promise<Record<string, { given: SourceSpec; narrowed: SourceSpec }>> {
  const given = vmStations(ctx).map((s) => sourceSpec(ctx.topology, s));
  const narrowed = await checkedSources(ctx.dataplane, ctx.evaluator, given, ctx.timeoutMs);
  return Object.fromEntries(given.map((g, i) => [g.station.kind === 'vm-port' ? `${g.station.vm}:${g.station.index}` : '?', { given: g, narrowed: narrowed[i]! }]));
}

/**
 * From the port sending anything, followed through the whole dataplane: is there a packet from
 * another address than its own, not a DHCP client request, that ends anywhere but dropped in its first
 * device? (sat: yes; unsat: the narrowing's claim holds over the whole walk.)
 */
async function escapes(ctx: VerifyContext, spec: SourceSpec): Promise<'sat' | 'unsat' | 'unknown'> {
  const s = spec.station;
  if (s.kind !== 'vm-port') throw new Error('a VM port');
  const x = await explore(ctx.dataplane, [{ station: s, anySource: true }], {}, { converged: ctx.evaluator.converged, timeoutMs: ctx.timeoutMs });
  const e = x.enc;
  const out: Conjunction[] = [];
  for (const o of x.outcomes) {
    // Dropped there: by its firewall (the drop's site), or by the bridge itself (a discard names the
    // bridge, without a site: a source MAC no bridge forwards).
    const first = `${s.attachment.host}/${s.attachment.device}`;
    const inFirst = o.end.kind === 'end' && o.end.disposition === 'dropped' &&
      (o.end.at !== undefined ? `${o.end.at.host}/${o.end.at.device}` === first : o.end.where.startsWith(`${first}:`));
    if (inFirst) continue;
    out.push({ pc: [o.cond], last: e.and(e.not(ownAddresses(e, s, spec.allowedAddressPairs ?? [], o.sent)), e.not(dhcpClientRequest(e, o.sent))) });
  }
  return (await checkSat(await getZ3(), e, anyOf(e, out), ctx.timeoutMs)).status;
}

describe('narrowing on correct rules', () => {
  const ctx = context('spoofing');

  it('every port-secured port is narrowed to its own addresses and DHCPDISCOVERs (no other spoofed request passes); vm5 (no port security) is not', async () => {
    const ss = await senders(ctx);
    for (const l of ['vm1:0', 'vm2:0', 'vm3:0', 'vm4:0']) {
      expect(ss[l]!.given).toMatchObject({ anySource: true, portSecurity: true });
      expect(ss[l]!.narrowed).toMatchObject({ dhcpClients: 'discover', portSecurity: true });
      expect(ss[l]!.narrowed.anySource).toBeUndefined();
    }
    expect(ss['vm4:0']!.narrowed.allowedAddressPairs).toEqual([{ ip: '192.168.1.100', prefixLen: 32, mac: null }]);
    expect(ss['vm5:0']!.narrowed).toEqual({ station: ss['vm5:0']!.given.station, anySource: true });
  });

  it('the whole walk agrees: no spoofed packet but a DHCP client request goes anywhere from any narrowed port', async () => {
    const ss = await senders(ctx);
    for (const l of ['vm1:0', 'vm2:0', 'vm3:0', 'vm4:0']) expect([l, await escapes(ctx, ss[l]!.given)]).toEqual([l, 'unsat']);
    // The check can fail: vm5 has no firewall.
    expect(await escapes(ctx, { ...ss['vm5:0']!.given, allowedAddressPairs: [] })).toBe('sat');
  });
});

describe("the spoof chain's DROP removed on compute1", () => {
  const ctx = context('spoofing', withoutSpoofDrop('compute1'));

  it("compute1's ports are not narrowed (they send anything), compute2's are", async () => {
    const ss = await senders(ctx);
    for (const l of ['vm1:0', 'vm4:0']) expect([l, ss[l]!.narrowed.anySource]).toEqual([l, true]);
    for (const l of ['vm2:0', 'vm3:0']) expect([l, ss[l]!.narrowed.dhcpClients]).toEqual([l, 'discover']);
    const proofs = await spoofProofs(ctx.dataplane, ctx.evaluator, vmStations(ctx).filter((s) => s.vm === 'vm1').map((s) => ({ s, pairs: [] })), ctx.timeoutMs);
    expect(proofs.map((p) => [p.clean, p.narrows])).toEqual([[false, false]]);
  });

  it('and the whole walk shows why: a spoofed packet from vm1 goes on', async () => {
    const ss = await senders(ctx);
    expect(await escapes(ctx, ss['vm1:0']!.given)).toBe('sat');
  });
});

/**
 * With the noop driver a VM's tap is plugged into br-int itself (no hybrid plug); the renderer still
 * names the br-int port qvo…, so the test renames it to the tap, as a node's dump would show it.
 */
/** Fault: the VMs' br-int ports named qvo… as under the hybrid firewall, with no qbr/qvb behind them, so each tap is on no bridge. */
const qvoWithoutBridge = (arts: Artifact[]): Artifact[] =>
  arts.map((a) => (/^compute\d\/(ovs-vsctl-show|br-int\.ofctl-show)$/.test(a.path) ? { ...a, text: a.text.replaceAll('tap', 'qvo') } : a));

describe('DHCP client requests from any address let through before the spoof chain on compute1 (as in older rule sets)', () => {
  const anyClient = edit(/compute1\/iptables-save$/, (t) => t.replaceAll('-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp -m udp --sport 68 --dport 67', '-p udp -m udp --sport 68 --dport 67'));
  const ctx = context('spoofing', anyClient);

  it("anti-spoofing still holds and names the wider exception; compute1's ports are narrowed to own addresses and every DHCP client request", async () => {
    const rs = (await antiSpoofing.check(ctx)).map(guardResult);
    expect(verdicts(rs)).toEqual({ 'port:vm1:0': 'holds', 'port:vm2:0': 'holds', 'port:vm3:0': 'holds', 'port:vm4:0': 'holds', 'port:vm5:0': 'n/a' });
    expect(rs.find((r) => r.subject === 'port:vm1:0')!.message).toContain('UDP 68 → 67 from any address to any, from any MAC');
    expect(rs.find((r) => r.subject === 'port:vm2:0')!.message).toContain('UDP 68 → 67 from 0.0.0.0 to 255.255.255.255, from any MAC');
    const ss = await senders(ctx);
    expect([ss['vm1:0']!.narrowed.dhcpClients, ss['vm4:0']!.narrowed.dhcpClients, ss['vm2:0']!.narrowed.dhcpClients]).toEqual(['any', 'any', 'discover']);
  });

  it('and the whole walk agrees: nothing spoofed but a DHCP client request goes anywhere', async () => {
    const ss = await senders(ctx);
    expect(await escapes(ctx, ss['vm1:0']!.given)).toBe('unsat');
  });
});

describe('the noop firewall driver: port security on, no firewall, the taps on br-int', () => {
  const ctx = context('spoofing-noop');

  it('anti-spoofing is violated on every port-secured port, with a witness replayed past br-int (destination MAC left free there)', async () => {
    expect(vmStations(ctx).every((s) => s.attachment.device === 'br-int')).toBe(true);
    const rs = (await antiSpoofing.check(ctx)).map(guardResult);
    expect(verdicts(rs)).toEqual({ 'port:vm1:0': 'violated', 'port:vm2:0': 'violated', 'port:vm3:0': 'violated', 'port:vm4:0': 'violated', 'port:vm5:0': 'n/a' });
    expect(rs.filter((r) => r.verdict === 'violated').every((r) => r.trace !== null && r.message.includes('gets past its firewall (br-int@'))).toBe(true);
    // The cause is the configuration, not a rule gone missing: each message says no host enforces port security.
    expect(rs.filter((r) => r.verdict === 'violated').every((r) => r.message.includes('(firewall_driver noop: no host enforces security groups or port security): '))).toBe(true);
  });

  it("security-groups' violations there say so too", async () => {
    const rs = await securityGroups.check(ctx);
    const violated = rs.filter((r) => r.verdict === 'violated');
    expect(violated.length).toBeGreaterThan(0);
    expect(violated.every((r) => /which no rule of its groups allows \(firewall_driver noop: no host enforces security groups or port security\)/.test(r.message))).toBe(true);
  });

  it('no sender is narrowed', async () => {
    const ss = await senders(ctx);
    expect(Object.values(ss).every((x) => x.narrowed.anySource === true)).toBe(true);
  });
});

describe('a tap attached to no bridge', () => {
  const ctx = context('spoofing-noop', qvoWithoutBridge);

  it('anti-spoofing is unknown (nothing to ask, nothing proved), and the sender is not narrowed', async () => {
    const rs = (await antiSpoofing.check(ctx)).map(guardResult);
    expect(rs.map((r) => r.verdict)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'n/a']);
    expect(rs[0]!.message).toContain('is attached to no bridge on compute1');
    const ss = await senders(ctx);
    expect(Object.values(ss).every((x) => x.narrowed.anySource === true)).toBe(true);
  });
});
