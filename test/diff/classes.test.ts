// `diff` asks one port per class of senders alike in both models (src/questions/diff-classes.ts).
// Here on a small cloud where vm3 (compute1) and vm5 (compute2) are alike — the same network, subnet
// and groups, no floating IP — each answer held to asking every sender itself (the differences per
// sender, place and change, with a class's counted for each port it stands for, gist.ts), and:
// - a change that treats both alike: one class, vm5 represented by vm3, its difference towards vm3
//   (its classmate) following from vm3's towards it;
// - a change that moves vm5 out of the group (alike before, not after): two classes, and vm5's own
//   differences (now a member of the default group) that vm3 does not have;
// - vm5's host programmed a rule for it that vm3's host did not (a stale DROP in its egress chain, on
//   both sides): two classes, and vm5 has no difference where vm3 has one;
// - a host with something changed that any of its ports' packets may cross (a bridge, a chain no one
//   port owns): its ports grouped only among themselves;
// - something linking devices changed (a floating IP moved): every sender asked itself.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopologyText } from '../../src/topology/index.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { runDiff, type DiffAnswer } from '../../src/questions/diff.ts';
import { classKey, type VmStation } from '../../src/questions/properties/common.ts';
import { deliveryKey } from '../../src/smt/diff.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import type { NfRule } from '../../src/ir/netfilter.ts';
import { expectSameAnswers } from './pairs.ts';
import { diffSenderClasses } from '../../src/questions/diff-classes.ts';
import type { ChangedDevices } from '../../src/smt/changed-devices.ts';

afterAll(async () => { await shutdownZ3(); });

const SEED = readFileSync('topologies/seed.yaml', 'utf8');

/** The seed with vm3 in the ssh group only, and vm5 beside it on net2 but on compute2. */
const CLOUD = (() => {
  const vm3 = '  vm3: { project: demo, host: compute1, ports: [{ network: net2, ip: 192.168.2.13 }] }';
  expect(SEED).toContain(vm3);
  return SEED.replace(vm3, `  vm3: { project: demo, host: compute1, ports: [{ network: net2, ip: 192.168.2.13, security_groups: [ssh] }] }
  vm5: { project: demo, host: compute2, ports: [{ network: net2, ip: 192.168.2.15, security_groups: [ssh] }] }`);
})();

function edited(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

const RULE_ADDED = edited(CLOUD, '- { direction: ingress, protocol: icmp }', '- { direction: ingress, protocol: icmp }\n      - { direction: ingress, protocol: tcp, port: 8080 }');

function party(text: string, fault?: (dp: Dataplane) => void) {
  const t = loadTopologyText(text, 'x.yaml');
  if (!t.ok) throw new Error(t.errors.map((e) => e.message).join('; '));
  const model = modelFromTopology(t.value);
  fault?.(model.dataplane);
  return { model, ev: createEvaluator(model.dataplane) };
}

/** The diff asked both ways (by class, and every sender itself), held to each other; the classed answer. */
async function both(before: string, after: string, fault?: (dp: Dataplane) => void): Promise<{ classed: DiffAnswer; each: DiffAnswer }> {
  const p = { from: null, to: null, via: null };
  const c = await runDiff(party(before, fault), party(after, fault), p, 20_000);
  const e = await runDiff(party(before, fault), party(after, fault), p, 20_000, { incremental: true, classes: false });
  if (!c.ok || !e.ok) throw new Error('diff refused its input');
  expect(e.value.senderClasses).toBe(e.value.senders.length);
  expectSameAnswers(c.value, e.value, 'by class against every sender');
  return { classed: c.value, each: e.value };
}

/** `from → place change` of every difference a sender was asked for (not those it stands for). */
const asked = (a: DiffAnswer) => a.differences.map((d) => `${d.from} → ${deliveryKey(d.delivery)} ${d.change}`).sort();
const of = (a: DiffAnswer, from: string) => asked(a).filter((x) => x.startsWith(`${from} `));

describe('diff by classes of senders', () => {
  it('one class for two ports alike on different hosts: the classmate answered by the representative, towards each other too', async () => {
    const { classed, each } = await both(CLOUD, RULE_ADDED);
    expect(classed.senders.find((s) => s.from === 'vm5:0')?.representedBy).toBe('vm3:0');
    expect(classed.senders.filter((s) => s.representedBy !== undefined).map((s) => s.from)).toEqual(['vm5:0']);
    expect(classed.senderClasses).toBe(classed.senders.length - 1);
    // Asked itself, vm5 finds tcp/8080 newly delivered to vm1 and to vm3, as vm3 does to vm1 and vm5.
    expect(of(each, 'vm5:0')).toEqual(['vm5:0 → vm:vm1:0 newly-delivered', 'vm5:0 → vm:vm3:0 newly-delivered']);
    expect(of(each, 'vm3:0')).toEqual(['vm3:0 → vm:vm1:0 newly-delivered', 'vm3:0 → vm:vm5:0 newly-delivered']);
    // By class vm5 is not asked: vm3's differences stand for it, the one towards vm5 for vm5's towards vm3.
    expect(of(classed, 'vm5:0')).toEqual([]);
    const toClassmate = classed.differences.find((d) => d.from === 'vm3:0' && deliveryKey(d.delivery) === 'vm:vm5:0')!;
    expect(toClassmate.standsFor).toEqual(['vm5:0']);
    expect(toClassmate.classes.map((c) => c.packets)).toEqual(['tcp/8080']);
  }, 300_000);

  it('two ports alike before and not after (one leaves the group): two classes, and each its own differences', async () => {
    const left = edited(RULE_ADDED, 'ip: 192.168.2.15, security_groups: [ssh]', 'ip: 192.168.2.15, security_groups: [default]');
    const { classed } = await both(CLOUD, left);
    expect(classed.senders.every((s) => s.representedBy === undefined)).toBe(true);
    expect(classed.senderClasses).toBe(classed.senders.length);
    // Now in the default group, vm5 newly reaches vm1 on any port; vm3 reaches vm1 only on tcp/8080 now.
    const gained = (from: string) => classed.differences.filter((d) => d.from === from && deliveryKey(d.delivery) === 'vm:vm1:0').flatMap((d) => d.classes.map((c) => c.packets));
    expect(gained('vm3:0')).toEqual(['tcp/8080']);
    expect(gained('vm5:0').length).toBeGreaterThan(1);
  }, 300_000);

  it("two ports alike in the topology whose hosts' rules differ: two classes, and only one has the difference", async () => {
    // compute2 programmed a stale DROP of tcp/8080 at the top of vm5's egress chain (on both sides).
    const stale = (dp: Dataplane) => {
      const vm5 = dp.stations.find((s): s is VmStation => s.kind === 'vm-port' && s.vm === 'vm5')!;
      const filter = dp.hosts.find((h) => h.name === 'compute2')!.namespaces.find((n) => n.name === 'root')!.netfilter.tables.find((t) => t.name === 'filter')!;
      const chain = filter.chains.find((c) => c.name === `neutron-openvswi-o${vm5.portId.slice(0, 10)}`)!;
      const drop: NfRule = { matches: [{ kind: 'proto', proto: 6, negate: false }, { kind: 'dport', from: 8080, to: 8080, negate: false }], target: { kind: 'DROP' }, origin: chain.rules[0]!.origin };
      (chain.rules as NfRule[]).unshift(drop);
    };
    const before = party(CLOUD, stale);
    const [vm3, vm5] = ['vm3', 'vm5'].map((v) => before.model.dataplane.stations.find((s): s is VmStation => s.kind === 'vm-port' && s.vm === v)!);
    // Alike in the topology: only the hosts' rules tell them apart.
    expect(classKey(before.model.topology, vm3!)).toBe(classKey(before.model.topology, vm5!));
    const { classed } = await both(CLOUD, RULE_ADDED, stale);
    expect(classed.senders.every((s) => s.representedBy === undefined)).toBe(true);
    expect(of(classed, 'vm3:0')).toEqual(['vm3:0 → vm:vm1:0 newly-delivered', 'vm3:0 → vm:vm5:0 newly-delivered']);
    // Its own host drops its tcp/8080 on the way out: nothing newly reaches anyone from vm5.
    expect(of(classed, 'vm5:0')).toEqual([]);
  }, 300_000);

  it("a host with something changed that any port's packets there may cross: its ports grouped only among themselves", () => {
    const b = party(CLOUD);
    const a = party(RULE_ADDED);
    const names = ['vm3:0', 'vm5:0'];
    const vm1 = b.model.dataplane.stations.find((s): s is VmStation => s.kind === 'vm-port' && s.vm === 'vm1')!;
    const changed = (devices: string[], chains: string[]): ChangedDevices => ({ global: null, devices, chains, has: () => false, hasChain: () => false });
    const classes = (c: ChangedDevices) => diffSenderClasses(b.model, a.model, names, c).map((x) => [x.rep, ...x.members]);
    expect(classes(changed([], []))).toEqual([['vm3:0', 'vm5:0']]);
    // Another port's own chain changed on vm5's host: crossed only by packets to or from that port, alike for both.
    expect(classes(changed([], [`compute2/root/filter/neutron-openvswi-i${vm1.portId.slice(0, 10)}`]))).toEqual([['vm3:0', 'vm5:0']]);
    // A chain no one port owns, or a bridge, changed on vm5's host: vm5 may cross it, vm3 not.
    expect(classes(changed([], ['compute2/root/filter/neutron-openvswi-sg-chain']))).toEqual([['vm3:0'], ['vm5:0']]);
    expect(classes(changed(['compute2/br-int'], []))).toEqual([['vm3:0'], ['vm5:0']]);
    // Something linking devices changed: each alone.
    expect(diffSenderClasses(b.model, a.model, names, { ...changed([], []), global: 'the links between devices differ' }).map((x) => x.rep)).toEqual(names);
  });

  it('something linking devices changed (a floating IP moved): every sender asked itself', async () => {
    const moved = edited(RULE_ADDED, '{ ip: 203.0.113.101, vm: vm4 }', '{ ip: 203.0.113.101, vm: vm2 }');
    const { classed } = await both(CLOUD, moved);
    expect(classed.senderClasses).toBe(classed.senders.length);
  }, 300_000);
});
