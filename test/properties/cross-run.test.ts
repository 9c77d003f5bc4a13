// Two dataplanes in one process: a verdict must not depend on what ran before it. The case is the
// provider topology with one host's remote-group rule removed (compute2's RETURN on app2's ingress
// for its group's ipset), where security-groups must report app2:0 violated with a witness that
// replays. Asked four times, each after a run on the seed topology (as the fault-injection suite does), the faulty
// dataplane assembled anew each time: every round must
// give the same verdicts. (The solver's models differ with what the process asked before; a witness
// over several senders at once was once decoded with one sender's VLAN tag and attributed to another,
// and its replay then disagreed: `unknown` in most rounds after the seed's run.)
import { afterAll, expect, it } from 'vitest';
import { loadModel, type Model } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runVerify } from '../../src/questions/verify.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import { faultSites } from '../mutation/faults.ts';

afterAll(async () => { await shutdownZ3(); });

const model = (name: string): Model => {
  const r = loadModel(new URL(`../../topologies/${name}.yaml`, import.meta.url).pathname);
  if (!r.ok) throw new Error(`${name}.yaml does not load`);
  return r.value;
};

const verdicts = async (m: Model, dp: Dataplane) =>
  (await runVerify({ topology: m.topology, dataplane: dp, evaluator: createEvaluator(dp), timeoutMs: 10_000 }, [securityGroups], [])).results;

it('security-groups on a faulty provider dataplane gives the same verdicts alone and after another dataplane in the process', { timeout: 300_000 }, async () => {
  const seed = model('seed');
  const provider = model('provider');
  const fault = faultSites('sg-rule-removed', provider.artifacts, provider.topology).find((f) => /^compute2\/.* -m set --match-set \S+ src -j RETURN/.test(f.what));
  expect(fault, 'the remote-group rule on compute2').toBeDefined();
  const rounds: string[][] = [];
  for (let round = 0; round < 4; round++) {
    expect((await verdicts(seed, seed.dataplane)).length).toBeGreaterThan(0);
    // Assembled anew each round, as a fresh load would: nothing of an earlier round's walk is reused.
    const rs = await verdicts(provider, assembleDataplane(provider.topology, fault!.apply(provider.artifacts)));
    const app2 = rs.find((r) => r.subject === 'port:app2:0');
    // Violated only when the witness replays through the evaluator to the end the solver claims.
    expect(app2?.verdict, `round ${round}: ${app2?.message} ${app2?.error ?? ''}`).toBe('violated');
    rounds.push(rs.map((r) => `${r.subject} ${r.verdict}`));
  }
  console.log(`cross-run: ${rounds.length} rounds of security-groups on the faulty provider dataplane (the seed's run between them), ${rounds[0]!.length} results each: ${rounds[0]!.join(', ')}`);
  for (const r of rounds.slice(1)) expect(r).toEqual(rounds[0]);
});
