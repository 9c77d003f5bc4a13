// A topology's model up to the IR: the topology, what its agents program (rendered) and the dataplane
// assembled from it. Kept apart from pipeline.ts, which also reads cloud directories, so that a command
// given a topology file loads no cloud reader (src/input/load-model.ts).
import type { Topology } from './topology/model.ts';
import type { Artifact } from './render/artifacts.ts';
import type { Dataplane } from './ir/dataplane.ts';
import type { CloudNote } from './cloud/notes.ts';
import type { Result } from './errors.ts';
import type { InputLimits } from './input/text-file.ts';
import { loadTopologyFile } from './topology/index.ts';
import { renderTopology } from './render/index.ts';
import { assembleDataplane } from './dataplane/assemble.ts';
import { statSync } from 'node:fs';

export interface Model {
  readonly topology: Topology;
  readonly artifacts: readonly Artifact[];
  readonly dataplane: Dataplane;
  /** For a cloud directory: what was left out or could not be read, and the verdicts it makes unknown. */
  readonly notes?: readonly CloudNote[];
}

export function modelFromTopology(topology: Topology): Model {
  const artifacts = renderTopology(topology);
  return { topology, artifacts, dataplane: assembleDataplane(topology, artifacts) };
}

/** A topology file's model. */
export function modelOfFile(file: string, limits?: InputLimits): Result<Model> {
  const topo = loadTopologyFile(file, limits);
  return topo.ok ? { ok: true, value: modelFromTopology(topo.value) } : topo;
}

/** Whether `path` names a cloud directory (docs/cloud-directory.md) rather than a topology file. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
