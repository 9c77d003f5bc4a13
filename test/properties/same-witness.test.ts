// The same violation, the same witness, whatever the process asked Z3 before: a witness's fields that
// the property and the preferences leave free are settled to values of the question's alone
// (src/smt/settle-witness.ts), and among several senders it is the first in order that has one. Each case
// — a topology with a violation of its own or a faulty dataplane from the fault-injection suite — is
// verified three times in one process: on a Z3 instance started afresh, after other dataplanes'
// checks, and once more after its own; every result's witness, message and trace must be the same
// each time. (Without settling, a source address or destination the property leaves free followed the
// order terms were made and released in the instance: two-projects' nat-egress witness changed from run
// to run even in fresh processes.)
import { afterAll, expect, it } from 'vitest';
import { loadModel, type Model } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runVerify } from '../../src/questions/verify.ts';
import { natEgress } from '../../src/questions/properties/nat-egress.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { antiSpoofing } from '../../src/questions/properties/anti-spoofing.ts';
import type { PropertyCheck } from '../../src/questions/property.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import { faultSites, type FaultClass } from '../mutation/faults.ts';

afterAll(async () => { await shutdownZ3(); });

const model = (path: string): Model => {
  const r = loadModel(new URL(path, import.meta.url).pathname);
  if (!r.ok) throw new Error(`${path} does not load`);
  return r.value;
};

/** A dataplane and the properties it violates. */
interface Case { readonly name: string; readonly m: Model; readonly dp: () => Dataplane; readonly checks: readonly PropertyCheck[] }

/** The topology with the first site of a fault class applied (assembled anew on each call, as a fresh load would). */
function faulty(name: string, m: Model, cls: FaultClass, which: RegExp, checks: readonly PropertyCheck[]): Case {
  const f = faultSites(cls, m.artifacts, m.topology).find((x) => which.test(x.what));
  if (f === undefined) throw new Error(`${name}: no ${cls} site matching ${which}`);
  return { name: `${name} with ${cls}`, m, dp: () => assembleDataplane(m.topology, f.apply(m.artifacts)), checks };
}

/** Every result's verdict, witness, message and trace, as text to compare. */
async function results(c: Case): Promise<string[]> {
  const dp = c.dp();
  const r = await runVerify({ topology: c.m.topology, dataplane: dp, evaluator: createEvaluator(dp), timeoutMs: 10_000 }, c.checks, []);
  return r.results.map((x) => JSON.stringify({ p: x.property, s: x.subject, v: x.verdict, w: x.witness, m: x.message, t: x.trace }));
}

it('verify names the same witnesses after any history of the process', { timeout: 300_000 }, async () => {
  const seed = model('../../topologies/seed.yaml');
  const provider = model('../../topologies/provider.yaml');
  const twoProjects = model('../independent/topologies/two-projects.yaml');
  const cases: Case[] = [
    { name: 'two-projects', m: twoProjects, dp: () => twoProjects.dataplane, checks: [natEgress] },
    faulty('provider', provider, 'sg-rule-removed', /^compute2\/.* -m set --match-set \S+ src -j RETURN/, [securityGroups]),
    faulty('seed', seed, 'anti-spoofing-removed', /./, [antiSpoofing]),
  ];
  const other: Case = { name: 'seed', m: seed, dp: () => seed.dataplane, checks: [natEgress, securityGroups, antiSpoofing] };
  let violations = 0;
  for (const c of cases) {
    await shutdownZ3();
    const fresh = await results(c);
    await results(other);
    const afterOther = await results(c);
    const again = await results(c);
    const violated = fresh.filter((j) => (JSON.parse(j) as { v: string }).v === 'violated');
    expect(violated.length, `${c.name}: has a violation to name a witness of`).toBeGreaterThan(0);
    violations += violated.length;
    for (const [when, run] of [['after another dataplane', afterOther], ['after its own run', again]] as const) {
      const differs = run.findIndex((j, i) => j !== fresh[i]);
      expect(differs === -1 ? 'the same' : `${when}, #${differs}: ${run[differs]!.slice(0, 600)}\nagainst ${fresh[differs]!.slice(0, 600)}`, c.name).toBe('the same');
    }
  }
  console.log(`same-witness: ${cases.length} cases, ${violations} violations, each verified three times with the same witnesses`);
});
