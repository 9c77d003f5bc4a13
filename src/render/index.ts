// Render: everything Neutron's agents would program on every host of a topology, as the artifacts
// an operator would collect (src/render/artifacts.ts), in a stable order.
import type { Topology } from '../topology/model.ts';
import type { Artifact } from './artifacts.ts';
import { renderOvsArtifacts } from './ovs/index.ts';
import { renderLinuxArtifacts } from './linux/index.ts';

export type { Artifact, Artifacts, Provenance } from './artifacts.ts';
export { artifactPath } from './artifacts.ts';

/**
 * All artifacts of all hosts, sorted by path so output and golden files are stable: by UTF-16 code units,
 * the same order on every machine (a collation would follow the machine's locale), and no ICU collator to
 * start, which was a noticeable part of a trace's start-up.
 */
export function renderTopology(topo: Topology): Artifact[] {
  return [...renderOvsArtifacts(topo), ...renderLinuxArtifacts(topo)].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
