// Convergence counts the copies of a NORMAL flood that end at once in a namespace in bulk (a run of
// router gateway ports on a network node's external VLAN) instead of following each
// (src/evaluate/flood-plan.ts, walk.ts). Held here to following every copy (`copyByCopy`): the MAC
// tables, learned flows and pass counts equal entry for entry and in order, both for recorded
// convergence and for every pass walked (`everyPass`), under the default limits and under small copy
// and visit limits drawn at random (so that the copy limit cuts walks short, in the middle of a run of
// counted copies too), on the 4 shipped topologies, 40 generated ones, and the small (VXLAN, VLAN, HA)
// and medium (VXLAN) bench sizes: 472 comparisons in all. Each case prints how many runs of counted
// ports its topologies have and how many of its limits cut learning short.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { loadModel } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import { arbitraryTopology, modelOf } from '../../src/testing/index.ts';
import { createEvaluator, type WalkLimits } from '../../src/evaluate/index.ts';
import { floodPlan } from '../../src/evaluate/flood-plan.ts';
import { TopologyIndex } from '../../src/semantics/topology-index.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import { SIZES, generateTopologyText } from '../../bench/generate.ts';

const SEED = 5150;
const GENERATED = 40;
/** Limits drawn per subject besides the default ones. */
const LIMITS_PER_SUBJECT = 4;

interface Tally { subjects: number; comparisons: number; runs: number; cut: number }

/** Runs of ports whose flood copies end in a namespace, two ports or more, over every bridge and VLAN. */
function runsOf(dp: Dataplane): number {
  const index = new TopologyIndex(dp);
  let n = 0;
  for (const h of dp.hosts) {
    for (const b of h.ovsBridges) {
      const vids = new Set(b.ports.map((p) => p.tag ?? 0));
      for (const vid of vids) {
        const ports = b.ports.filter((p) => p.tag === null || p.tag === vid);
        for (const s of floodPlan(index, h.name, b, ports).segments) if (s.kind === 'ends' && s.count >= 2) n++;
      }
    }
  }
  return n;
}

function holdToReference(dp: Dataplane, name: string, limits: readonly Partial<WalkLimits>[], tally: Tally): void {
  tally.subjects++;
  tally.runs += runsOf(dp);
  const full = createEvaluator(dp).converged;
  for (const l of limits) {
    const reference = createEvaluator(dp, { limits: l, copyByCopy: true, everyPass: true }).converged;
    expect(createEvaluator(dp, { limits: l }).converged, `${name}, limits ${JSON.stringify(l)}`).toEqual(reference);
    expect(createEvaluator(dp, { limits: l, everyPass: true }).converged, `${name}, every pass, limits ${JSON.stringify(l)}`).toEqual(reference);
    tally.comparisons += 2;
    // A limit that cut a walk short left something unlearned.
    if (reference.fdb.length !== full.fdb.length || reference.learnedFlows.length !== full.learnedFlows.length) tally.cut++;
  }
}

/** The default limits, then small copy and visit limits drawn from `seed`. */
function limitsFor(seed: number): Partial<WalkLimits>[] {
  const drawn = fc.sample(fc.record({ maxLeaves: fc.integer({ min: 1, max: 40 }), maxHops: fc.integer({ min: 2, max: 12 }) }), { seed, numRuns: LIMITS_PER_SUBJECT });
  return [{}, ...drawn.map((d, i) => (i % 2 === 0 ? { maxLeaves: d.maxLeaves } : d))];
}

describe('convergence counting flood copies in bulk learns what following each copy learns', () => {
  it('shipped topologies', () => {
    const tally: Tally = { subjects: 0, comparisons: 0, runs: 0, cut: 0 };
    const dir = new URL('../../topologies/', import.meta.url).pathname;
    for (const [i, f] of readdirSync(dir).filter((x) => x.endsWith('.yaml')).entries()) {
      const m = loadModel(`${dir}${f}`);
      if (!m.ok) throw new Error(JSON.stringify(m.errors));
      holdToReference(m.value.dataplane, f, limitsFor(SEED + i), tally);
    }
    console.log(`flood count: ${tally.subjects} shipped topologies, ${tally.comparisons} comparisons, ${tally.runs} runs of namespace ports, ${tally.cut} limits that cut learning`);
    expect(tally.subjects).toBeGreaterThanOrEqual(4);
    expect(tally.runs).toBeGreaterThan(0);
  });

  it(`generated topologies (seed ${SEED}, ${GENERATED} drawn)`, () => {
    const tally: Tally = { subjects: 0, comparisons: 0, runs: 0, cut: 0 };
    for (const [i, g] of fc.sample(arbitraryTopology({ minRouters: 1 }), { numRuns: GENERATED, seed: SEED }).entries()) {
      holdToReference(modelOf(g, `generated-${SEED}-${i}.yaml`).dataplane, `generated ${i}`, limitsFor(SEED + i), tally);
    }
    console.log(`flood count: ${tally.subjects} generated topologies, ${tally.comparisons} comparisons, ${tally.runs} runs of namespace ports, ${tally.cut} limits that cut learning`);
    expect(tally.subjects).toBe(GENERATED);
    expect(tally.runs).toBeGreaterThan(GENERATED / 4);
    expect(tally.cut).toBeGreaterThan(0);
  });

  it('bench sizes small (VXLAN, VLAN, HA) and medium (VXLAN)', () => {
    const tally: Tally = { subjects: 0, comparisons: 0, runs: 0, cut: 0 };
    for (const name of ['small', 'medium']) {
      const size = SIZES.find((s) => s.name === name)!;
      const kinds = name === 'small' ? ([['vxlan', false], ['vlan', false], ['vxlan', true]] as const) : ([['vxlan', false]] as const);
      for (const [tenant, ha] of kinds) {
        const t = loadTopologyText(generateTopologyText({ ...size, tenant, ha }), `${name}.yaml`);
        if (!t.ok) throw new Error(JSON.stringify(t.errors));
        // Copy limits below the routers on the external network cut an announcement's flood inside a run.
        const limits = [{}, { maxLeaves: 3 }, { maxLeaves: 17 }, { maxLeaves: 40 }];
        holdToReference(assembleDataplane(t.value, renderTopology(t.value)), `${name} ${tenant}${ha ? ' HA' : ''}`, limits, tally);
      }
    }
    console.log(`flood count: ${tally.subjects} bench topologies, ${tally.comparisons} comparisons, ${tally.runs} runs of namespace ports, ${tally.cut} limits that cut learning`);
    expect(tally.runs).toBeGreaterThan(tally.subjects);
    expect(tally.cut).toBeGreaterThan(0);
  });
});
