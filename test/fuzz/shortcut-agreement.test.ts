// Today's answer shortcuts held to the straightforward way on random topologies, as `npm test` runs
// them (ci profile, pinned seeds, a few cases each: a side runs on a Z3 instance started afresh):
// query's concrete-first answer (query-shortcut), the walker's per-group external-address splits and
// alike-exit crossings under verify-all (walk-shortcuts), diff's concrete first solver and forced port
// (diff-shortcuts). `npm run fuzz -- --property NAME --batch 10` runs longer campaigns.
import { afterAll, describe } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { fuzzCase } from './suite.ts';

afterAll(async () => { await shutdownZ3(); });

describe('shortcuts on ≡ off on random topologies', () => {
  fuzzCase('query-shortcut', 2, 7301, 300_000);
  fuzzCase('walk-shortcuts', 1, 7310, 300_000); // a topology where both a split is reused and a crossing shared
  fuzzCase('diff-shortcuts', 1, 7303, 300_000);
});
