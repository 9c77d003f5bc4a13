// Every regression case of test/regressions/ (see its README.md), run in full with its property, and
// holding the counts its `# expect:` line names.
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { fuzzProperty } from '../fuzz/properties/index.ts';
import { parseRegression } from '../fuzz/regression-file.ts';

afterAll(async () => { await shutdownZ3(); });

const dir = new URL('.', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('regression cases found by fuzzing', () => {
  it('there are some', () => expect(files.length).toBeGreaterThan(0));
  for (const f of files) {
    it(f, async () => {
      const r = parseRegression(readFileSync(join(dir, f), 'utf8'), f);
      const p = fuzzProperty(r.property, 'campaign');
      const counts: Record<string, number> = {};
      const why = await p.check(p.fromRegression(r), counts);
      console.log(`${f}: ${r.property}: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
      expect(why).toBeNull();
      // `# expect:` names counts the case must still make (`killed flow-deleted`): a fault site that moved
      // to another line with the rendering would otherwise check some other fault, and pass.
      for (const k of (r.args.expect ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '')) expect(counts[k], `${f}: expected ${k}`).toBeGreaterThan(0);
    });
  }
});
