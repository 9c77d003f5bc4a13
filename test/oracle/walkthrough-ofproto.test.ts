// For the first packet of each seed walkthrough (the VXLAN seed and its VLAN variant), real Open vSwitch
// agrees with the evaluator on every bridge the packet crosses: `ofproto/trace <bridge> in_port=…,<the
// evaluator's packet>` in that host's userspace OVS (wired and loaded from the rendered artifacts, MAC
// tables and learned flows preloaded from the evaluator's converged state) outputs to the evaluator's
// port, with the evaluator's VLAN and, on a tunnel port, its tunnel id. Floods are accepted when the
// evaluator's port is among OVS's outputs; the other ports are logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { describeOracle } from './prereq.ts';
import { repoRoot } from '../fixtures/samples.ts';
import type { OvsInstance } from './ovs-harness.ts';
import { byHost, startRenderedHost } from './rendered-host.ts';
import { preloadFdb, preloadLearnedFlows } from './converged-preload.ts';
import { compareHop, cutPatchPorts, ovsBridgeHops, traceCut, tracePatched, type BridgeHop, type HopObservation } from './bridge-hops.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { loadModel } from '../../src/pipeline.ts';
import { traceQuestion, type TraceParams } from '../../src/questions/trace.ts';
import { formatInputError } from '../../src/errors.ts';
import type { Trace } from '../../src/evaluate/trace.ts';

interface Walk { readonly name: string; readonly params: TraceParams }

const WALKS: readonly Walk[] = [
  { name: 'within a subnet, ICMP echo (vm1 → vm2)', params: { from: 'vm1', to: 'vm2', proto: 'icmp', via: null } },
  { name: 'within a subnet, TCP 22 (vm1 → vm2)', params: { from: 'vm1', to: 'vm2', proto: 'tcp', dport: 22, via: null } },
  { name: 'across subnets (vm1 → vm4)', params: { from: 'vm1', to: 'vm4', proto: 'icmp', via: null } },
  { name: 'south-bound SNAT (vm1 → 8.8.8.8)', params: { from: 'vm1', to: '8.8.8.8', proto: 'icmp', via: null } },
  { name: 'south-bound floating IP (vm4 → 8.8.8.8)', params: { from: 'vm4', to: '8.8.8.8', proto: 'icmp', via: null } },
  { name: 'north-bound DNAT (8.8.8.8 → 203.0.113.101)', params: { from: '8.8.8.8', to: '203.0.113.101', proto: 'icmp', via: null } },
  // UDP: the trace flow names its ports udp_src/udp_dst (OVS refuses tp_src on a UDP flow).
  { name: 'across subnets, UDP 53 (vm1 → vm4)', params: { from: 'vm1', to: 'vm4', proto: 'udp', dport: 53, via: null } },
];

const TOPOLOGIES = ['seed.yaml', 'seed-vlan.yaml'] as const;

/** Loads the topology and traces every walkthrough with the evaluator (synchronous: done at collection). */
function evaluatorWalks(file: string) {
  const loaded = loadModel(join(repoRoot, 'topologies', file));
  if (!loaded.ok) throw new Error(`${file} does not load:\n${loaded.errors.map(formatInputError).join('\n')}`);
  const model = loaded.value;
  const ev = createEvaluator(model.dataplane);
  const walks = WALKS.map((w) => {
    const r = traceQuestion(model.topology, model.dataplane, ev, w.params);
    if (!r.ok) throw new Error(`${file}: trace ${w.name}: ${r.errors.map(formatInputError).join('\n')}`);
    const trace: Trace = r.value.trace;
    return { ...w, trace, hops: ovsBridgeHops(trace) };
  });
  return { model, ev, walks };
}

describeOracle('oracle: ofproto/trace agrees with the evaluator on the seed walkthroughs', ['ovs'], () => {
  for (const file of TOPOLOGIES) {
    describe(file, () => {
      const { model, ev, walks } = evaluatorWalks(file);
      const hosts = byHost(model.artifacts);
      const instances: OvsInstance[] = [];
      /** `${walk}/${hop.index}` → what OVS did. */
      const seen = new Map<string, HopObservation>();
      const loaded = new Map<string, { fdb: number; learned: number; newFlows: number }>();

      beforeAll(async () => {
        // Hosts are independent (one OVS each): wired, preloaded and traced at once.
        await Promise.all([...hosts].map(async ([host, files]) => {
          const mine = walks.flatMap((w, wi) => w.hops.filter((h) => h.host === host).map((h) => ({ key: `${wi}/${h.index}`, hop: h })));
          if (mine.length === 0) return;
          const { ovs, bridges } = await startRenderedHost(host, files);
          instances.push(ovs);
          const names = bridges.map((b) => b.name);
          const flowCount = async () => (await Promise.all(names.map((b) => ovs.dumpFlows(b)))).reduce((a, f) => a + f.length, 0);
          const before = await flowCount();
          const learned = await preloadLearnedFlows(ovs, host, ev.converged);
          const newFlows = (await flowCount()) - before;
          const fdb = await preloadFdb(ovs, host, ev.converged, names);
          loaded.set(host, { fdb, learned, newFlows });
          // Wired as rendered first, then with the patch ports cut (see bridge-hops.ts).
          let ports = await ovs.datapathPorts();
          const patched = new Map<string, string[]>();
          for (const { key, hop } of mine) patched.set(key, await tracePatched(ovs, hop, ports));
          ports = await cutPatchPorts(ovs);
          await preloadFdb(ovs, host, ev.converged, names);
          for (const { key, hop } of mine) seen.set(key, { ...(await traceCut(ovs, hop, ports)), patchedOutputs: patched.get(key) ?? [] });
        }));
      });
      afterAll(async () => {
        for (const ovs of instances) await ovs.stop();
      });

      it('preloads the converged MAC tables (and learned flows) of every host it traces on', () => {
        expect(loaded.size).toBeGreaterThan(0);
        for (const [host, n] of loaded) {
          expect(n.fdb, `${host}: fdb entries`).toBeGreaterThan(0);
          // A learned flow that collided with a rendered one (same table, priority, match) would replace it.
          expect(n.newFlows, `${host}: each learned flow is a new flow`).toBe(n.learned);
        }
        expect([...loaded.values()].reduce((a, n) => a + n.learned, 0)).toBe(ev.converged.learnedFlows.filter((l) => loaded.has(l.host)).length);
      });

      walks.forEach((w, wi) => {
        it(`${w.name}: every OVS bridge of the main path outputs where the evaluator says`, () => {
          expect(w.hops.length, `the evaluator's path crosses OVS bridges (disposition ${w.trace.disposition})`).toBeGreaterThan(0);
          const disagreements: string[] = [];
          const notes: string[] = [];
          for (const hop of w.hops) {
            const obs = seen.get(`${wi}/${hop.index}`);
            if (!obs) {
              disagreements.push(`${hop.host}/${hop.bridge}: not traced`);
              continue;
            }
            const r = compareHop(hop, obs);
            disagreements.push(...r.disagreements);
            notes.push(...r.notes);
          }
          if (notes.length > 0) console.info(`${file} ${w.name}:\n  ${notes.join('\n  ')}`);
          expect(disagreements, disagreements.join('\n\n')).toEqual([]);
        });
      });

      it('the main paths cross the bridges the walkthroughs are about', () => {
        const crossed = (wi: number) => walks[wi]?.hops.map((h: BridgeHop) => `${h.host}/${h.bridge}`) ?? [];
        // East-west within a subnet leaves compute1's br-int and enters compute2's.
        expect(crossed(0)).toContain('compute1/br-int');
        expect(crossed(0)).toContain('compute2/br-int');
        // Everything routed crosses the network node's br-int at least twice (into and out of the router).
        for (const wi of [2, 3, 4, 5]) expect(crossed(wi).filter((h) => h === 'network1/br-int').length, walks[wi]?.name).toBeGreaterThanOrEqual(2);
        // North and south cross br-ex.
        for (const wi of [3, 4, 5]) expect(crossed(wi), walks[wi]?.name).toContain('network1/br-ex');
      });
    });
  }
});
