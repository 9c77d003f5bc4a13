// The narrowing of senders under another choice of HA masters takes the first choice's anti-spoofing
// proof of a port (src/questions/spoof-proof.ts `takenProof`) only where asking would give the same:
// on topologies/ha.yaml every port's narrowing under the second choice of masters is what its own
// proof there says, and a port whose host's firewall rules differ from the first choice's (its spoof
// chains emptied) is asked again, and no longer narrowed, while the other host's ports are taken; so
// is a port whose own addresses differ (its VM's station), its devices the same.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3, type SourceSpec } from '../../src/smt/index.ts';
import { loadModel } from '../../src/pipeline.ts';
import { NO_SCENARIO } from '../../src/scenario/context.ts';
import { ScenarioContexts } from '../../src/scenario/scenarios.ts';
import { diagonalVariants } from '../../src/scenario/variants.ts';
import { noteFirstChoice } from '../../src/scenario/siblings.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { checkedSources, proofsTaken, proveSenders, spoofProofs } from '../../src/questions/spoof-proof.ts';
import { sourceSpec } from '../../src/questions/properties/common.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import type { Topology } from '../../src/topology/model.ts';

afterAll(async () => { await shutdownZ3(); });

const TIMEOUT = 10_000;

function loaded(file: string) {
  const m = loadModel(file);
  if (!m.ok) throw new Error(JSON.stringify(m.errors));
  return m.value;
}

const specsOf = (topo: Topology, dp: Dataplane): SourceSpec[] => dp.stations.filter((s) => s.kind === 'vm-port').map((s) => sourceSpec(topo, s));

/** Per port, whether it is narrowed (and to what), as checkedSources says. */
async function narrowing(topo: Topology, dp: Dataplane, ev: Parameters<typeof checkedSources>[1]): Promise<Map<string, string>> {
  const specs = specsOf(topo, dp);
  const out = await checkedSources(dp, ev, specs, TIMEOUT);
  return new Map(out.map((s, i) => [specs[i]!.station.kind === 'vm-port' ? (specs[i]!.station as { portId: string }).portId : String(i), s.dhcpClients ?? 'not narrowed']));
}

/** What the port's own proof in `dp` says: asked there, never taken. */
async function asked(topo: Topology, dp: Dataplane, ev: Parameters<typeof checkedSources>[1]): Promise<Map<string, string>> {
  const specs = specsOf(topo, dp).filter((s) => s.anySource === true && s.portSecurity === true);
  const proofs = await spoofProofs(dp, ev, specs.map((s) => ({ s: s.station as never, pairs: s.allowedAddressPairs ?? [] })), TIMEOUT);
  return new Map(proofs.map((p) => [p.target.s.portId, p.narrows ? (p.onlyDiscover ? 'discover' : 'any') : 'not narrowed']));
}

describe('anti-spoofing proofs taken from the first choice of masters', () => {
  it('topologies/ha.yaml: under the second choice every port is narrowed as its own proof there says, and the proofs were taken', async () => {
    const { topology, dataplane } = loaded('topologies/ha.yaml');
    const ctx = new ScenarioContexts(topology, dataplane).of(NO_SCENARIO);
    const [v0, v1] = diagonalVariants(ctx).variants;
    expect(v1).toBeDefined();
    await proveSenders(v0!.dataplane, v0!.evaluator, specsOf(topology, v0!.dataplane), TIMEOUT);
    const got = await narrowing(topology, v1!.dataplane, v1!.evaluator);
    const own = await asked(topology, v1!.dataplane, v1!.evaluator);
    expect(own.size).toBeGreaterThan(0);
    for (const [port, says] of own) expect(got.get(port), port).toBe(says);
    expect(proofsTaken(v1!.evaluator)).toBe(own.size);
  }, 120_000);

  it('a port whose host\'s spoof chains differ is asked again there: not narrowed, while the other host\'s ports are taken', async () => {
    const { topology, dataplane } = loaded('topologies/ha.yaml');
    const ev = createEvaluator(dataplane);
    // compute1's spoof chains (neutron-openvswi-s<port>) emptied: a spoofed packet returns from them and goes on.
    let emptied = 0;
    const broken: Dataplane = {
      ...dataplane,
      hosts: dataplane.hosts.map((h) => (h.name !== 'compute1' ? h : {
        ...h,
        namespaces: h.namespaces.map((n) => (n.name !== 'root' ? n : {
          ...n,
          netfilter: { ...n.netfilter, tables: n.netfilter.tables.map((t) => ({ ...t, chains: t.chains.map((c) => (/^neutron-openvswi-s/.test(c.name) && c.rules.length > 0 ? (emptied++, { ...c, rules: [] }) : c)) })) },
        })),
      })),
    };
    expect(emptied).toBeGreaterThan(0);
    const ev2 = createEvaluator(broken);
    // Before: every port-secured port is narrowed where the chains are whole.
    const first = await narrowing(topology, dataplane, ev);
    noteFirstChoice(ev2, { dataplane, evaluator: ev });
    const got = await narrowing(topology, broken, ev2);
    const own = await asked(topology, broken, ev2);
    const onCompute1 = new Set(dataplane.stations.flatMap((s) => (s.kind === 'vm-port' && s.host === 'compute1' && own.has(s.portId) ? [s.portId] : [])));
    expect(onCompute1.size).toBeGreaterThan(0);
    for (const port of onCompute1) {
      expect(first.get(port), port).not.toBe('not narrowed');
      expect(own.get(port), port).toBe('not narrowed');
    }
    for (const [port, says] of own) expect(got.get(port), port).toBe(says);
    // compute2's ports were taken, compute1's were not.
    expect(proofsTaken(ev2)).toBe(own.size - onCompute1.size);
    expect(proofsTaken(ev2)).toBeGreaterThan(0);
  }, 120_000);

  it('a port whose own address differs, its devices the same, is asked again there', async () => {
    const { topology, dataplane } = loaded('topologies/ha.yaml');
    const ev = createEvaluator(dataplane);
    const port = dataplane.stations.find((s) => s.kind === 'vm-port' && s.host === 'compute2' && s.vm === 'web2');
    if (port?.kind !== 'vm-port') throw new Error('no web2 port on compute2');
    // The port says it is 192.168.1.99; its firewall still lets out what it let out as 192.168.1.12.
    const moved: Dataplane = { ...dataplane, stations: dataplane.stations.map((s) => (s === port ? { ...port, ip: '192.168.1.99' } : s)) };
    const ev2 = createEvaluator(moved);
    const first = await narrowing(topology, dataplane, ev);
    noteFirstChoice(ev2, { dataplane, evaluator: ev });
    const got = await narrowing(topology, moved, ev2);
    const own = await asked(topology, moved, ev2);
    expect(first.get(port.portId)).not.toBe('not narrowed');
    expect(own.get(port.portId)).toBe('not narrowed');
    for (const [p, says] of own) expect(got.get(p), p).toBe(says);
    // Some others were taken (what web2 no longer sends changes what a few bridges learned: those are asked too).
    expect(proofsTaken(ev2)).toBeGreaterThan(0);
    expect(proofsTaken(ev2)).toBeLessThan(own.size);
  }, 120_000);
});
