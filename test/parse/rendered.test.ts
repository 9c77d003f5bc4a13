// What netproof renders must read back completely: every artifact of the example topologies parses
// by its file name with no warning, and detection from the text alone picks the same format.
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopologyFile } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { detectFormat, parseArtifactFile } from '../../src/parse/index.ts';

const topologies = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../topologies');

describe('rendered artifacts parse back without warnings', () => {
  for (const file of readdirSync(topologies).filter((f) => f.endsWith('.yaml')).sort()) {
    it(file, () => {
      const topo = loadTopologyFile(path.join(topologies, file));
      expect(topo.ok).toBe(true);
      if (!topo.ok) return;
      const artifacts = renderTopology(topo.value);
      expect(artifacts.length).toBeGreaterThan(0);
      for (const a of artifacts) {
        const r = parseArtifactFile(a.path, a.text);
        expect(r.ok, a.path).toBe(true);
        if (!r.ok) continue;
        expect(r.value.warnings, a.path).toEqual([]);
        if (a.text.trim() !== '') expect(detectFormat(a.text), a.path).toBe(r.value.format);
      }
    });
  }
});
