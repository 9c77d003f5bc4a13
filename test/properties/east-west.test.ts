// east-west (east-west.ts): ports reach each other as their groups allow, one packet per pair of
// places (sender's subnet and host, receiver's), ARP first. On east-west.yaml (net1 and net2 behind
// router1, three compute hosts, no ARP responder): as rendered every pair whose ports' groups allow a
// packet delivers it (a packet the solver finds when none of the usual ones is allowed by both), and the
// pairs with nothing allowed are proved to have none and counted; with compute2's br-tun
// no longer taking what arrives from compute1's tunnel, vm1's ARP request for vm2 goes unanswered (and,
// with br-tun's ARP responder answering it on compute1, its packet is not delivered) — a fault in the
// forwarding between two hosts that no other built-in sees (test/mutation's kill table said it survived).
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { eastWest } from '../../src/questions/properties/east-west.ts';
import { loadTopologyFile } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import type { Artifact } from '../../src/render/artifacts.ts';
import type { VerifyContext } from '../../src/questions/property.ts';
import { traceCopies } from '../../src/questions/guard.ts';
import { context, dropLines, edit, topo } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const of = async (ctx: VerifyContext, subject: string) => (await eastWest.check(ctx)).find((r) => r.subject === subject)!;

/** compute2's br-tun without the flow that takes in what compute1's tunnel (10.0.0.11) brings. */
const tunnelInputDeleted = edit(/^compute2\/br-tun\.dump-flows$/, dropLines(/in_port="vxlan-0a00000b" actions=resubmit\(,4\)$/));

/** The same cloud with br-tun's ARP responder (l2pop's table 21) answering for every port. */
function withResponder(mutate: (a: Artifact[]) => Artifact[]): VerifyContext {
  const t = loadTopologyFile(topo('east-west'));
  if (!t.ok) throw new Error(JSON.stringify(t.errors));
  const topology = { ...t.value, arpResponder: true };
  const dataplane = assembleDataplane(topology, mutate([...renderTopology(topology)]));
  return { topology, dataplane, evaluator: createEvaluator(dataplane), timeoutMs: 20_000 };
}

describe('east-west: ports reach each other as their groups allow', () => {
  it('as rendered, every pair of places with a packet allowed delivers it; the others are counted', async () => {
    const rs = await eastWest.check(context('east-west'));
    expect(rs.map((r) => [r.subject, r.verdict])).toEqual([['network:net1', 'holds'], ['network:net2', 'holds']]);
    // net1: vm1 and vm2 reach each other (default group) and are reached from vm3 through router1; vm4
    // (port security off) is no member of vm1's or vm2's default group, but may send what their firewalls
    // admit by destination whatever the group (a DHCP reply, udp 67 → 68: 2024.1): found by the solver, as
    // none of the packets tried is. vm6's group lets nothing in or out: 12 pairs of places, 5 with nothing.
    expect(rs[0]!.message).toMatch(/^7 pairs of places .*: each delivers every first packet both ports' groups allow \(proved over all of them, after one was delivered: .*\), its first hop resolved by ARP; 5 pairs of places not asked: their ports' groups allow no first packet between them \(proved\)$/);
    // net2: vm4 lets everything in (vm3, and vm1 and vm2 through router1, and vm6's DHCP client requests,
    // udp 68 → 67, all its firewall sends); vm3 lets in its group's members and vm4's udp 67 → 68.
    expect(rs[1]!.message).toMatch(/^7 pairs of places .*: each delivers every first packet both ports' groups allow \(proved over all of them, .*; 1 pair of places not asked: their ports' groups allow no first packet between them \(proved\)$/);
  });

  it("compute2's br-tun not taking compute1's tunnel in: vm1's ARP request for vm2 goes unanswered, a violation with its trace", async () => {
    const r = await of(context('east-west', tunnelInputDeleted), 'network:net1');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^vm1:0 \(compute1\) → vm2:0 192\.168\.1\.12 \(compute2\) tcp\/22, which both ports' groups allow: vm1:0 gets no answer to its ARP request for 192\.168\.1\.12/);
    expect(r.trace!.disposition).toBe('no-arp');
    expect(r.claim!.shownBy(r.trace!)).toBe(true);
  });

  it('with the ARP responder answering on compute1, the packet itself is not delivered: dropped at br-tun@compute2', async () => {
    expect((await of(withResponder((a) => a), 'network:net1')).verdict).toBe('holds');
    const r = await of(withResponder(tunnelInputDeleted), 'network:net1');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^vm1:0 \(compute1\) → vm2:0 192\.168\.1\.12 \(compute2\) tcp\/22, which both ports' groups allow: not delivered: /);
    expect(r.witness).toEqual(r.trace!.packet);
    const ends = traceCopies(r.trace!);
    expect(ends.some((c) => c.deliveredTo?.kind === 'vm' && c.deliveredTo.vm === 'vm2')).toBe(false);
    expect(ends.some((c) => c.droppedAt?.host === 'compute2' && c.droppedAt.device === 'br-tun')).toBe(true);
    expect(r.claim!.shownBy(r.trace!)).toBe(true);
  });

  it("vm2's tap unplugged: what vm2 sends crosses the host's own stack (undecided), but vm1's ARP request dies on vm2's bridge: violated, not unknown", async () => {
    const base = context('east-west');
    const tap = `tap${base.topology.vms.find((v) => v.name === 'vm2')!.ports[0]!.id.slice(0, 11)}`;
    const r = await of(context('east-west', edit(/^compute2\/brctl-show$/, dropLines(new RegExp(`^\\s+${tap}$`)))), 'network:net1');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^vm1:0 \(compute1\) → vm2:0 192\.168\.1\.12 \(compute2\) tcp\/22, which both ports' groups allow: vm1:0 gets no answer to its ARP request/);
    expect(r.trace!.uncertain).toEqual([]);
  });

  it("across the router: compute2's br-tun not taking network1's tunnel in, vm1 (net1) no longer reaches vm4 (net2) through router1", async () => {
    const fromNetworkNode = edit(/^compute2\/br-tun\.dump-flows$/, dropLines(/in_port="vxlan-0a000015" actions=resubmit\(,4\)$/));
    const r = await of(withResponder(fromNetworkNode), 'network:net2');
    expect(r.verdict).toBe('violated');
    // vm3 → vm4 (same subnet, compute1 → compute2) is asked first and still delivered.
    expect(r.message).toMatch(/^vm1:0 \(compute1\) → vm4:0 192\.168\.2\.14 \(compute2\) tcp\/22 through router1, which both ports' groups allow: not delivered: /);
    expect(traceCopies(r.trace!).some((c) => c.hops.some((h) => h.device.startsWith('qrouter-')))).toBe(true);
  });

  it("router1 dropping what it forwards over UDP: the packets the solver finds for pairs whose groups send or admit only what the firewall itself lets through (DHCP) are dropped, a violation with its trace", async () => {
    const udpDropped = edit(/^network1\/qrouter-.*\.iptables-save$/, (text) => text.replace(/^(-A neutron-l3-agent-FORWARD -j neutron-l3-agent-scope)$/m, '-A neutron-l3-agent-FORWARD -p udp -j DROP\n$1'));
    const r = await of(context('east-west', udpDropped), 'network:net2');
    expect(r.verdict).toBe('violated');
    // vm6, whose group sends nothing, sends only what its firewall lets out whatever the group (a DHCP
    // client's request, udp 68 → 67), which vm4 (port security off) lets in: the solver's packet for their
    // pair of places, itself dropped by the router.
    expect(r.message).toMatch(/^vm6:0 \(compute3\) → vm4:0 192\.168\.2\.14 \(compute2\) udp\/67 from port 68 through router1, which both ports' groups allow: not delivered: dropped at qrouter-.*: -A neutron-l3-agent-FORWARD -p udp -j DROP$/);
    expect(r.witness!.proto).toBe(17);
    expect(r.trace!.packet).toEqual(r.witness);
    expect(r.claim!.shownBy(r.trace!)).toBe(true);
    expect(traceCopies(r.trace!).some((c) => c.droppedAt?.device.startsWith('qrouter-') === true)).toBe(true);
    // And net1's: vm4 (port security off) sends vm1 what its firewall admits by destination (udp 67 → 68), dropped alike.
    const back = await of(context('east-west', udpDropped), 'network:net1');
    expect(back.verdict).toBe('violated');
    expect(back.message).toMatch(/^vm4:0 \(compute2\) → vm[12]:0 .* udp\/68 from port 67 through router1, which both ports' groups allow: not delivered: dropped at qrouter-.*: -A neutron-l3-agent-FORWARD -p udp -j DROP$/);
  });

  it("router1 dropping what it forwards to UDP port 80 only: every pair's first packet crosses, and only the proof over every allowed packet finds udp/80 not delivered, replayed", async () => {
    const udp80Dropped = edit(/^network1\/qrouter-.*\.iptables-save$/, (text) => text.replace(/^(-A neutron-l3-agent-FORWARD -j neutron-l3-agent-scope)$/m, '-A neutron-l3-agent-FORWARD -p udp -m udp --dport 80 -j DROP\n$1'));
    for (const subject of ['network:net1', 'network:net2']) {
      const r = await of(context('east-west', udp80Dropped), subject);
      expect(r.verdict).toBe('violated');
      expect(r.message).toMatch(/ through router1: udp port 80 from port 40000, which both ports' groups allow, is not delivered \(other packets are\): dropped at qrouter-.*: -A neutron-l3-agent-FORWARD -p udp -m udp --dport 80 -j DROP$/);
      expect(r.witness!.proto).toBe(17);
      expect(r.witness!.dport).toBe(80);
      expect(r.trace!.packet).toEqual(r.witness);
      expect(r.claim!.shownBy(r.trace!)).toBe(true);
    }
  });

  describe('groups whose common packets none of the usual first packets is (east-west-narrow.yaml)', () => {
    it('the solver finds one (tcp 5001 or 5002), it is delivered and proved for every such packet; the pairs with nothing in common are proved to have none', async () => {
      const [r] = await eastWest.check(context('east-west-narrow'));
      expect(r!.verdict).toBe('holds');
      // vm1 → vm2 is the one pair of places with a packet; vm2 and vm3 → vm1 (nothing admitted), vm2 ↔ vm3 (no packet of one the other admits): proved to have none.
      expect(r!.message).toMatch(/^1 pair of places .*: it delivers every first packet both ports' groups allow \(proved over all of them, after one was delivered: vm1:0 → vm2:0 tcp\/500[12]\), its first hop resolved by ARP; 2 pairs of places not asked: their ports' groups allow no first packet between them \(proved\)$/);
    });

    it("compute2's br-int dropping tcp 5001–5002 from vm1: the solver's packet is not delivered, a violation with its trace", async () => {
      const dropped = edit(/^compute2\/br-int\.dump-flows$/, (text) => ` cookie=0x1, priority=200,tcp,tp_dst=5001 actions=drop\n cookie=0x1, priority=200,tcp,tp_dst=5002 actions=drop\n${text}`);
      const [r] = await eastWest.check(context('east-west-narrow', dropped));
      expect(r!.verdict).toBe('violated');
      expect(r!.message).toMatch(/^vm1:0 \(compute1\) → vm2:0 192\.168\.1\.12 \(compute2\) tcp\/500[12], which both ports' groups allow: not delivered: /);
      expect(r!.witness!.proto).toBe(6);
      expect([5001, 5002]).toContain(r!.witness!.dport);
      expect(r!.claim!.shownBy(r!.trace!)).toBe(true);
      expect(traceCopies(r!.trace!).some((c) => c.droppedAt?.host === 'compute2' && c.droppedAt.device === 'br-int')).toBe(true);
    });
  });
});
