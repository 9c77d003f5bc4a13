// Solver/evaluator agreement on the shipped topologies (issue 3, "What must show it works"): for a
// spread of fixed first packets (cases.ts) the solver's side and the reference evaluator end the same
// way — the same VM ports, namespaces and outside worlds reached, with the same headers on arrival,
// and the same kinds of stops (ends.ts; `exited` and `delivered` to the outside world are one end).
//
// Per topology:
// 1. every packet, through the symbolic walker with the packet as constants: all branch conditions
//    fold, so the device models (OVS, qbr + hybrid iptables, qrouter/qdhcp, NAT, routing, ARP) are
//    compared without a solver call, and the sender condition must accept the packet;
// 2. the DHCP broadcasts of every VM port, and unicast packets in broadcast frames, through the walker
//    (device models only: the solver's senders emit unicast first packets);
// 3. every STRIDE-th packet (24 per topology, including the seed-vlan vm1 -> vm2 ICMP case that once
//    gave the solver `unknown` "solver: unreachable"), through `explore` with `sent: { packet }` and
//    Z3, the way a query fixes a packet.
// Packet counts (asserted below, so none is skipped silently): seed 216 cases, all built and compared;
// seed-vlan 216, all built and compared; provider 240, 210 built and compared and 30 the sender cannot
// build (no route from one provider network's upstream to the other's subnet, no ARP answer for a
// free address of the sender's own subnet). Plus 8, 8 and 10 DHCP broadcasts and 4, 4 and 5 broadcast
// frames.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import type { Ctx } from '../../src/smt/z3.ts';
import { SymWalker } from '../../src/smt/walk.ts';
import { broadcastFramesToInternet, casesOf, dhcpBroadcasts, firstPackets, type Built } from './cases.ts';
import { compare, evaluatorSide, type Disagreement } from './check.ts';
import { exploredKeys, walkedKeys } from './solver-ends.ts';

/** Every STRIDE-th built packet goes through Z3 too (coprime to the 4 protocols per destination). */
const STRIDE = 9;
/** Z3's own timeout per check; a timeout is `unknown`, a disagreement. */
const CHECK_MS = 5_000;
/** The solver leg stops (and fails) past this, well before the test's timeout, so no check outlives its test. */
const LEG_BUDGET_MS = 30_000;
/** Once a solver `unknown` with reason "solver: unreachable" vs the evaluator's delivered. */
const REGRESSION = 'vm1:0 -> 192.168.1.12 icmp';

const EXPECTED = {
  seed: { cases: 216, built: 216, broadcasts: 8 },
  'seed-vlan': { cases: 216, built: 216, broadcasts: 8 },
  provider: { cases: 240, built: 210, broadcasts: 10 },
} as const;

let ctx: Ctx;
beforeAll(async () => { ctx = await getZ3(); });
afterAll(async () => { await shutdownZ3(); });

for (const [name, expected] of Object.entries(EXPECTED)) {
  const loaded = loadModel(new URL(`../../topologies/${name}.yaml`, import.meta.url).pathname);
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.errors)}`);
  const { topology, dataplane: dp } = loaded.value;
  // Every copy listed (a flood's branches are not cut at the report's default of 32).
  const ev = createEvaluator(dp, { limits: { maxBranches: 100_000 } });
  const cases = casesOf(topology, dp);
  const { built, skipped } = firstPackets(topology, ev, cases);
  const symbolic: Built[] = built.filter((b, i) => i % STRIDE === 0 || b.c.label === REGRESSION);

  describe(`${name}: solver and evaluator agree on fixed first packets`, () => {
    it(`accounts for all ${expected.cases} cases: ${expected.built} packets built and compared, the rest not sendable`, () => {
      expect(cases.length).toBe(expected.cases);
      expect(built.length).toBe(expected.built);
      expect(built.length).toBeGreaterThan(0);
      expect(built.length + skipped.length).toBe(cases.length);
      // A case is skipped only because its sender has no route or no ARP answer for its first hop.
      expect(skipped.filter((s) => s.why !== 'no-route' && s.why !== 'no-arp')).toEqual([]);
    });

    it(`the walker with each of the ${expected.built} packets as constants ends as the evaluator does`, async () => {
      const w = new SymWalker(ctx, dp, { converged: ev.converged });
      const disagreements: Disagreement[] = [];
      let compared = 0;
      for (const b of built) {
        const d = compare(b.c.label, evaluatorSide(ev, b), await walkedKeys(w, b.station, b.packet));
        if (d) disagreements.push(d);
        compared++;
      }
      expect(disagreements).toEqual([]);
      expect(compared).toBe(expected.built);
    });

    const broadcasts = dhcpBroadcasts(dp);
    it(`the walker ends as the evaluator does on the ${broadcasts.length} DHCP broadcasts of the VM ports (device models only)`, async () => {
      expect(broadcasts.length).toBe(expected.broadcasts);
      const w = new SymWalker(ctx, dp, { converged: ev.converged });
      const disagreements: Disagreement[] = [];
      for (const b of broadcasts) {
        const d = compare(b.c.label, evaluatorSide(ev, b), await walkedKeys(w, b.station, b.packet, false));
        if (d) disagreements.push(d);
      }
      expect(disagreements).toEqual([]);
    });

    // On provider networks a VM's segment reaches the outside world: a unicast packet to the internet in
    // a broadcast frame must not leave the cloud (the upstream router routes only frames to its MAC).
    const frames = broadcastFramesToInternet(dp);
    it(`no router routes on the ${frames.length} unicast packets to ${frames[0]?.c.dst} sent in broadcast frames (walker = evaluator)`, async () => {
      expect(frames.length).toBe(expected.broadcasts / 2);
      const w = new SymWalker(ctx, dp, { converged: ev.converged });
      const disagreements: Disagreement[] = [];
      for (const b of frames) {
        const d = compare(b.c.label, evaluatorSide(ev, b), await walkedKeys(w, b.station, b.packet, false));
        if (d) disagreements.push(d);
      }
      expect(disagreements).toEqual([]);
    });

    it(`explore with sent: { packet } and Z3 ends as the evaluator does, on ${symbolic.length} of the packets`, async () => {
      expect(symbolic.length).toBeGreaterThan(0);
      const started = Date.now();
      const disagreements: Disagreement[] = [];
      let compared = 0;
      for (const b of symbolic) {
        if (Date.now() - started > LEG_BUDGET_MS) break;
        const d = compare(b.c.label, evaluatorSide(ev, b), await exploredKeys(dp, b.station, b.packet, ev.converged, CHECK_MS));
        if (d) disagreements.push(d);
        compared++;
      }
      expect(disagreements).toEqual([]);
      expect(compared, `the solver leg ran past ${LEG_BUDGET_MS} ms`).toBe(symbolic.length);
    }, 90_000);
  });
}

describe('the comparison tells ends apart', () => {
  const loaded = loadModel(new URL('../../topologies/seed.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error('seed.yaml does not load');
  const { topology, dataplane: dp } = loaded.value;
  const ev = createEvaluator(dp);
  const { built } = firstPackets(topology, ev, casesOf(topology, dp));
  const find = (label: string) => {
    const b = built.find((x) => x.c.label === label);
    if (!b) throw new Error(`no case ${label}`);
    return b;
  };

  it('another destination VM, a NAT-rewritten source, and a solver failure are all disagreements', async () => {
    const w = new SymWalker(ctx, dp, { converged: ev.converged });
    const toVm2 = find('vm1:0 -> 192.168.1.12 tcp/22');
    const toVm3 = find('vm1:0 -> 192.168.2.13 tcp/22');
    const d = compare('crossed', evaluatorSide(ev, toVm2), await walkedKeys(w, toVm3.station, toVm3.packet));
    expect(d?.onlyEvaluator).toEqual([expect.stringMatching(/^vm:vm2:0@compute2 /)]);
    expect(d?.onlySolver).toEqual([expect.stringMatching(/^vm:vm3:0@compute1 /)]);
    // Same place (the outside world), other headers: vm4's packets leave with its floating IP.
    const out1 = find('vm1:0 -> 8.8.8.8 tcp/80');
    const out4 = find('vm4:0 -> 8.8.8.8 tcp/80');
    const n = compare('nat', evaluatorSide(ev, out1), await walkedKeys(w, out4.station, out4.packet));
    expect(n?.onlyEvaluator).toEqual([expect.stringContaining('203.0.113.10>8.8.8.8')]);
    expect(n?.onlySolver).toEqual([expect.stringContaining('203.0.113.101>8.8.8.8')]);
    expect(compare('unknown', evaluatorSide(ev, toVm2), { ok: false, why: 'timeout', solverCalls: 1 })?.note).toBe('solver: timeout');
  });

  it('a packet its sender cannot send is refused by the sender condition, not compared', async () => {
    const w = new SymWalker(ctx, dp, { converged: ev.converged });
    const b = find('vm1:0 -> 192.168.1.12 tcp/22');
    const spoofed = { ...b.packet, ip_src: '192.168.1.99' };
    const r = await walkedKeys(w, b.station, spoofed);
    expect(r.ok).toBe(false);
  });
});
