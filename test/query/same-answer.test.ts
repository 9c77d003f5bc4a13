// The same query on the same model has the same answer, byte for byte, whatever the process asked before:
// a witness's fields that the question and its preferences leave free take canonical values
// (src/questions/canonical-witness.ts), not whatever Z3's model holds after the checks made before it.
// On the shipped topologies and generated ones, each topology is loaded three times in one process (a
// loaded model keeps its answers, so each asks anew) and asked the same queries in three orders — as
// listed, reversed, and every other one first — with a question on another topology asked between any
// two; every query's three answers must be one. Kinds: VM → VM tcp/22, any packet and udp/53, VM → an
// internet address tcp/443, VM → the outside world as a set (its destination address is free), the
// outside world → a floating IP tcp/22.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, type ResidentModel } from '../../src/index.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { arbitraryTopology } from '../../src/testing/index.ts';
import { queryMix } from './query-mix.ts';

const TOPOLOGIES = join(import.meta.dirname, '..', '..', 'topologies');

// The other topology questions are asked of in between; kept open for the whole file (closing the last
// open model ends Z3, and starting it again for each model below would be most of this file's time).
let other: ResidentModel | null = null;
let between = 0;
beforeAll(() => {
  const r = load(join(TOPOLOGIES, 'provider.yaml'));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  other = r.value;
});
afterAll(async () => {
  await other?.close();
  await shutdownZ3();
});

/** A question on the other topology, each time a new one (a loaded model keeps its answers). */
async function askBetween(): Promise<void> {
  const vms = other!.model.topology.vms.map((v) => v.name);
  const k = between++;
  await other!.query({ from: vms[k % vms.length]!, to: 'external', proto: 'tcp', dport: 1000 + k });
}


const orders: ((n: number) => number[])[] = [
  (n) => [...Array(n).keys()],
  (n) => [...Array(n).keys()].reverse(),
  (n) => [...Array(n).keys()].sort((a, b) => (a % 2) - (b % 2) || a - b),
];

describe('the same query, the same answer', () => {
  const sources: [string, Parameters<typeof load>[0]][] = [
    ...['seed.yaml', 'ha.yaml'].map((f): [string, string] => [f, join(TOPOLOGIES, f)]),
    ...fc.sample(arbitraryTopology({ minRouters: 1, minVms: 2 }), { numRuns: 3, seed: 1414 }).map((g, i): [string, { topology: unknown; name: string }] => [`generated #${i}`, { topology: g.file, name: `generated-${i}.yaml` }]),
  ];
  it.each(sources)('%s: asked in three orders in one process', async (_name, source) => {
    const runs: string[][] = [];
    for (const order of orders) {
      const r = load(source);
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      const m = r.value;
      try {
        const qs = queryMix(m, { senders: 3, udpAndExternal: true });
        const got: string[] = new Array<string>(qs.length);
        for (const i of order(qs.length)) {
          const a = await m.query(qs[i]!);
          got[i] = JSON.stringify(a.ok ? a.value : a.errors);
          await askBetween();
        }
        runs.push(got);
      } finally {
        await m.close();
      }
    }
    expect(runs[0]!.length).toBeGreaterThan(0);
    const brief = (j: string) => { const a = JSON.parse(j) as { verdict?: string; packet?: unknown; reason?: string }; return JSON.stringify([a.verdict, a.packet, a.reason]); };
    for (const run of runs.slice(1)) {
      const differs = run.findIndex((j, i) => j !== runs[0]![i]);
      expect(differs === -1 ? 'the same' : `#${differs}: ${brief(run[differs]!)} against ${brief(runs[0]![differs]!)}`).toBe('the same');
    }
  }, 60_000);
});
