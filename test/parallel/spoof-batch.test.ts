// A part of `verify --jobs N` proves in its first batch only the anti-spoofing of the ports its
// projects own (search.ts `narrowed`), the others only once a walk asks about one of them: on
// two-projects (2 parts) the parts' first batches together ask each port the whole run asks about
// once, each fewer than the whole run's; and every result a part checks is the whole run's result
// (without the claim, which never leaves a worker), so which ports are proved first changes no result.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline.ts';
import { Session } from '../../src/answers/session.ts';
import { checkPlan, planVerify } from '../../src/answers/verify.ts';
import { parseInputLimit } from '../../src/cli/options.ts';
import { projectSplit } from '../../src/parallel/split.ts';
import type { PropertyResult } from '../../src/questions/property.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';

afterAll(async () => {
  await shutdownZ3();
});

const FILE = 'test/properties/topologies/two-projects.yaml';

/** The run on a fresh model (part `index` of 2, or the whole run for 0): its results and the largest total each batch of spoofing proofs reported. */
async function run(index: number): Promise<{ results: PropertyResult[]; batches: Map<string, number> }> {
  const m = loadModel(FILE);
  if (!m.ok) throw new Error(FILE);
  const session = new Session(m.value);
  const plan = planVerify(session, {}, parseInputLimit(undefined));
  if (!plan.ok) throw new Error('plan');
  const batches = new Map<string, number>();
  const shard = index === 0 ? undefined : { index, count: 2, assign: projectSplit(m.value.topology, 2) };
  const results = await checkPlan(session, plan.value, {
    subjects: (_done, total, what) => {
      if (what.includes('firewalls asked about spoofing')) batches.set(what, Math.max(batches.get(what) ?? 0, total));
    },
  }, shard);
  return { results, batches };
}

const plain = (r: PropertyResult) => {
  const { claim: _claim, ...rest } = r;
  return JSON.stringify(rest);
};

describe("a part's batch of spoofing proofs", () => {
  it("holds its own projects' ports only, and the part's results are the whole run's", async () => {
    const whole = await run(0);
    const own = 'port firewalls asked about spoofing';
    const all = whole.batches.get(own) ?? 0;
    expect(all).toBeGreaterThan(1);
    const parts = [await run(1), await run(2)];
    const firsts = parts.map((p) => p.batches.get(own) ?? 0);
    for (const f of firsts) expect(f).toBeLessThan(all);
    expect(firsts[0]! + firsts[1]!).toBe(all);
    let checked = 0;
    for (const p of parts) {
      expect(p.results.length).toBe(whole.results.length);
      for (const [i, r] of p.results.entries()) {
        if (r.elsewhere === true) continue;
        checked++;
        expect(plain(r), `result ${i}`).toBe(plain(whole.results[i]!));
      }
    }
    expect(checked).toBe(whole.results.length);
  }, 120_000);
});
