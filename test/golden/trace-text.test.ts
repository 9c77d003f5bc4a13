// Golden text and JSON of the walkthrough traces: what `netproof trace` prints, checked in.
import { describe, it } from 'vitest';
import { labelsFor } from '../../src/report/labels.ts';
import { traceText } from '../../src/report/trace-text.ts';
import { traceJson } from '../../src/report/trace-json.ts';
import { expectGolden } from './golden.ts';
import { modelOf, walk, WALKTHROUGHS } from './walkthroughs.ts';

for (const [variant, file] of [
  ['seed', 'topologies/seed.yaml'],
  ['seed-vlan', 'topologies/seed-vlan.yaml'],
  ['seed-noop', 'seed-noop'],
] as const) {
  describe(`trace output on ${file}`, () => {
    const labels = labelsFor(modelOf(file).model.topology);
    for (const w of WALKTHROUGHS) {
      it(`${w.name} (text)`, () => expectGolden(`traces/${variant}/${w.name}.txt`, traceText(walk(file, w.params), labels)));
      it(`${w.name} (json)`, () =>
        expectGolden(`traces/${variant}/${w.name}.json`, JSON.stringify(traceJson(walk(file, w.params), labels), null, 2)));
    }
  });
}
