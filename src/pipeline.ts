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

export interface Model {
  readonly topology: Topology;
  readonly artifacts: readonly Artifact[];
  readonly dataplane: Dataplane;
}

export function modelFromTopology(topology: Topology): Model {
  const artifacts = renderTopology(topology);
  return { topology, artifacts, dataplane: assembleDataplane(topology, artifacts) };
}

export function loadModel(file: string, limits?: InputLimits): Result<Model> {
  const topo = loadTopologyFile(file, limits);
  return topo.ok ? { ok: true, value: modelFromTopology(topo.value) } : topo;
}
