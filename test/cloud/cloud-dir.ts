// Helpers for tests that build cloud directories: write a set of files under a fresh temp dir, the
// API view of a shipped topology (src/cloud/generate/api.ts), and what the API reader makes of one.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { topologyToApi } from '../../src/cloud/generate/api.ts';
import { formatInputError } from '../../src/errors.ts';
import { loadApiTopology } from '../../src/cloud/api/load.ts';
import { readApi } from '../../src/cloud/api/read.ts';
import { loadTopologyFile } from '../../src/topology/index.ts';
import type { Topology } from '../../src/topology/model.ts';
import { repoRoot } from '../fixtures/samples.ts';

export function shippedTopology(name: string): Topology {
  const r = loadTopologyFile(join(repoRoot, 'topologies', `${name}.yaml`));
  if (!r.ok) throw new Error(`${name}.yaml does not load:\n${r.errors.map(formatInputError).join('\n')}`);
  return r.value;
}

/** Writes `files` (path under the dir → text) into a new temp dir and returns it. */
export function writeCloud(files: ReadonlyMap<string, string>, prefix = 'npcloud-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [p, text] of files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

/** The API files of a topology, editable: path → parsed JSON. */
export function apiOf(topo: Topology): Map<string, unknown> {
  return new Map([...topologyToApi(topo)].map(([p, t]) => [p, JSON.parse(t) as unknown]));
}

export function serialise(files: ReadonlyMap<string, unknown>): Map<string, string> {
  return new Map([...files].map(([p, v]) => [p, typeof v === 'string' ? v : `${JSON.stringify(v, null, 2)}\n`]));
}

/** The topology and notes the API reader makes of the cloud directory `dir`; throws on an input error. */
export function loadCloudApi(dir: string): { topology: Topology; notes: readonly { message: string; taints: readonly string[]; file: string; line: number }[] } {
  const view = readApi(dir);
  if (!view.ok) throw new Error(view.errors.map(formatInputError).join('\n'));
  const loaded = loadApiTopology(dir, view.value);
  if (!loaded.ok) throw new Error(loaded.errors.map(formatInputError).join('\n'));
  return { topology: loaded.value.topology, notes: loaded.value.api.notes };
}
