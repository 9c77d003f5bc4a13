// Solver and evaluator agree under failure scenarios and VRRP states, as they must everywhere: on
// topologies/ha.yaml with the masters VRRP elects first, with the other masters, with network2 down,
// with the HA network partitioned (both instances masters: split brain) and with compute1 cut off from
// network2, every fixed first packet of the agreement suite (test/agreement/cases.ts) ends the same way
// in the symbolic walker (packet as constants) as in the evaluator. And each keepalived instance's VRRP
// advertisement (to 224.0.0.18) ends the same way in both: delivered to the namespaces whose interface
// joined the group, dropped where a cut or a failure stops it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline.ts';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import type { Ctx } from '../../src/smt/z3.ts';
import { SymWalker } from '../../src/smt/walk.ts';
import { concretePacket } from '../../src/smt/headers.ts';
import { ScenarioContext, type ScenarioSpec, type Variant } from '../../src/scenario/context.ts';
import { advertisementOf } from '../../src/scenario/hearing.ts';
import { vrrpSites } from '../../src/dataplane/vrrp-state.ts';
import { casesOf, firstPackets } from '../agreement/cases.ts';
import { compare, evaluatorSide, type Disagreement } from '../agreement/check.ts';
import { walkedKeys } from '../agreement/solver-ends.ts';
import { concreteNum, evaluatorKeys, solverKey, difference } from '../agreement/ends.ts';

let ctx: Ctx;
beforeAll(async () => { ctx = await getZ3(); });
afterAll(async () => { await shutdownZ3(); });

const loaded = loadModel(new URL('../../topologies/ha.yaml', import.meta.url).pathname);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const { topology, dataplane } = loaded.value;

const spec = (down: string[], cuts: [string, string][] = []): ScenarioSpec => ({ failures: { down, cuts }, pins: new Map() });
const SCENARIOS: [string, ScenarioSpec, (c: ScenarioContext) => Variant][] = [
  ['first masters', spec([]), (c) => c.variant(c.firstChoice())],
  ['the other masters', spec([]), (c) => c.variant(c.firstChoice().map((i) => 1 - i))],
  ['network2 down', spec(['network2']), (c) => c.variant(c.firstChoice())],
  ['HA network partitioned (split brain)', spec([], [['network1', 'network2']]), (c) => c.variant(c.firstChoice())],
  ['compute1 cut off from network2', spec([], [['compute1', 'network2']]), (c) => c.variant(c.firstChoice())],
];

for (const [name, s, pick] of SCENARIOS) {
  describe(`ha.yaml, ${name}`, () => {
    const sc = new ScenarioContext(topology, dataplane, s);
    const v = pick(sc);
    const { built } = firstPackets(topology, v.evaluator, casesOf(topology, v.dataplane));

    it(`the walker ends as the evaluator does on every first packet (${name})`, async () => {
      expect(built.length).toBeGreaterThan(100);
      const w = new SymWalker(ctx, v.dataplane, { converged: v.evaluator.converged });
      const disagreements: Disagreement[] = [];
      for (const b of built) {
        const d = compare(b.c.label, evaluatorSide(v.evaluator, b), await walkedKeys(w, b.station, b.packet));
        if (d) disagreements.push(d);
      }
      expect(disagreements).toEqual([]);
    });

    it('each VRRP advertisement ends the same way in both engines', () => {
      const w = new SymWalker(ctx, v.dataplane, { converged: v.evaluator.converged });
      const sites = vrrpSites(v.dataplane);
      expect(sites.length).toBe(s.failures.down.length > 0 ? 2 : 4);
      for (const site of sites) {
        const packet = advertisementOf(v.dataplane, site)!;
        const t = v.evaluator.traceFromNamespace(site.host, site.namespace, site.instance.interface, packet, { everyCopy: true });
        const link = v.dataplane.links.find((l) => l.b.host === site.host && l.b.device === site.namespace && l.b.port === site.instance.interface)!;
        const ends = w.leave({ host: site.host, device: site.namespace, port: site.instance.interface }, { pc: [], packet: concretePacket(packet) }, 0);
        const solver = new Set(ends.map((e) => solverKey(e, concreteNum)));
        const d = difference(evaluatorKeys(t), solver);
        expect(d, `${site.host}/${site.instance.name} via ${link.a.device}`).toEqual({ onlyEvaluator: [], onlySolver: [] });
        expect([...solver].some((k) => k.startsWith('ns:'))).toBe(true);
      }
    });
  });
}
