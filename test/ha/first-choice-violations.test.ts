// Under another choice of HA masters, anti-spoofing and security-groups take a violation the first
// choice found when its witness, sent again there, shows it again (src/questions/properties/first-choice.ts),
// instead of asking the solver for a witness of their own. On topologies/noop-ha.yaml (the noop driver:
// each port's first device is br-int, whose digest changes with the masters, so nothing is carried by
// digest) under each of its 9 choices: every subject's verdict is the one asking that choice afresh
// (an evaluator that knows no first choice) gives, and the checks made are no more than asking afresh
// only the subjects the first choice did not find violated.
import diagnostics from 'node:diagnostics_channel';
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { loadModel } from '../../src/pipeline.ts';
import { NO_SCENARIO, type Variant } from '../../src/scenario/context.ts';
import { ScenarioContexts } from '../../src/scenario/scenarios.ts';
import { diagonalVariants } from '../../src/scenario/variants.ts';
import { createEvaluator, type Evaluator } from '../../src/evaluate/index.ts';
import { antiSpoofing } from '../../src/questions/properties/anti-spoofing.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../../src/questions/property.ts';
import type { Topology } from '../../src/topology/model.ts';

afterAll(async () => { await shutdownZ3(); });

let checks = 0;
diagnostics.subscribe('netproof:z3-check', () => { checks++; });

const TIMEOUT = 10_000;

function loaded(file: string) {
  const m = loadModel(file);
  if (!m.ok) throw new Error(JSON.stringify(m.errors));
  return m.value;
}

/** Verdicts by subject, and the solver checks the property made. */
async function run(p: PropertyCheck, topology: Topology, v: Pick<Variant, 'dataplane'>, evaluator: Evaluator, owns?: (s: string) => boolean): Promise<{ verdicts: Map<string, string>; checks: number }> {
  const ctx: VerifyContext = { topology, dataplane: v.dataplane, evaluator, timeoutMs: TIMEOUT, ...(owns === undefined ? {} : { owns }) };
  const before = checks;
  const rs: readonly PropertyResult[] = await p.check(ctx);
  return { verdicts: new Map(rs.filter((r) => r.elsewhere !== true).map((r) => [r.subject, r.verdict])), checks: checks - before };
}

describe('violations taken from the first choice of masters', () => {
  for (const p of [antiSpoofing, securityGroups]) {
    it(`${p.id}, topologies/noop-ha.yaml: each choice's verdicts are those asked afresh, in fewer checks`, async () => {
      const { topology, dataplane } = loaded('test/ha/topologies/noop-ha.yaml');
      const variants = diagonalVariants(new ScenarioContexts(topology, dataplane).of(NO_SCENARIO)).variants;
      expect(variants.length).toBe(9);
      const first = await run(p, topology, variants[0]!, variants[0]!.evaluator);
      const violated = new Set([...first.verdicts].filter(([, v]) => v === 'violated').map(([s]) => s));
      expect(violated.size).toBeGreaterThanOrEqual(3);
      let taken = 0;
      let afresh = 0;
      for (const v of variants.slice(1)) {
        const got = await run(p, topology, v, v.evaluator);
        const fresh = await run(p, topology, v, createEvaluator(v.dataplane));
        expect(got.verdicts).toEqual(fresh.verdicts);
        // What asking afresh costs for the subjects the first choice did not find violated.
        const rest = await run(p, topology, v, createEvaluator(v.dataplane), (s) => !violated.has(s));
        expect(got.checks).toBeLessThanOrEqual(rest.checks);
        taken += got.checks;
        afresh += fresh.checks;
      }
      expect(taken).toBeLessThan(afresh);
    }, 300_000);
  }
});
