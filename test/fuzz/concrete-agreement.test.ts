// The converse of the symbolic agreement (test/fuzz/properties/concrete-agreement.ts), as `npm test`
// runs it: random topologies from a pinned seed, each with random first packets built as their senders
// put them on the wire, traced by the evaluator and explored by the solver with the packet fixed.
// `npm run fuzz -- --property concrete-agreement` runs longer campaigns.
import { afterAll, describe } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { fuzzCase } from './suite.ts';

afterAll(async () => { await shutdownZ3(); });

describe('evaluator ≡ solver on random concrete packets', () => {
  fuzzCase('concrete-agreement', 150, 9101, 900_000);
});
