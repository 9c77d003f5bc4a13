// The staged pipeline (README.md, How it works) up to the IR: load + validate → render → parse back → assemble.
// Each stage is a pure function; this module only chains them for the CLI and the tests.
import type { Result } from './errors.ts';
import type { Topology } from './topology/model.ts';
import type { Artifact } from './render/artifacts.ts';
import type { Dataplane } from './ir/dataplane.ts';
import { loadTopologyFile } from './topology/index.ts';
import type { InputLimits } from './input/text-file.ts';
import { renderTopology } from './render/index.ts';
import { assembleDataplane } from './dataplane/assemble.ts';
import { isCloudDirectory, loadCloud } from './cloud/load.ts';
import type { CloudNote } from './cloud/notes.ts';

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

/** A topology file, or a cloud directory (docs/cloud-directory.md). */
export function loadModel(file: string, limits?: InputLimits): Result<Model> {
  if (isCloudDirectory(file)) return loadCloud(file, limits);
  const topo = loadTopologyFile(file, limits);
  return topo.ok ? { ok: true, value: modelFromTopology(topo.value) } : topo;
}
