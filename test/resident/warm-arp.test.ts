// A resident model resolves every VM port's gateway ARP, and every router interface's ARP for the
// stations on its subnets, at load (src/answers/warm-arp.ts), and traces one packet from each VM to the next
// (src/answers/warm-traces.ts): the answers resolved then are those the evaluator gives when first asked
// later, and traces on a warmed session
// are the traces of a session that resolves them on demand — on the shipped topologies and on random
// valid ones (fast-check, seeded).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadModel, type Model } from '../../src/pipeline.ts';
import { Session } from '../../src/answers/session.ts';
import { runTraceOn, traceRunJson } from '../../src/answers/trace.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { resolveGateways, resolveRouterNeighbours } from '../../src/answers/warm-arp.ts';
import { traceEachVm } from '../../src/answers/warm-traces.ts';
import type { ArpAnswer, Evaluator } from '../../src/evaluate/evaluator.ts';
import { arbitraryTopology, modelOf } from '../../src/testing/topology.ts';

/** Every VM to every other (both ways), tcp/22 and icmp: the trace JSON, or the errors. */
function traces(session: Session): string[] {
  const vms = session.model.topology.vms.map((v) => v.name);
  const out: string[] = [];
  for (const from of vms) {
    for (const to of vms) {
      if (from === to) continue;
      for (const fields of [{ proto: 'tcp', dport: '22' }, { proto: 'icmp' }]) {
        const r = runTraceOn(session, { from, to, ...fields });
        out.push(JSON.stringify(r.ok ? traceRunJson(r.value) : r.errors));
      }
    }
  }
  return out;
}

function loaded(file: string): Model {
  const m = loadModel(file);
  if (!m.ok) throw new Error(JSON.stringify(m.errors));
  return m.value;
}

/** Compares a warmed session with one that resolves on demand; returns how many traces were compared. */
function compare(model: Model): number {
  const warmed = new Session(model);
  warmed.warm();
  const lazy = new Session(model);
  const a = traces(warmed);
  expect(a).toEqual(traces(lazy));
  return a.length;
}

describe('gateway ARP resolved at load', () => {
  it.each(['topologies/seed.yaml', 'topologies/seed-vlan.yaml', 'topologies/provider.yaml', 'topologies/ha.yaml'])('%s: traces the same as resolved on demand', (file) => {
    expect(compare(loaded(file))).toBeGreaterThan(0);
  });

  it('the answers resolved at load are those a fresh evaluator gives when asked', () => {
    const model = loaded('topologies/seed.yaml');
    const warmed = createEvaluator(model.dataplane);
    resolveGateways(warmed, model.dataplane);
    const fresh = createEvaluator(model.dataplane);
    const ports = model.dataplane.stations.filter((s) => s.kind === 'vm-port' && s.gateway !== null);
    expect(ports.length).toBeGreaterThan(0);
    for (const s of ports) {
      if (s.kind !== 'vm-port' || s.gateway === null) continue;
      const got = warmed.resolveArp(s, s.gateway);
      expect(got.mac).not.toBeNull();
      expect(JSON.stringify(got)).toBe(JSON.stringify(fresh.resolveArp(s, s.gateway)));
    }
  });

  it('the router neighbours resolved at load are those a fresh evaluator gives when asked', () => {
    const model = loaded('topologies/seed.yaml');
    const warmed = createEvaluator(model.dataplane);
    // What the warm-up asks, recorded as it asks it.
    const asked: [string, string, string, string][] = [];
    const recording: Evaluator = { ...warmed, resolveNamespaceArp: (h, ns, i, ip) => (asked.push([h, ns, i, ip]), warmed.resolveNamespaceArp(h, ns, i, ip)) };
    resolveRouterNeighbours(recording, model.dataplane);
    const vmIps = model.dataplane.stations.flatMap((s) => (s.kind === 'vm-port' ? [s.ip] : []));
    // Every VM port of seed.yaml is on a routed subnet: each is asked for by a router interface.
    expect(new Set(asked.map(([, , , ip]) => ip).filter((ip) => vmIps.includes(ip))).size).toBe(new Set(vmIps).size);
    const fresh = createEvaluator(model.dataplane);
    let answered = 0;
    for (const [h, ns, i, ip] of asked) {
      const got: ArpAnswer = warmed.resolveNamespaceArp(h, ns, i, ip);
      if (got.mac !== null) answered++;
      expect(JSON.stringify(got)).toBe(JSON.stringify(fresh.resolveNamespaceArp(h, ns, i, ip)));
    }
    expect(answered).toBeGreaterThan(vmIps.length / 2);
  });

  it('the warm-up traces a packet from every VM (seed.yaml, provider.yaml), or from every k-th when fewer are allowed', () => {
    for (const file of ['topologies/seed.yaml', 'topologies/provider.yaml']) {
      const model = loaded(file);
      expect(model.topology.vms.length).toBeGreaterThan(1);
      expect(traceEachVm(new Session(model))).toBe(model.topology.vms.length);
    }
    // Fewer allowed: from every k-th VM.
    const model = loaded('topologies/seed.yaml');
    const n = model.topology.vms.length;
    expect(n).toBeGreaterThan(2);
    expect(traceEachVm(new Session(model), 2)).toBe(Math.ceil(n / Math.ceil(n / 2)));
  });

  it('random valid topologies: traces the same as resolved on demand (20 topologies)', () => {
    let topologies = 0;
    fc.assert(
      fc.property(arbitraryTopology({ maxHosts: 3, maxVms: 4 }), (g) => {
        compare(modelOf(g));
        topologies++;
      }),
      { numRuns: 20, seed: 0x5eed },
    );
    expect(topologies).toBe(20);
  }, 120_000);
});
