// Random valid topologies for property tests (netproof/testing): the fast-check arbitrary of topology
// files, each built from a small core (spec.ts → build.ts) so a failing case shrinks to a small one,
// and the helpers that turn a generated file into what the rest of netproof works on.
import type fc from 'fast-check';
import type { TopologyFile } from '../topology/schema.ts';
import type { Topology } from '../topology/model.ts';
import { loadTopologyText } from '../topology/index.ts';
import { formatInputError } from '../errors.ts';
import { modelFromTopology, type Model } from '../pipeline.ts';
import { buildTopology } from './build.ts';
import { topologySpec, type TopologyBounds } from './spec.ts';
import { topologyYaml } from './yaml.ts';

/** A generated topology: the file as written and, for failure messages, the core it was built from. */
export interface GeneratedTopology {
  readonly file: TopologyFile;
  /** The YAML text of `file`, as a regression test stores it. */
  readonly yaml: string;
}

/**
 * Random valid topologies (DESIGN §2): 1–6 hosts in compute and network roles, 1–4 projects, flat,
 * VLAN, VXLAN and GRE networks with overlapping CIDRs across projects, shared and external networks,
 * routers with and without SNAT, extra routes, several routers on a subnet, floating IPs, security
 * groups with random rules, VMs with several ports, allowed address pairs, port security off,
 * `arp_responder` and `l2_population` on and off, every release boundary of the templates.
 * Shrinks towards fewer objects and the first choice of each kind (VXLAN, the `compute` role…).
 */
export function arbitraryTopology(bounds: TopologyBounds = {}): fc.Arbitrary<GeneratedTopology> {
  return topologySpec(bounds).map((spec) => {
    const file = buildTopology(spec);
    return { file, yaml: topologyYaml(file) };
  });
}

/** Loads a generated topology; throws with the loader's errors (a generator bug) when it does not load. */
export function loadGenerated(g: GeneratedTopology | string, name = 'generated.yaml'): Topology {
  const text = typeof g === 'string' ? g : g.yaml;
  const r = loadTopologyText(text, name);
  if (!r.ok) throw new Error(`a generated topology does not load:\n${r.errors.map(formatInputError).join('\n')}\n${text}`);
  return r.value;
}

/** Renders, parses back and assembles a generated topology (the pipeline of DESIGN §1). */
export function modelOf(g: GeneratedTopology | string, name = 'generated.yaml'): Model {
  return modelFromTopology(loadGenerated(g, name));
}
