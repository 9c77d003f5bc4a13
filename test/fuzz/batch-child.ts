// One batch of a fuzz campaign in a process of its own (started by test/fuzz/batches.ts): cases
// FIRST..FIRST+RUNS-1 of a seed, exactly as a run of the whole seed checks them (test/fuzz/run.ts),
// shrinking a failure here. It reports each case's counts and its memory to the parent over the IPC
// channel, then its totals, failure, peak RSS and CPU time, and exits: the process, and with it the Z3
// instance it grew (which z3-solver never returns to the system), ends with the batch.
// Arguments: --property NAME --seed S --first I --runs N (all required), --no-shrink.
import { parseArgs } from 'node:util';
import { shutdownZ3, z3AllocatedBytes } from '../../src/smt/index.ts';
import type { ChildMessage } from './batch-messages.ts';
import { fuzzProperty } from './properties/index.ts';
import { runProperty } from './run.ts';

const send = (m: ChildMessage): Promise<void> =>
  new Promise((resolve, reject) => {
    if (process.send === undefined) throw new Error('batch-child.ts runs as a child process of test/fuzz/batches.ts (no IPC channel)');
    process.send(m, undefined, {}, (e) => (e ? reject(e) : resolve()));
  });

const { values } = parseArgs({ options: { property: { type: 'string' }, seed: { type: 'string' }, first: { type: 'string' }, runs: { type: 'string' }, 'no-shrink': { type: 'boolean' } }, strict: true });
const int = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`batch-child.ts: --${name} must be a non-negative integer (got ${v})`);
  return n;
};
const seed = int('seed', values.seed);
const first = int('first', values.first);
const runs = int('runs', values.runs);
const p = fuzzProperty(values.property ?? '', 'campaign');

const r = await runProperty(p, {
  runs, seed, path: String(first), shrink: values['no-shrink'] !== true,
  onCase: async (done, counts) => {
    const z3 = await z3AllocatedBytes();
    await send({ kind: 'case', done, counts, rssBytes: process.memoryUsage().rss, z3Bytes: z3 });
  },
  onShrink: (caseIndex) => send({ kind: 'shrinking', caseIndex }),
});
const cpu = process.cpuUsage();
await send({
  kind: 'end', cases: r.cases, counts: r.counts, ms: r.ms, failure: r.failure, failurePath: r.failurePath,
  // resourceUsage().maxRSS is in KiB.
  peakRssBytes: process.resourceUsage().maxRSS * 1024, cpuMs: (cpu.user + cpu.system) / 1000,
});
await shutdownZ3();
process.exit(0);
