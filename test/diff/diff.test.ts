// `diff` on the seed before and after one change each: a security-group rule added (exactly the
// packets it newly allows, nothing else), a router interface removed (exactly what crossed it newly
// dropped, for every sender, and what now leaves by the default route), a floating IP moved (translated differently, and
// delivered to the new holder), and the seed against itself (no difference, proved for every sender).
// Every class's witness is replayed here again, independently of the diff, on fresh evaluators.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopologyText } from '../../src/topology/index.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { placeName, runDiff, stationName, type DiffAnswer, type DiffParams } from '../../src/questions/diff.ts';
import { labelsFor } from '../../src/report/labels.ts';
import { deliveryKey } from '../../src/smt/diff.ts';
import { traceCopies } from '../../src/questions/guard.ts';
import { runQuery } from '../../src/questions/query.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import type { Trace } from '../../src/evaluate/trace.ts';

afterAll(async () => { await shutdownZ3(); });

const SEED = readFileSync('topologies/seed.yaml', 'utf8');

function party(text: string, name: string) {
  const t = loadTopologyText(text, name);
  if (!t.ok) throw new Error(t.errors.map((e) => e.message).join('; '));
  const model = modelFromTopology(t.value);
  return { model, ev: createEvaluator(model.dataplane) };
}

function edited(from: string, to: string): string {
  expect(SEED).toContain(from);
  return SEED.replace(from, to);
}

async function diff(after: string, p: Partial<DiffParams> = {}): Promise<{ answer: DiffAnswer; before: ReturnType<typeof party>; after: ReturnType<typeof party> }> {
  const b = party(SEED, 'before.yaml');
  const a = party(after, 'after.yaml');
  const r = await runDiff(b, a, { from: null, to: null, via: null, ...p }, 20_000);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return { answer: r.value, before: b, after: a };
}

const arrivesAt = (t: Trace, place: string) => traceCopies(t).some((c) => (c.disposition === 'delivered' || c.disposition === 'exited') && c.deliveredTo !== null && deliveryKey(c.deliveredTo) === place);

/** Each witness, traced again on fresh evaluators of both sides, shows its change. */
function replaysAgain(r: Awaited<ReturnType<typeof diff>>): number {
  let n = 0;
  const evs = [createEvaluator(r.before.model.dataplane), createEvaluator(r.after.model.dataplane)] as const;
  for (const d of r.answer.differences) {
    const place = deliveryKey(d.delivery);
    for (const c of d.classes) {
      const [bt, at] = [c.before, c.after].map((t, i) => {
        const station = (i === 0 ? r.before : r.after).model.dataplane.stations.find((s) => stationName(s) === d.from)!;
        // A packet its sender never puts on the wire (no ARP answer) has no trace beyond the sender.
        return t.hops.length === 0 && (t.disposition === 'no-arp' || t.disposition === 'no-route') ? t : evs[i]!.session().trace(station, t.packet);
      });
      const [b, a] = [arrivesAt(bt!, place), arrivesAt(at!, place)];
      if (d.change === 'newly-delivered' || d.change === 'delivered-elsewhere') expect([b, a], `${d.from} ${place} ${c.packets}`).toEqual([false, true]);
      else if (d.change === 'newly-dropped') expect([b, a], `${d.from} ${place} ${c.packets}`).toEqual([true, false]);
      else expect(bt!.final, `${d.from} ${place} ${c.packets}`).not.toEqual(at!.final);
      n++;
    }
  }
  return n;
}

describe('netproof diff on the seed', () => {
  it('finds no difference between the seed and itself, proved for every sender', async () => {
    const r = await diff(SEED);
    expect(r.answer.verdict).toBe('same');
    expect(r.answer.differences).toEqual([]);
    expect(r.answer.senders.map((s) => s.from).sort()).toEqual(['outside(public)', 'vm1:0', 'vm2:0', 'vm3:0', 'vm4:0']);
    expect(r.answer.senders.every((s) => s.complete && s.unknown === null)).toBe(true);
    // Identical clouds: every place each sender reaches, it reaches by the very same paths on both sides.
    expect(r.answer.senders.every((s) => s.places > 0 && s.placesUnchanged === s.places)).toBe(true);
    // No device differs, so every sender is settled by its walk on one side.
    expect(r.answer.senders.every((s) => s.untouched)).toBe(true);
  });

  it('adding a security-group rule: exactly the packets it newly allows, from every sender', async () => {
    // tcp/8080 into the ssh group (vm1 only); the default group already lets the project's VMs in.
    const after = edited('- { direction: ingress, protocol: icmp }', '- { direction: ingress, protocol: icmp }\n      - { direction: ingress, protocol: tcp, port: 8080 }');
    const r = await diff(after);
    expect(r.answer.verdict).toBe('different');
    expect(r.answer.senders.every((s) => s.complete && s.unknown === null)).toBe(true);
    const seen = r.answer.differences.map((d) => [d.from, deliveryKey(d.delivery), d.change, d.classes.map((c) => [c.packets, c.exact])]);
    expect(seen).toEqual([['outside(public)', 'vm:vm1:0', 'newly-delivered', [['tcp/8080', true]]]]);
    expect(replaysAgain(r)).toBe(1);
    // Only vm1's port can be reached by other paths after the change (its firewall changed): every
    // other place of every sender is settled as the same without the solver.
    for (const s of r.answer.senders) expect(s.places - s.placesUnchanged, s.from).toBeLessThanOrEqual(1);
    const outside = r.answer.senders.find((s) => s.from === 'outside(public)')!;
    expect(outside.places - outside.placesUnchanged).toBe(1);
    // The query agrees on both sides.
    const q = async (side: typeof r.before) => (await runQuery(side.model.topology, side.model.dataplane, side.ev, { from: '8.8.8.8', to: 'vm1', via: null, proto: 'tcp', dport: 8080 }, 20_000));
    const [qb, qa] = [await q(r.before), await q(r.after)];
    expect([qb.ok && qb.value.verdict, qa.ok && qa.value.verdict]).toEqual(['unreachable', 'reachable']);
  });

  it('names a port range as the rule reads: tcp/2000-2100, every port of it differing', async () => {
    const after = edited('- { direction: ingress, protocol: icmp }', '- { direction: ingress, protocol: icmp }\n      - { direction: ingress, protocol: tcp, port: "2000-2100" }');
    const r = await diff(after, { from: 'external' });
    const seen = r.answer.differences.map((d) => [d.from, deliveryKey(d.delivery), d.change, d.classes.map((c) => [c.packets, c.exact])]);
    expect(seen).toEqual([['outside(public)', 'vm:vm1:0', 'newly-delivered', [['tcp/2000-2100', true]]]]);
    expect(r.answer.senders.every((s) => s.complete && s.unknown === null)).toBe(true);
    const w = r.answer.differences[0]!.classes[0]!.witness;
    expect(w.dport).toBeGreaterThanOrEqual(2000);
    expect(w.dport).toBeLessThanOrEqual(2100);
    expect(replaysAgain(r)).toBe(1);
    // Two ranges with a gap: one class spanning both, said not to be every port of the span.
    const gapped = edited('- { direction: ingress, protocol: icmp }', '- { direction: ingress, protocol: icmp }\n      - { direction: ingress, protocol: tcp, port: "2000-2010" }\n      - { direction: ingress, protocol: tcp, port: "2020-2030" }');
    const g = await diff(gapped, { from: 'external' });
    expect(g.answer.differences.flatMap((d) => d.classes.map((c) => [c.packets.replace(/e\.g\. \d+/, 'e.g. N'), c.exact]))).toEqual([['tcp (some ports of 2000-2030, e.g. N)', false]]);
  }, 300_000);

  it('takes the sets query --from and --to take: a project, a network, the outside world, a prefix', async () => {
    const after = edited('- { direction: ingress, protocol: icmp }', '- { direction: ingress, protocol: icmp }\n      - { direction: ingress, protocol: tcp, port: 8080 }');
    // The project's VMs: all four compared, none of them newly allowed (the default group already lets them in).
    const project = await diff(after, { from: 'project:demo' });
    expect(project.answer.senders.map((s) => s.from).sort()).toEqual(['vm1:0', 'vm2:0', 'vm3:0', 'vm4:0']);
    expect(project.answer.verdict).toBe('same');
    const network = await diff(after, { from: 'network:net1' });
    expect(network.answer.senders.map((s) => s.from).sort()).toEqual(['vm1:0', 'vm2:0']);
    // The outside world as a set, and a prefix of it: the one newly allowed class, its witness from the prefix.
    const world = await diff(after, { from: 'external' });
    expect(world.answer.differences.map((d) => [d.from, deliveryKey(d.delivery), d.classes.map((c) => c.packets)])).toEqual([['outside(public)', 'vm:vm1:0', ['tcp/8080']]]);
    const prefix = await diff(after, { from: '198.51.100.0/24', to: 'network:net1' });
    expect(prefix.answer.differences.map((d) => [d.from, deliveryKey(d.delivery), d.classes.map((c) => c.packets)])).toEqual([['outside(public)', 'vm:vm1:0', ['tcp/8080']]]);
    const w = prefix.answer.differences[0]!.classes[0]!.witness;
    expect(w.ip_src.startsWith('198.51.100.')).toBe(true);
    expect(replaysAgain(world) + replaysAgain(prefix)).toBe(2);
    // To a set that holds nothing newly allowed: the same.
    expect((await diff(after, { from: 'external', to: 'network:net2' })).answer.verdict).toBe('same');
    // A set with no sender on either side is refused, naming the option.
    const b = party(SEED, 'before.yaml');
    const refused = await runDiff(b, party(after, 'after.yaml'), { from: 'project:nobody', to: null, via: null }, 20_000);
    expect(refused.ok ? null : refused.errors.map((e) => [e.code, e.path])).toEqual([['NP405', '--from']]);
  });

  it('removing a router interface: exactly what crossed it is newly dropped, for every sender, and what now leaves by the default route is said', async () => {
    const r = await diff(edited('interfaces: [subnet1, subnet2]', 'interfaces: [subnet2]'));
    expect(r.answer.senders.map((s) => [s.from, s.complete, s.unknown])).toEqual(['vm1:0', 'vm2:0', 'vm3:0', 'vm4:0', 'outside(public)'].map((f) => [f, true, null]));
    const labels = labelsFor(r.before.model.topology);
    // Gained, whether its witness was delivered elsewhere before or nowhere (the witness is the solver's pick).
    const change = (c: string) => (c === 'delivered-elsewhere' ? 'newly-delivered' : c);
    const seen = [...new Set(r.answer.differences.map((d) => `${d.from} → ${placeName(d.delivery, labels)}: ${change(d.change)}`))].sort();
    // subnet1's ports (vm1, vm2) lose everything beyond their gateway: net2's ports and DHCP server, the
    // router itself, the external network and its DHCP server; nothing within subnet1.
    const beyond = ['vm3:0', 'vm4:0', 'outside(public)', 'DHCP of net2@network1', 'DHCP of public@network1', 'router1@network1'];
    const cutOff = ['vm1:0', 'vm2:0'].flatMap((from) => beyond.map((to) => `${from} → ${to}: newly-dropped`));
    // From outside: what it reached in subnet1 through the router (vm1's ssh and icmp, the DHCP client
    // port both VMs' rules let in, net1's DHCP server, the router's address in subnet1).
    const fromOutside = ['vm1:0', 'vm2:0', 'DHCP of net1@network1', 'router1@network1'].map((to) => `outside(public) → ${to}: newly-dropped`);
    // net2's ports: packets for subnet1 now leave by the router's default route, which they did not before.
    const leave = ['vm3:0', 'vm4:0'].map((from) => `${from} → outside(public): newly-delivered`);
    expect(seen).toEqual([...cutOff, ...fromOutside, ...leave].sort());
    const labelled = (from: string, to: string) => r.answer.differences.filter((d) => d.from === from && placeName(d.delivery, labels) === to).flatMap((d) => d.classes.map((c) => c.packets.replace(/e\.g\. \d+/, 'e.g. N')));
    expect(labelled('outside(public)', 'vm1:0').sort()).toEqual(['icmp (several types, e.g. N)', 'tcp/22', 'udp/68']);
    expect(labelled('outside(public)', 'vm2:0')).toEqual(['udp/68']);
    // The gateway is gone: vm1 and vm2 get no ARP answer for it, so their packets never leave.
    for (const d of r.answer.differences) for (const c of d.classes) if (d.from === 'vm1:0' || d.from === 'vm2:0') expect(c.after.disposition).toBe('no-arp');
    // The packets vm3 sends to subnet1's addresses leave by the default route, as the after trace shows.
    for (const d of r.answer.differences) for (const c of d.classes) if (d.from === 'vm3:0') expect([c.witness.ip_dst.startsWith('192.168.1.'), c.after.disposition]).toEqual([true, 'exited']);
    expect(replaysAgain(r)).toBe(r.answer.differences.reduce((n, d) => n + d.classes.length, 0));
  });

  it('moving a floating IP: the old holder is translated differently on the way out, the new one is reached through it', async () => {
    const after = edited('{ ip: 203.0.113.101, vm: vm4 }', '{ ip: 203.0.113.101, vm: vm1 }');
    const out = await diff(after, { from: 'vm4', to: '8.8.8.8' });
    expect(out.answer.differences.map((d) => [deliveryKey(d.delivery), d.change])).toEqual([['ext:public', 'translated-differently']]);
    const c = out.answer.differences[0]!.classes[0]!;
    expect([c.before.final.ip_src, c.after.final.ip_src]).toEqual(['203.0.113.101', '203.0.113.10']);
    expect(out.answer.senders.every((s) => s.complete && s.unknown === null)).toBe(true);
    const inbound = await diff(after, { from: '8.8.8.8', to: '203.0.113.101' });
    const changes = inbound.answer.differences.map((d) => [deliveryKey(d.delivery), d.change]);
    expect(changes).toContainEqual(['vm:vm1:0', 'newly-delivered']);
    expect(changes).toContainEqual(['vm:vm1:0', 'delivered-elsewhere']);
    expect(replaysAgain(out) + replaysAgain(inbound)).toBeGreaterThanOrEqual(3);
  });
});
