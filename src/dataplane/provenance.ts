// Ties parsed rules back to why they were rendered: an Origin parsed from an artifact line gets the
// Neutron object and the agent's reason that the renderer recorded for that line.
import type { Origin } from '../ir/origin.ts';
import type { Artifact } from '../render/artifacts.ts';

export type ProvenanceIndex = ReadonlyMap<string, Artifact>;

export function indexArtifacts(artifacts: readonly Artifact[]): ProvenanceIndex {
  return new Map(artifacts.map((a) => [a.path, a]));
}

/** The origin with `neutron` and `why` filled in when the renderer recorded them for that line. */
export function withProvenance(origin: Origin, index: ProvenanceIndex): Origin {
  const p = index.get(origin.file)?.provenance.get(origin.line);
  // Written out, not spread: this runs for every parsed rule, flow and route of the cloud, and an object
  // spread with fields added was most of assembly's own time.
  return p ? { file: origin.file, line: origin.line, text: origin.text, neutron: p.neutron, why: p.why } : origin;
}
