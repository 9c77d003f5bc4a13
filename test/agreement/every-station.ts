// The check several topology-specific tests make: from every station of a model, every feasible end
// the solver finds is replayed through the evaluator and agrees (test/fuzz/agreement.ts
// `symbolicAgreement`), with more than a few ends compared and none left unknown.
import { expect } from 'vitest';
import type { Model } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { symbolicAgreement, zeroCounts } from '../fuzz/agreement.ts';

export async function expectEveryStationAgrees(m: Model): Promise<void> {
  const ev = createEvaluator(m.dataplane, { limits: { maxBranches: 100_000 } });
  const counts = zeroCounts();
  const ds = await symbolicAgreement(m, ev, m.dataplane.stations, { timeoutMs: 10_000 }, counts);
  expect(ds).toEqual([]);
  expect(counts.compared).toBeGreaterThan(20);
  expect(counts.unknown).toBe(0);
}
