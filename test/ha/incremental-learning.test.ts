// Convergence per choice of HA masters learns what convergence from scratch learns. A scenario's
// variants (one per choice of masters) share what each announcer's learning walk recorded
// (src/evaluate/converge.ts), so a new choice walks only the announcers its masters add; and any
// convergence skips its passes when no walk read learned state. Held here to the reference — every
// pass walked, nothing kept (`everyPass`) — on every variant's dataplane, the MAC tables, learned flows
// and pass counts equal entry for entry and in order, on the shipped HA topologies and on generated
// topologies with HA routers, in the scenario without failures, with each host down and with each
// pair of network nodes cut; the variants built in a shuffled order, so each is built on facts other
// choices left. Also where a learning walk does read learned state (a frame made unicast on its way),
// convergence walks its passes and still learns what the reference learns.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadModel, type Model } from '../../src/pipeline.ts';
import { arbitraryTopology, modelOf } from '../../src/testing/index.ts';
import { AnnouncerFacts, createEvaluator } from '../../src/evaluate/index.ts';
import { FactRecorder } from '../../src/evaluate/state.ts';
import { ScenarioContext, type ScenarioSpec } from '../../src/scenario/context.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import type { Flow } from '../../src/ir/openflow.ts';

const SEED = 8808;
/** Generated topologies kept (those with an HA router); at most this many drawn. */
const WANTED = 12;
const DRAWN = 120;
/** Variants built per scenario, at most. */
const MAX_CHOICES = 8;

const spec = (down: string[], cuts: [string, string][] = []): ScenarioSpec => ({ failures: { down, cuts }, pins: new Map() });

/** The scenario without failures, each host down, each pair of network nodes cut. */
function scenariosOf(m: Model): ScenarioSpec[] {
  const nodes = m.topology.hosts.filter((h) => h.network).map((h) => h.name);
  const cuts = nodes.flatMap((a, i) => nodes.slice(i + 1).map((b) => [a, b] as [string, string]));
  return [spec([]), ...m.topology.hosts.map((h) => spec([h.name])), ...cuts.map((c) => spec([], [c]))];
}

/** Every choice of masters (one state index per group), up to `max`, in an order shuffled by `seed`. */
function choicesOf(ctx: ScenarioContext, max: number, seed: number): number[][] {
  let out: number[][] = [[]];
  for (const states of ctx.states) out = out.flatMap((c) => Array.from({ length: Math.max(1, states.length) }, (_, i) => [...c, i])).slice(0, max);
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Tally { scenarios: number; variants: number; shared: number }

/** Checks every variant of every scenario of `m` against the reference; counts what it checked. */
function holdToReference(m: Model, name: string, tally: Tally): void {
  for (const [k, s] of scenariosOf(m).entries()) {
    const ctx = new ScenarioContext(m.topology, m.dataplane, s);
    if (ctx.groups.length === 0) continue;
    tally.scenarios++;
    for (const choice of choicesOf(ctx, MAX_CHOICES, SEED + k)) {
      const v = ctx.variant(choice);
      const reference = createEvaluator(v.dataplane, { everyPass: true }).converged;
      expect(v.evaluator.converged, `${name}, ${JSON.stringify(s.failures)}, choice ${choice.join(',')}`).toEqual(reference);
      tally.variants++;
    }
    // The variants recorded their announcers' walks into the scenario's shared facts (none read learned state).
    if (ctx.learned.size > 0) tally.shared++;
  }
}

describe('convergence per choice of masters equals convergence from scratch', () => {
  for (const file of ['topologies/ha.yaml', 'test/ha/topologies/ha-all.yaml']) {
    it(file, () => {
      const m = loadModel(new URL(`../../${file}`, import.meta.url).pathname);
      if (!m.ok) throw new Error(JSON.stringify(m.errors));
      const tally: Tally = { scenarios: 0, variants: 0, shared: 0 };
      holdToReference(m.value, file, tally);
      expect(tally.scenarios).toBeGreaterThan(3);
      expect(tally.variants).toBeGreaterThan(tally.scenarios);
      expect(tally.shared).toBe(tally.scenarios);
    });
  }

  it(`generated topologies with HA routers (seed ${SEED}, up to ${WANTED} of ${DRAWN} drawn)`, () => {
    const tally: Tally = { scenarios: 0, variants: 0, shared: 0 };
    let kept = 0;
    for (const [i, g] of fc.sample(arbitraryTopology({ maxHosts: 4, minRouters: 1, minVms: 2 }), { numRuns: DRAWN, seed: SEED }).entries()) {
      if (kept === WANTED) break;
      const m = modelOf(g, `generated-${SEED}-${i}.yaml`);
      if (!m.topology.routers.some((r) => r.ha !== null)) continue;
      kept++;
      holdToReference(m, `generated-${SEED}-${i}`, tally);
    }
    console.log(`incremental learning: ${kept} generated HA topologies, ${tally.scenarios} scenarios, ${tally.variants} variants held to the reference`);
    expect(kept).toBeGreaterThanOrEqual(WANTED / 2);
    expect(tally.variants).toBeGreaterThan(2 * kept);
    expect(tally.shared).toBe(tally.scenarios);
  });

  it('a learning walk that reads learned state makes convergence walk its passes, to the same tables', () => {
    const m = loadModel(new URL('../../topologies/ha.yaml', import.meta.url).pathname);
    if (!m.ok) throw new Error(JSON.stringify(m.errors));
    // Every broadcast entering br-int is made unicast to the MAC announced last (a namespace's): the
    // NORMAL decision after it looks that MAC up, a read of what was learned, which finds nothing
    // before that MAC was announced and its port after.
    const dp = m.value.dataplane;
    const target = dp.hosts.flatMap((h) => h.namespaces.flatMap((ns) => ns.interfaces.filter((i) => i.addresses.length > 0))).at(-1)!.mac;
    const unicast: Dataplane = {
      ...dp,
      hosts: dp.hosts.map((h) => ({
        ...h,
        ovsBridges: h.ovsBridges.map((b) => {
          if (b.name !== 'br-int') return b;
          const first = b.flows.find((f) => f.table === 0)!;
          const rewrite: Flow = { ...first, priority: 65000, match: { dl_dst: { mac: 'ff:ff:ff:ff:ff:ff', mask: null } }, actions: [{ kind: 'mod_dl_dst', mac: target }, { kind: 'normal' }] };
          return { ...b, flows: [rewrite, ...b.flows] };
        }),
      })),
    };
    const kept = new AnnouncerFacts();
    const recorded = createEvaluator(unicast, { learned: kept }).converged;
    expect(recorded).toEqual(createEvaluator(unicast, { everyPass: true }).converged);
    // Recording stopped at the first walk that read: its facts and the later ones were not kept.
    const keptPlain = new AnnouncerFacts();
    const plain = createEvaluator(dp, { learned: keptPlain }).converged;
    expect(plain).toEqual(createEvaluator(dp, { everyPass: true }).converged);
    expect(kept.size).toBeLessThan(keptPlain.size);
    expect(recorded.fdb).not.toEqual(plain.fdb);
  });

  it('a recorded walk counts every MAC table lookup as a read, and finds nothing', () => {
    const r = new FactRecorder();
    expect(r.lookup('h', 'br-int', 1, 'fa:16:3e:00:00:01')).toBeNull();
    r.noteRead();
    expect(r.reads).toBe(2);
    expect(r.learnedFlowsOf()).toEqual([]);
  });
});
