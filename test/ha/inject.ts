// Faults injected into the rendered artifacts of a topology, as a collected cloud would carry them
// (a keepalived.conf that lost a line, two routers with one VRID, a rule that drops VRRP), then
// assembled into the dataplane the model reads.
import { loadTopologyFile } from '../../src/topology/index.ts';
import type { Topology } from '../../src/topology/model.ts';
import { renderTopology } from '../../src/render/index.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import { deviceName } from '../../src/render/names.ts';

export function loadTopo(path: string): Topology {
  const r = loadTopologyFile(path);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

/** The dataplane of `topo` after `edit` rewrote the text of each artifact it returns a new text for. */
export function injected(topo: Topology, edit: (path: string, text: string) => string | null): Dataplane {
  const arts = renderTopology(topo).map((a) => {
    const t = edit(a.path, a.text);
    return t === null ? a : { ...a, text: t };
  });
  return assembleDataplane(topo, arts);
}

/** The qrouter namespace of a router, by name. */
export function nsOf(topo: Topology, router: string): string {
  const r = topo.routers.find((x) => x.name === router);
  if (!r) throw new Error(`no router ${router}`);
  return deviceName.qrouter(r.id);
}

/** Rewrites `router`'s keepalived.conf on every host to VRID `vrid` (name, id and primary VIP). */
export function withVrid(topo: Topology, router: string, vrid: number): (path: string, text: string) => string | null {
  const ns = nsOf(topo, router);
  return (path, text) =>
    path.endsWith(`/${ns}.keepalived.conf`)
      ? text.replace(/VR_\d+/, `VR_${vrid}`).replace(/virtual_router_id \d+/, `virtual_router_id ${vrid}`).replace(/169\.254\.0\.\d+\/24/, `169.254.0.${vrid}/24`)
      : null;
}
