// The converse: random first packets the evaluator delivers are found feasible by the solver, with the
// same final headers (test/fuzz/properties/concrete-agreement.ts), on random topologies from a pinned
// seed. `npm run fuzz` runs longer campaigns.
import { afterAll, describe } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { fuzzCase } from './suite.ts';

afterAll(async () => { await shutdownZ3(); });

describe('evaluator ≡ solver on random concrete packets', () => {
  fuzzCase('concrete-agreement', 120, 9101, 600_000);
});
