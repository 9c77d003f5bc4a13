// east-west (east-west.ts): ports reach each other as their groups allow, one packet per pair of
// places (sender's subnet and host, receiver's), ARP first. On east-west.yaml (net1 and net2 behind
// router1, three compute hosts, no ARP responder): as rendered every pair whose ports' groups allow a
// packet delivers it, and the pairs with nothing allowed are counted, not asked; with compute2's br-tun
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
    // net1: vm1 and vm2 reach each other (default group) and are reached from vm3 through router1; vm6's
    // group lets nothing in or out, and vm4 (port security off) is no member of vm1's or vm2's default group.
    expect(rs[0]!.message).toMatch(/^4 pairs of places .*: each delivers every first packet both ports' groups allow \(proved over all of them, after one was delivered: .*\), its first hop resolved by ARP; 8 pairs of places not asked: their ports' groups allow none of the packets tried between them$/);
    // net2: vm4 lets everything in (vm3, and vm1 and vm2 through router1); vm3 lets in its group's members.
    expect(rs[1]!.message).toMatch(/^5 pairs of places .*: each delivers every first packet both ports' groups allow \(proved over all of them, .*; 3 pairs of places not asked/);
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

  it("router1 dropping what it forwards over UDP: tcp/22 still crosses, and the proof finds a UDP packet both groups allow that is not delivered, replayed", async () => {
    const udpDropped = edit(/^network1\/qrouter-.*\.iptables-save$/, (text) => text.replace(/^(-A neutron-l3-agent-FORWARD -j neutron-l3-agent-scope)$/m, '-A neutron-l3-agent-FORWARD -p udp -j DROP\n$1'));
    const r = await of(context('east-west', udpDropped), 'network:net2');
    expect(r.verdict).toBe('violated');
    // The concrete packet (tcp/22) of the pair was delivered: only the proof over every allowed packet finds it.
    expect(r.message).toMatch(/^vm[12]:0 \(compute[12]\) → vm[34]:0 192\.168\.2\.1[34] \(compute[12]\) through router1: udp port 80 from port 40000, which both ports' groups allow, is not delivered \(other packets are\): dropped at qrouter-.*: -A neutron-l3-agent-FORWARD -p udp -j DROP$/);
    expect(r.witness!.proto).toBe(17);
    expect(r.trace!.packet).toEqual(r.witness);
    expect(r.claim!.shownBy(r.trace!)).toBe(true);
    expect(traceCopies(r.trace!).some((c) => c.droppedAt?.device.startsWith('qrouter-') === true)).toBe(true);
    // net1's ports, reached from net2 (vm3) through router1, alike.
    const back = await of(context('east-west', udpDropped), 'network:net1');
    expect(back.verdict).toBe('violated');
    expect(back.message).toMatch(/^vm3:0 \(compute1\) → vm[12]:0 .* through router1: udp port 80 from port 40000, which both ports' groups allow, is not delivered/);
  });
});
