// The solver held to the evaluator on symbolic packets over random topologies (test/fuzz/properties/
// symbolic-agreement.ts), part 2 of 2 of what `npm test` runs: 150 topologies from a pinned seed,
// in two files so that they run side by side. `npm run fuzz` runs longer campaigns.
import { afterAll, describe } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { fuzzCase } from './suite.ts';

afterAll(async () => { await shutdownZ3(); });

describe('solver ≡ evaluator on symbolic packets', () => {
  fuzzCase('symbolic-agreement', 150, 9002, 900_000);
});
