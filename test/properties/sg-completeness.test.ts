// security-groups, the completeness half: a first packet a port's groups allow must pass the port's
// own firewall (its qbr). Rendered rules are edited to lose one allowance, and the property must find
// the allowed packet that is now dropped, with a witness the evaluator drops at that very qbr. The
// intent's per-port rules (anti-spoofing, DHCP) are checked on concrete packets, and the drop site
// of the symbolic ends is checked to keep ends at different devices apart.
import { afterAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3, Enc } from '../../src/smt/index.ts';
import { concretePacket } from '../../src/smt/headers.ts';
import { endKey, mergeEnds } from '../../src/smt/merge.ts';
import { ended } from '../../src/smt/path.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { allows } from '../../src/questions/properties/sg-intent.ts';
import { completenessViolation, firewallSite } from '../../src/questions/properties/sg-completeness.ts';
import { portOf, vmStations } from '../../src/questions/properties/common.ts';
import { chainName, deviceName } from '../../src/render/names.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { Station } from '../../src/ir/dataplane.ts';
import type { VerifyContext } from '../../src/questions/property.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

/** vm1's port in a context (the port the tests break). */
function vm1(ctx: VerifyContext) {
  const s = vmStations(ctx).find((x) => x.vm === 'vm1')!;
  return { s, port: portOf(ctx.topology, s)! };
}

const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('security-groups completeness', () => {
  it('holds in both halves on the basic cloud with a floating IP on vm1, the message saying completeness was checked', async () => {
    const ctx = context('sg-fip');
    const rs = await securityGroups.check(ctx);
    expect(rs.map((r) => [r.subject, r.verdict])).toEqual([['port:vm1:0', 'holds'], ['port:vm2:0', 'holds']]);
    const { port } = vm1(ctx);
    expect(rs[0]!.message).toContain(`every first packet they allow passes its firewall (${deviceName.qbr(port.id)}@compute1)`);
  });

  it("an ingress chain without the RETURN for its group's ssh rule is violated: TCP 22 to vm1, dropped at its qbr", async () => {
    const base = context('sg-fip');
    const { port } = vm1(base);
    const ichain = escape(chainName.ingress(port.id));
    const ctx = context('sg-fip', edit(/compute1\/iptables-save$/, dropLines(new RegExp(`^-A ${ichain} -p tcp -m tcp --dport 22 -j RETURN$`))));
    const rs = await securityGroups.check(ctx);
    const r = rs.find((x) => x.subject === 'port:vm1:0')!;
    expect(r.verdict).toBe('violated');
    expect(r.error).toBeUndefined();
    expect(r.message).toMatch(/^ingress: a first packet from \S+ to vm1:0 \(proto tcp dport 22\), which its groups allow, is dropped by its firewall at qbr/);
    // The replayed witness: from a source outside the default group (only it needs the ssh rule: vm2
    // by its own floating IP through the router, or the outside world, to vm1's floating IP or, routed
    // by the upstream router, its fixed address), dropped at vm1's qbr on the way in (from the qvb
    // side) as TCP 22 to vm1's fixed address, by the fallback drop.
    const t = r.trace!;
    expect(t.disposition).toBe('dropped');
    expect(t.droppedAt).toMatchObject({ host: 'compute1', device: deviceName.qbr(port.id) });
    expect(t.droppedAt!.rule).toContain('neutron-openvswi-sg-fallback');
    expect(t.hops.at(-1)!.inPort).toBe(deviceName.qvb(port.id));
    expect(r.witness).toMatchObject({ proto: 6, dport: 22 });
    expect(['203.0.113.102', port.ip]).toContain(r.witness!.ip_dst);
    expect(t.final).toMatchObject({ ip_dst: port.ip, eth_dst: port.mac.toLowerCase(), proto: 6, dport: 22 });
    // vm2's firewall is untouched.
    expect(rs.find((x) => x.subject === 'port:vm2:0')!.verdict).toBe('holds');
  });

  it("an egress chain without its groups' allow-all RETURN is violated: vm1's own first packet dropped at its qbr on the way out", async () => {
    const base = context('basic');
    const { port } = vm1(base);
    const ochain = escape(chainName.egress(port.id));
    const ctx = context('basic', edit(/compute1\/iptables-save$/, dropLines(new RegExp(`^-A ${ochain} -j RETURN$`))));
    const rs = await securityGroups.check(ctx);
    const r = rs.find((x) => x.subject === 'port:vm1:0')!;
    expect(r.verdict).toBe('violated');
    expect(r.error).toBeUndefined();
    expect(r.message).toMatch(/^egress: a first packet from vm1:0 to .*, which its groups allow, is dropped by its own firewall at qbr/);
    const t = r.trace!;
    expect(t.droppedAt).toMatchObject({ host: 'compute1', device: deviceName.qbr(port.id) });
    expect(t.hops.at(-1)!.inPort).toBe(deviceName.tap(port.id));
    expect(t.packet.ip_src).toBe(port.ip);
    // Not a DHCP server reply (which Neutron blocks by design and the intent forbids).
    expect(t.packet.proto === 17 && t.packet.sport === 67 && t.packet.dport === 68).toBe(false);
    expect(rs.find((x) => x.subject === 'port:vm2:0')!.verdict).toBe('holds');
  });

  /** A claimed completeness finding (a drop at vm1's qbr, from the network side) for a witness from `from`. */
  async function claim(ctx: VerifyContext, from: Station, witness: Packet) {
    const { s, port } = vm1(ctx);
    const site = firewallSite(ctx, s)!;
    const end = ended('dropped', { pc: [], packet: concretePacket(witness) }, 'claimed', null, null, { host: site.host, device: site.device, inPort: deviceName.qvb(port.id) });
    if (end.kind !== 'end') throw new Error('ended() gives a finished end');
    return completenessViolation(ctx, 'security-groups', 'port:vm1:0', s, port, site, 'ingress', { kind: 'found', witness, source: from, end }, '');
  }

  const tcp = (from: { mac: string; ip: string }, dstMac: string, dst: string, dport: number): Packet => ({
    eth_src: from.mac, eth_dst: dstMac, vlan: null, tun_id: null, eth_type: 0x0800, ip_src: from.ip, ip_dst: dst, proto: 6, sport: 40000, dport, icmp_type: null, icmp_code: null,
  });

  it('a claimed drop the evaluator does not make (the packet is delivered) is unknown with the disagreement, never a violation', async () => {
    const ctx = context('basic');
    const vm2 = vmStations(ctx).find((x) => x.vm === 'vm2')!;
    const gw = ctx.evaluator.resolveArp(vm2, vm2.gateway!).mac!;
    const w = tcp(vm2, gw, vm1(ctx).port.ip, 22);
    expect(ctx.evaluator.session().trace(vm2, w).deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm1' });
    const r = await claim(ctx, vm2, w);
    expect(r.verdict).toBe('unknown');
    expect(r.error).toMatch(/./);
  });

  it('a drop at the qbr of a packet the intent does not allow (TCP 80 from outside) is no completeness violation', async () => {
    const ctx = context('sg-fip');
    const out = ctx.dataplane.stations.find((x): x is Extract<Station, { kind: 'outside' }> => x.kind === 'outside')!;
    const fipMac = ctx.evaluator.resolveArp(out, '203.0.113.102').mac!;
    const w = tcp({ mac: out.mac, ip: '198.51.100.7' }, fipMac, '203.0.113.102', 80);
    const t = ctx.evaluator.session().trace(out, w);
    expect(t.droppedAt).toMatchObject({ host: 'compute1', device: deviceName.qbr(vm1(ctx).port.id) });
    const r = await claim(ctx, out, w);
    expect(r.verdict).toBe('unknown');
    expect(r.error).toMatch(/./);
  });
});

describe('the intent, on concrete packets', () => {
  const pkt = (p: Partial<Packet>): Packet => ({
    eth_src: 'fa:16:3e:2d:0c:fa', eth_dst: 'fa:16:3e:00:00:01', vlan: null, tun_id: null, eth_type: 0x0800, ip_src: '192.168.1.11', ip_dst: '8.8.8.8',
    proto: 6, sport: 40000, dport: 80, icmp_type: null, icmp_code: null, ...p,
  });

  it("egress: the groups' allow-all, less anti-spoofing and the VM's own DHCP replies; DHCP requests always", async () => {
    const ctx = context('basic');
    const { port } = vm1(ctx);
    const e = new Enc(await getZ3());
    const own = { eth_src: port.mac, ip_src: port.ip };
    const ok = (p: Partial<Packet>) => allows(e, ctx.topology, port, concretePacket(pkt({ ...own, ...p })), 'egress');
    expect(ok({})).toBe(true);
    expect(ok({ ip_src: '192.168.1.99' })).toBe(false);
    expect(ok({ eth_src: 'fa:16:3e:99:99:99' })).toBe(false);
    expect(ok({ proto: 17, sport: 67, dport: 68 })).toBe(false);
    expect(ok({ proto: 17, sport: 68, dport: 67 })).toBe(true);
    // The DHCPDISCOVER rule comes before anti-spoofing and names no MAC; only the broadcast form.
    expect(ok({ proto: 17, sport: 68, dport: 67, ip_src: '0.0.0.0', ip_dst: '255.255.255.255' })).toBe(true);
    expect(ok({ proto: 17, sport: 68, dport: 67, eth_src: 'fa:16:3e:99:99:99', ip_src: '0.0.0.0', ip_dst: '255.255.255.255' })).toBe(true);
    expect(ok({ proto: 17, sport: 68, dport: 67, ip_src: '0.0.0.0', ip_dst: '192.168.1.2' })).toBe(false);
    expect(ok({ proto: 6, sport: 68, dport: 67, ip_src: '0.0.0.0', ip_dst: '255.255.255.255' })).toBe(false);
  });

  it('ingress: ssh from anywhere, anything from the default group, and Neutron\'s DHCP reply rule as the release writes it', async () => {
    const ctx = context('basic');
    const { port } = vm1(ctx);
    const e = new Enc(await getZ3());
    const dhcp = ctx.topology.ports.find((p) => p.deviceOwner === 'network:dhcp' && p.network === port.network)!;
    const okIn = (topology: typeof ctx.topology) => (p: Partial<Packet>) => allows(e, topology, port, concretePacket(pkt({ ip_dst: port.ip, ...p })), 'ingress');
    const ok = okIn(ctx.topology);
    expect(ok({ ip_src: '203.0.113.7', dport: 22 })).toBe(true);
    expect(ok({ ip_src: '203.0.113.7', dport: 80 })).toBe(false);
    expect(ok({ ip_src: '192.168.2.12', dport: 80 })).toBe(true);
    // Since Pike (this topology is 2024.1): UDP 67→68 to the port's own address or the broadcast, from anyone.
    expect(ok({ ip_src: dhcp.ip, proto: 17, sport: 67, dport: 68 })).toBe(true);
    expect(ok({ ip_src: '192.168.1.50', proto: 17, sport: 67, dport: 68 })).toBe(true);
    expect(ok({ ip_src: '192.168.1.50', ip_dst: '255.255.255.255', proto: 17, sport: 67, dport: 68 })).toBe(true);
    expect(ok({ ip_src: '192.168.1.50', ip_dst: '192.168.1.99', proto: 17, sport: 67, dport: 68 })).toBe(false);
    // Before Pike: from the network's DHCP server only.
    const ocata = okIn({ ...ctx.topology, release: 'ocata' });
    expect(ocata({ ip_src: dhcp.ip, proto: 17, sport: 67, dport: 68 })).toBe(true);
    expect(ocata({ ip_src: '192.168.1.50', proto: 17, sport: 67, dport: 68 })).toBe(false);
  });
});

describe('drop sites of symbolic ends', () => {
  it('ends equal but for their site have different keys and never merge', async () => {
    const e = new Enc(await getZ3());
    const path = { pc: [], packet: concretePacket({
      eth_src: 'fa:16:3e:00:00:0a', eth_dst: 'fa:16:3e:00:00:0b', vlan: null, tun_id: null, eth_type: 0x0800, ip_src: '10.0.0.1', ip_dst: '10.0.0.2',
      proto: 6, sport: 1, dport: 2, icmp_type: null, icmp_code: null,
    }) };
    const a = ended('dropped', path, 'same text', null, null, { host: 'h', device: 'qbrA', inPort: 'tapA' });
    const b = ended('dropped', path, 'same text', null, null, { host: 'h', device: 'qbrB', inPort: 'tapB' });
    const c = ended('dropped', path, 'same text', null, null, { host: 'h', device: 'qbrA', inPort: 'qvbA' });
    const d = ended('dropped', path, 'same text');
    expect(new Set([a, b, c, d].map(endKey)).size).toBe(4);
    expect(mergeEnds(e, [a, b, c, d])).toHaveLength(4);
    expect(mergeEnds(e, [a, { ...a }])).toHaveLength(1);
  });
});
