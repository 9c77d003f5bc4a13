// The solver layers in the benchmark: Z3 start-up, verify-all wall time, and `query` p50/p95 once
// loaded. Verify-all is what `netproof verify TOPOLOGY` does before formatting: the built-in
// properties (no user properties) in the scenario without failures, under every choice of HA masters
// it needs, and the HA invariants (verify-scenario.ts); `verify --failures N` (every combination of up
// to N host failures) is timed apart, after it. Each property is also timed on its own
// (a second pass, runVerify on the rendered dataplane) to show where the time goes. Each measurement is returned on
// its own, so the caller can record one before the next starts (a solver that runs out of memory
// aborts the whole process), with its CPU time beside its wall time. The caller shuts Z3 down.
import type { LoadedModel } from './measure.ts';
import type { VerifyContext } from '../src/questions/property.ts';
import { getZ3 } from '../src/smt/index.ts';
import { BUILTIN_PROPERTIES } from '../src/questions/properties/index.ts';
import { runVerify } from '../src/questions/verify.ts';
import { runQueryIn } from '../src/questions/query-scenario.ts';
import { runQuery } from '../src/questions/query.ts';
import { verifyScenario } from '../src/questions/verify-scenario.ts';
import { scenariosOf } from '../src/scenario/scenarios.ts';
import { verifyScenarios } from '../src/answers/verify.ts';
import { NO_SCENARIO, ScenarioContext } from '../src/scenario/context.ts';
import { percentile, samplePairs, timedAsync, timedWithCpu } from './stats.ts';

/** Z3's own timeout per check, as `netproof verify` uses by default. */
const TIMEOUT_MS = 10_000;

export interface VerifyFigures {
  readonly z3StartMs: number;
  /** Wall time of verify-all once Z3 is up, and the process's CPU time meanwhile (every thread). */
  readonly verifyMs: number;
  readonly verifyCpuMs: number;
  readonly properties: readonly string[];
  readonly results: number;
  readonly unknown: number;
  readonly violated: number;
  /** Per property id, the wall time of its check alone (the second pass). */
  readonly perProperty: Readonly<Record<string, number>>;
  /** Peak RSS of the process so far. */
  readonly maxRssMiB: number;
}

/** `verify --failures N`: every scenario, the one without failures included, as the command runs them. */
export interface FailuresFigures {
  readonly failures: number;
  readonly scenarios: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly results: number;
  readonly unknown: number;
  /** Results that do not hold (violated; unknowns counted apart). */
  readonly violated: number;
  readonly maxRssMiB: number;
}

export interface QueryFigures {
  readonly queries: number;
  readonly queryP50: number;
  readonly queryP95: number;
  readonly maxRssMiB: number;
}

export async function measureVerify(m: LoadedModel, perPropertyPass: boolean): Promise<VerifyFigures> {
  const z3 = await timedAsync(() => getZ3());
  const ctx: VerifyContext = { ...m, timeoutMs: TIMEOUT_MS };
  const verify = await timedWithCpu(() => verifyScenario(m.topology, m.dataplane, NO_SCENARIO, BUILTIN_PROPERTIES, [], { timeoutMs: TIMEOUT_MS, haInvariants: true }));
  const perProperty: Record<string, number> = {};
  // A fresh context per property: the properties share explorations cached per context, and a
  // reused one would time only what the first pass left undone. A fresh dataplane object too (the
  // same contents): the symbolic walkers, with their ARP answers and explorations, are cached per
  // dataplane object, and the first pass's would make the second look cheaper than a cold run.
  if (perPropertyPass) for (const p of BUILTIN_PROPERTIES) perProperty[p.id] = (await timedAsync(() => runVerify({ ...ctx, dataplane: { ...m.dataplane } }, [p], []))).ms;
  return {
    z3StartMs: z3.ms,
    verifyMs: verify.ms,
    verifyCpuMs: verify.cpuMs,
    properties: BUILTIN_PROPERTIES.map((p) => p.id),
    results: verify.value.length,
    unknown: verify.value.filter((r) => r.verdict === 'unknown').length,
    violated: verify.value.filter((r) => r.verdict === 'violated').length,
    perProperty,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/**
 * `verify --failures N` as the command runs it (the scenarios sharing the contexts ha-failover built);
 * `onScenario` is told as each scenario ends (its index, how many, the wall and CPU milliseconds so far).
 */
export async function measureFailures(m: LoadedModel, failures: number, onScenario: (done: number, of: number, ms: number, cpuMs: number) => void = () => {}): Promise<FailuresFigures> {
  await getZ3();
  const scenarios = scenariosOf(m.topology, NO_SCENARIO, failures);
  const steps = BUILTIN_PROPERTIES.length;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const told = (done: number) => {
    const c = process.cpuUsage(c0);
    onScenario(done, scenarios.length, performance.now() - t0, (c.user + c.system) / 1000);
  };
  // A scenario has ended when the next one's first property starts.
  const step = (index: number) => {
    if (index % steps === 0 && index > 0) told(index / steps);
  };
  const all = await timedWithCpu(() => verifyScenarios(m.topology, m.dataplane, scenarios, BUILTIN_PROPERTIES, [], { timeoutMs: TIMEOUT_MS, wanted: () => true }, { step }));
  told(scenarios.length);
  return {
    failures,
    scenarios: scenarios.length,
    wallMs: all.ms,
    cpuMs: all.cpuMs,
    results: all.value.length,
    unknown: all.value.filter((r) => r.verdict === 'unknown').length,
    violated: all.value.filter((r) => r.verdict === 'violated').length,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/** `query --proto tcp --dport 22` over a fixed sample of VM pairs; Z3 is started if it is not yet. */
export async function measureQueries(m: LoadedModel, pairs: number): Promise<QueryFigures> {
  await getZ3();
  const vms = m.topology.vms.map((v) => v.name);
  const queryMs: number[] = [];
  // As `netproof query` does: with HA routers, under every choice of masters of those behind the
  // endpoints (the scenario built once, as a resident process would keep it).
  const ctx = m.topology.routers.some((r) => r.ha !== null) ? new ScenarioContext(m.topology, m.dataplane, NO_SCENARIO) : null;
  for (const [i, j] of samplePairs(vms.length, pairs)) {
    const params = { from: vms[i] as string, to: vms[j] as string, via: null, proto: 'tcp' as const, dport: 22 };
    const q = await timedAsync(async (): Promise<{ ok: boolean; errors?: unknown }> => (ctx ? runQueryIn(ctx, params, TIMEOUT_MS) : runQuery(m.topology, m.dataplane, m.evaluator, params, TIMEOUT_MS)));
    if (!q.value.ok) throw new Error(`query ${vms[i]} → ${vms[j]}: ${JSON.stringify(q.value.errors)}`);
    queryMs.push(q.ms);
  }
  return { queries: queryMs.length, queryP50: percentile(queryMs, 50), queryP95: percentile(queryMs, 95), maxRssMiB: process.resourceUsage().maxRSS / 1024 };
}
