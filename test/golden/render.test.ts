// Golden files of the seed topology's rendered artifacts, one file per artifact as `netproof render`
// writes them, so a change in what netproof says Neutron programs shows up line by line in review.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopologyFile } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { expectGolden, GOLDEN_DIR } from './golden.ts';

for (const name of ['seed', 'seed-vlan', 'provider', 'ha']) {
  describe(`rendered artifacts of topologies/${name}.yaml`, () => {
    const topo = loadTopologyFile(`topologies/${name}.yaml`);
    if (!topo.ok) throw new Error(JSON.stringify(topo.errors));
    const artifacts = renderTopology(topo.value);
    for (const a of artifacts) it(a.path, () => expectGolden(`render/${name}/${a.path}`, a.text));
    it('renders no artifact that has no golden file, and loses none', () => {
      if (process.env.UPDATE_GOLDEN === '1') return;
      const dir = join(GOLDEN_DIR, 'render', name);
      const golden = readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
        .sort();
      expect(artifacts.map((a) => a.path).sort()).toEqual(golden);
    });
  });
}
