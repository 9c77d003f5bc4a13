// Forwarding loops in the symbolic walk (src/smt/walk.ts, src/semantics/loop.ts), on the routing loop
// fuzzing found (test/regressions/symbolic-agreement-walker-stack-overflow.yaml: two routers on one
// subnet, each with an extra route to 10.20.0.0/24 via the other):
// - a packet to 10.20.0.0/24 ends as a `loop` at the place it enters again with the same headers, in
//   the walker as in the evaluator (same place, same words), instead of running to the hop bound;
// - the free packet's exploration is small, has no `unknown` end, and does not grow with the hop
//   bound (routed copies alike are merged, so a bounce does not double what follows);
// - a walk past its budget of ends is one `unknown` end that says so, never a crash;
// - `verify` on the topology answers every property without an internal error.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { SymWalker } from '../../src/smt/walk.ts';
import { concretePacket } from '../../src/smt/headers.ts';
import { senderStarts } from '../../src/smt/starts.ts';
import { sourceSpec } from '../../src/questions/properties/common.ts';
import { traceCopies } from '../../src/questions/guard.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { End } from '../../src/smt/path.ts';
import { fromYaml, modelled, stationsByLabel } from '../fuzz/properties/cases.ts';
import { runCli } from '../cli/run.ts';

afterAll(async () => { await shutdownZ3(); });

const FILE = 'test/regressions/symbolic-agreement-walker-stack-overflow.yaml';
const { m, ev } = modelled(fromYaml(readFileSync(FILE, 'utf8')));
const [vm1] = stationsByLabel(m, 'vm1:1');
if (vm1?.kind !== 'vm-port') throw new Error('vm1:1');

/** router1's interface on vm1's subnet: vm1's gateway (10.0.0.1). */
const gatewayMac = (): string => {
  for (const h of m.dataplane.hosts) for (const ns of h.namespaces) for (const i of ns.interfaces) if (i.addresses.some((a) => a.ip === '10.0.0.1')) return i.mac;
  throw new Error('no 10.0.0.1');
};

const toLoop = (dst: string): Packet => ({
  eth_src: vm1.mac, eth_dst: gatewayMac(), vlan: null, tun_id: null, eth_type: 0x0800,
  ip_src: vm1.ip, ip_dst: dst, proto: 6, sport: 40000, dport: 22, icmp_type: null, icmp_code: null,
});

const kinds = (ends: readonly End[]) => ends.map((x) => (x.kind === 'end' ? x.disposition : x.kind));

describe('a routing loop between two routers', () => {
  it('ends a packet into it as a loop, where and as the evaluator does', async () => {
    const ctx = await getZ3();
    const w = new SymWalker(ctx, m.dataplane, { converged: ev.converged });
    for (const dst of ['10.20.0.5', '10.20.0.254']) {
      const p = toLoop(dst);
      const t = ev.trace(vm1, p, { everyCopy: true });
      const evLoops = traceCopies(t).filter((c) => c.disposition === 'loop');
      expect(evLoops.length).toBeGreaterThan(0);
      expect(traceCopies(t).every((c) => c.uncertain.length === 0)).toBe(true);
      const ends = w.fromStation(vm1, { pc: [], packet: concretePacket(p) });
      expect(kinds(ends)).toEqual(traceCopies(t).map((c) => c.disposition));
      const wLoops = ends.flatMap((x) => (x.kind === 'end' && x.disposition === 'loop' ? [x.where] : []));
      expect(wLoops).toEqual(evLoops.map((c) => `${c.droppedAt!.host}/${c.droppedAt!.device}: ${c.droppedAt!.rule}`));
      expect(wLoops[0]).toMatch(/^allinone1\/br-int: loop: br-int entered again on qr-\S+ with the same packet$/);
    }
  });

  it('explores the free packet without unknown ends, whatever the hop bound', async () => {
    const ctx = await getZ3();
    const sizes: number[] = [];
    for (const maxHops of [16, 64]) {
      const w = new SymWalker(ctx, m.dataplane, { converged: ev.converged, maxHops });
      const { starts } = senderStarts(w, sourceSpec(m.topology, vm1), 's0', {});
      const ends = starts.flatMap((s) => w.fromStation(vm1, s));
      expect(kinds(ends)).not.toContain('unknown');
      expect(kinds(ends)).toContain('loop');
      sizes.push(ends.length);
    }
    // The loop is cut where it closes, well inside either bound: the same ends at both.
    expect(sizes[0]).toBe(sizes[1]);
    expect(sizes[0]).toBeLessThan(200);
  });

  it('stops a walk past its budget of ends as one unknown end saying so', async () => {
    const ctx = await getZ3();
    const w = new SymWalker(ctx, m.dataplane, { converged: ev.converged, maxEnds: 20 });
    const { starts } = senderStarts(w, sourceSpec(m.topology, vm1), 's0', {});
    const ends = starts.flatMap((s) => w.fromStation(vm1, s));
    const budget = ends.filter((x) => x.kind === 'unknown' && x.reason.startsWith('budget: the walk from vm1:1 listed more than 20 path ends'));
    expect(budget.length).toBeGreaterThan(0);
    // Each stands for every packet of its start: nothing was dropped from what a question sees.
    for (const b of budget) expect(starts.some((s) => s.pc === b.path.pc)).toBe(true);
  });

  it('verify answers every property without an internal error', async () => {
    const r = await runCli('verify', FILE, '--format', 'json');
    const out = JSON.parse(r.stdout) as { results: { property: string; verdict: string; error?: string }[] };
    expect(out.results.filter((x) => x.error !== undefined || x.verdict === 'unknown')).toEqual([]);
    expect(out.results.find((x) => x.property === 'segment-isolation')?.verdict).toBe('holds');
  });
});
