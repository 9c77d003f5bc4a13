// `verify --failures N` with results carried between scenarios against the same run asking every result
// afresh, in one process on one model: for each topology file given, both runs' results compared per
// (property, subject, scenario) — verdict, message, witness — and each run's CPU time, with how many
// results were carried, per property. Not a test: at the bench sizes it takes minutes. The carry may only
// spare work (src/questions/carry.ts); any result that differs is printed and the exit code is 1.
//
//   node --import tsx bench/carry-verdicts.ts [--failures 1] [--order carry-first|fresh-first] FILE...
import { loadavg } from 'node:os';
import { loadModel } from '../src/pipeline.ts';
import { BUILTIN_PROPERTIES } from '../src/questions/properties/index.ts';
import { verifyScenarios } from '../src/answers/verify.ts';
import { scenariosOf } from '../src/scenario/scenarios.ts';
import { NO_SCENARIO } from '../src/scenario/context.ts';
import { CarryStore } from '../src/questions/carry.ts';
import type { PropertyResult } from '../src/questions/property.ts';
import { parseArgs } from 'node:util';
import { count } from './args.ts';

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const keyOf = (r: PropertyResult) => JSON.stringify([r.property, r.subject, r.scenario ?? null]);
const said = (r: PropertyResult) => JSON.stringify([r.verdict, r.message, r.witness, r.masters ?? null, r.error ?? null]);

async function one(file: string, failures: number, carryFirst: boolean): Promise<number> {
  const m = loadModel(file);
  if (!m.ok) throw new Error(`${file}: ${JSON.stringify(m.errors[0])}`);
  const { topology, dataplane } = m.value;
  const scenarios = scenariosOf(topology, NO_SCENARIO, failures);
  const run = async (carry: boolean) => {
    const store = new CarryStore();
    const load = loadavg()[0]!;
    const t = cpuMs();
    const results = await verifyScenarios(topology, dataplane, scenarios, BUILTIN_PROPERTIES, [], { timeoutMs: 10000, wanted: () => true, carry, store });
    return { results, cpu: cpuMs() - t, load, taken: store.taken };
  };
  const first = await run(carryFirst);
  const second = await run(!carryFirst);
  const [carried, fresh] = carryFirst ? [first, second] : [second, first];
  const a = new Map(fresh.results.map((r) => [keyOf(r), r]));
  const b = new Map(carried.results.map((r) => [keyOf(r), r]));
  let differ = 0;
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    if (x === undefined || y === undefined || said(x) !== said(y)) {
      differ++;
      console.log(`  DIFFERS ${k}: ${x === undefined ? 'absent' : `${x.verdict} ${x.message}`} → ${y === undefined ? 'absent' : `${y.verdict} ${y.message}`}`);
    }
  }
  const taken = [...carried.taken].map(([p, n]) => `${p} ${n}`).join(', ') || 'none';
  console.log(`${file}: ${scenarios.length} scenarios, ${fresh.results.length} results afresh, ${carried.results.length} with the carry, ${differ} differing`);
  console.log(`  CPU afresh ${(fresh.cpu / 1000).toFixed(1)} s (load ${fresh.load.toFixed(2)} at its start), with the carry ${(carried.cpu / 1000).toFixed(1)} s (load ${carried.load.toFixed(2)}); carried: ${taken}`);
  return differ;
}

async function main(): Promise<void> {
  const { values: v, positionals: files } = parseArgs({ args: process.argv.slice(2), options: { failures: { type: 'string' }, order: { type: 'string' } }, strict: true, allowPositionals: true });
  const failures = count('failures', v.failures ?? '1');
  let differ = 0;
  for (const f of files) differ += await one(f, failures, v.order !== 'fresh-first');
  console.log(`${files.length} topologies, ${differ} results differing`);
  process.exitCode = differ === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 2;
});
