// `node --import tsx bench/diff-pairs.ts DIR`: writes the pairs `diff`'s answers are compared on
// between two checkouts (before and after a change to diff), one directory per pair with
// `before.yaml` and `after.yaml`: each shipped topology (topologies/*.yaml) with two changes of each
// kind that applies (test/diff/changes.ts, fixed picks rather than drawn ones, so that every checkout
// gets the same files), and the bench's sizes tiny, small and medium with the bench's change into the
// first and into the last project's group (bench/diff.ts). Then run `netproof diff DIR/x/before.yaml
// DIR/x/after.yaml --format json` from each checkout, each run a process of its own, and compare the
// outputs byte for byte (docs/performance.md says what was found).
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { topologyYaml } from '../src/testing/index.ts';
import type { TopologyFile } from '../src/topology/schema.ts';
import { applyChange, type ChangeChoice } from '../test/diff/changes.ts';
import { SIZES, generateTopologyText } from './generate.ts';
import { withOneRuleAdded } from './diff.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: bench/diff-pairs.ts DIR');
const KINDS: readonly ChangeChoice['kind'][] = ['rule-added', 'rule-removed', 'route', 'fip-removed', 'fip-moved', 'port-security'];
/** Two changes of each kind: different objects picked, different ports. */
const PICKS: readonly Omit<ChangeChoice, 'kind'>[] = [{ pick: 0, other: 0, port: 8080 }, { pick: 3, other: 1, port: 22 }];

const write = (name: string, before: string, after: string) => {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'before.yaml'), before);
  writeFileSync(join(dir, name, 'after.yaml'), after);
};
let n = 0;
for (const f of readdirSync('topologies').filter((x) => x.endsWith('.yaml')).sort()) {
  const text = readFileSync(join('topologies', f), 'utf8');
  const file = parse(text) as TopologyFile;
  for (const kind of KINDS) {
    PICKS.forEach((p, i) => {
      const c = applyChange(file, { kind, ...p });
      if (c === null) return;
      write(`${f.replace(/\.yaml$/, '')}-${kind}-${i}`, text, topologyYaml(c.file, [`# ${c.what}`]));
      n++;
    });
  }
}
for (const size of SIZES.filter((s) => ['tiny', 'small', 'medium'].includes(s.name))) {
  const text = generateTopologyText(size);
  for (const which of ['first', 'last'] as const) {
    write(`${size.name}-bench-${which}`, text, withOneRuleAdded(text, which));
    n++;
  }
}
console.log(`${n} pairs written to ${dir}`);
