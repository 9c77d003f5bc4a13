// Shared helpers of the OVS renderer tests: load a topology through the real loader and pick
// artifacts and flow lines out of a render.
import { loadTopologyFile } from '../../src/topology/index.ts';
import type { Topology } from '../../src/topology/model.ts';
import type { Artifact } from '../../src/render/artifacts.ts';

export function load(path: string): Topology {
  const r = loadTopologyFile(path);
  if (!r.ok) throw new Error(`cannot load ${path}: ${JSON.stringify(r.errors)}`);
  return r.value;
}

export function artifact(arts: readonly Artifact[], path: string): Artifact {
  const a = arts.find((x) => x.path === path);
  if (!a) throw new Error(`no artifact ${path}; have ${arts.map((x) => x.path).join(', ')}`);
  return a;
}

/** The flow lines of a bridge's dump, with the cookie prefix cut off (`table=N, ` stays when not 0). */
export function flows(arts: readonly Artifact[], host: string, bridge: string): string[] {
  return artifact(arts, `${host}/${bridge}.dump-flows`).text.trimEnd().split('\n').map((l) => l.replace(/^ cookie=0x[0-9a-f]+, /, ''));
}

export function port(topo: Topology, name: string) {
  const p = topo.ports.find((x) => x.name === name);
  if (!p) throw new Error(`no port ${name}; have ${topo.ports.map((x) => x.name).join(', ')}`);
  return p;
}

export function lvid(topo: Topology, host: string, network: string): number {
  const v = topo.localVlans[host]?.[network];
  if (v === undefined) throw new Error(`no local VLAN for ${network} on ${host}`);
  return v;
}
