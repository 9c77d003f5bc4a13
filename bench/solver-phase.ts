// The solver layers in the benchmark: Z3 start-up, verify-all wall time, and `query` p50/p95 once
// loaded. Verify-all is `runVerify` with the built-in properties and no user properties — what
// `netproof verify TOPOLOGY` does before formatting; each property is also timed on its own
// (a second pass) to show where the time goes. Each measurement is returned on
// its own, so the caller can record one before the next starts (a solver that runs out of memory
// aborts the whole process). The caller shuts Z3 down.
import type { LoadedModel } from './measure.ts';
import type { VerifyContext } from '../src/questions/property.ts';
import { getZ3 } from '../src/smt/index.ts';
import { BUILTIN_PROPERTIES } from '../src/questions/properties/index.ts';
import { runQuery } from '../src/questions/query.ts';
import { runVerify } from '../src/questions/verify.ts';
import { percentile, samplePairs, timedAsync } from './stats.ts';

/** Z3's own timeout per check, as `netproof verify` uses by default. */
const TIMEOUT_MS = 10_000;

export interface VerifyFigures {
  readonly z3StartMs: number;
  /** Wall time of verify-all once Z3 is up. */
  readonly verifyMs: number;
  readonly properties: readonly string[];
  readonly results: number;
  readonly unknown: number;
  /** Per property id, the wall time of its check alone (the second pass). */
  readonly perProperty: Readonly<Record<string, number>>;
  /** Peak RSS of the process so far. */
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
  const verify = await timedAsync(() => runVerify(ctx, BUILTIN_PROPERTIES, []));
  const perProperty: Record<string, number> = {};
  // A fresh context per property: the properties share explorations cached per context, and a
  // reused one would time only what the first pass left undone. A fresh dataplane object too (the
  // same contents): the symbolic walkers, with their ARP answers and explorations, are cached per
  // dataplane object, and the first pass's would make the second look cheaper than a cold run.
  if (perPropertyPass) for (const p of BUILTIN_PROPERTIES) perProperty[p.id] = (await timedAsync(() => runVerify({ ...ctx, dataplane: { ...m.dataplane } }, [p], []))).ms;
  return {
    z3StartMs: z3.ms,
    verifyMs: verify.ms,
    properties: BUILTIN_PROPERTIES.map((p) => p.id),
    results: verify.value.results.length,
    unknown: verify.value.summary.unknown,
    perProperty,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/** `query --proto tcp --dport 22` over a fixed sample of VM pairs; Z3 is started if it is not yet. */
export async function measureQueries(m: LoadedModel, pairs: number): Promise<QueryFigures> {
  await getZ3();
  const vms = m.topology.vms.map((v) => v.name);
  const queryMs: number[] = [];
  for (const [i, j] of samplePairs(vms.length, pairs)) {
    const q = await timedAsync(() => runQuery(m.topology, m.dataplane, m.evaluator, { from: vms[i] as string, to: vms[j] as string, via: null, proto: 'tcp', dport: 22 }, TIMEOUT_MS));
    if (!q.value.ok) throw new Error(`query ${vms[i]} → ${vms[j]}: ${JSON.stringify(q.value.errors)}`);
    queryMs.push(q.ms);
  }
  return { queries: queryMs.length, queryP50: percentile(queryMs, 50), queryP95: percentile(queryMs, 95), maxRssMiB: process.resourceUsage().maxRSS / 1024 };
}
