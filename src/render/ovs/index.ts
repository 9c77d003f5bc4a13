// The OVS agent renderer's public surface: per host, the Open vSwitch artifacts an operator would
// collect — `ovs-vsctl show`, and per bridge `ovs-ofctl dump-flows --no-stats --names` and
// `ovs-ofctl show` — built from the templates in rules/ovs-agent/. Deterministic: one topology
// always renders byte-identical text. The ofport numbering (layout.ts) is exported for the modules
// that need to resolve `in_port=N` or build OVS ports of the IR.
import type { Topology } from '../../topology/model.ts';
import type { Artifact } from '../artifacts.ts';
import { dumpFlowsArtifact } from './dump-flows.ts';
import { bridgeFlows } from './flows.ts';
import { indexTopology, type TopoIndex } from './host-view.ts';
import { bridgesFor, ofportsOf, type BridgeLayout, type HostOfports } from './layout.ts';
import { ofctlShowArtifact } from './ofctl-show.ts';
import { vsctlShowArtifact } from './vsctl-show.ts';

export type { BridgeLayout, HostOfports, LayoutPort, TunnelPeer } from './layout.ts';
export { OFPP_LOCAL, brIntDevice } from './layout.ts';
export { releaseOrdinal, intPipeline } from './release.ts';

function hostOf(ix: TopoIndex, host: string) {
  const h = ix.host.get(host);
  if (!h) throw new Error(`no host ${host} in the topology`);
  return h;
}

/** The OVS bridges of `host` with their ports and ofports (see layout.ts for the numbering). */
export function ovsBridgesFor(topo: Topology, host: string): BridgeLayout[] {
  const ix = indexTopology(topo);
  return bridgesFor(ix, hostOf(ix, host));
}

/** Bridge name → port name → ofport on `host` (a bridge's own LOCAL port is 65534). */
export function ofportsFor(topo: Topology, host: string): HostOfports {
  return ofportsOf(ovsBridgesFor(topo, host));
}

/** Every host's OVS artifacts, host by host in `topo.hosts` order. */
export function renderOvsArtifacts(topo: Topology): Artifact[] {
  const ix = indexTopology(topo);
  return topo.hosts.flatMap((h) => {
    const bridges = bridgesFor(ix, h);
    return [
      vsctlShowArtifact(h.name, bridges),
      ...bridges.flatMap((b) => [dumpFlowsArtifact(h.name, b.name, bridgeFlows(ix, h, b)), ofctlShowArtifact(h.name, b)]),
    ];
  });
}
