// Render (Linux side): everything the hybrid iptables firewall, the L3 agent and the DHCP agent
// program on every host, as artifacts in the real tools' formats with per-line provenance:
// per compute host (or host with VM ports) iptables-save, ipset-save and brctl-show of the root
// namespace; per router its qrouter- namespace; per DHCP-enabled network its qdhcp- namespace.
import type { Topology } from '../../topology/model.ts';
import type { Artifact } from '../artifacts.ts';
import { renderDhcpNamespaces } from './dhcp.ts';
import { hasHybridFirewall, renderHybridHost } from './hybrid.ts';
import { renderRouters } from './l3.ts';

export { conntrackZone, conntrackZones } from './zones.ts';
export { releaseRank } from './release.ts';

/** All Linux-side artifacts of a topology, hosts in topology order. */
export function renderLinuxArtifacts(topo: Topology): Artifact[] {
  const out: Artifact[] = [];
  for (const h of topo.hosts) {
    if (hasHybridFirewall(topo, h.name)) out.push(...renderHybridHost(topo, h.name));
  }
  out.push(...renderRouters(topo), ...renderDhcpNamespaces(topo));
  return out;
}
