// Conntrack zones of the hybrid firewall, per (host, port), for the raw-table rules and for any module
// that models conntrack. Since Queens the OVS hybrid driver gives every filtered port its own zone
// (CONNTRACK_ZONE_PER_PORT, ip_conntrack.ZONE_START = 4097), allocated in the order the agent sets
// ports up: sorted by port id. Before Queens the zone was per network, numbered from 1 in port order.
// Ports without port security get no zone. A port in stateless groups (Ussuri+) still gets its zone
// allocated (`_get_jump_rules` asks for it first) but its raw rules say `-j CT --notrack` instead.
import type { PortT, Topology } from '../../topology/model.ts';
import { releaseRank } from './release.ts';
import { portsOwnedOn, securityGroupsOfPort } from '../../topology/lookup.ts';

const ZONE_START = 4097;
/** The first release with stateless security groups (neutron 16.0.0, commit cbc473e066). */
export const STATELESS_SINCE = 'ussuri';

/** The VM ports bound to `host`, in the topology's port order. */
export function vmPortsOn(topo: Topology, host: string): PortT[] {
  return [...portsOwnedOn(topo, 'compute:nova', host)];
}

/** Port id → conntrack zone, for the filtered VM ports on `host` (empty without the hybrid firewall). */
export function conntrackZones(topo: Topology, host: string): ReadonlyMap<string, number> {
  const zones = new Map<string, number>();
  if (topo.firewallDriver !== 'iptables_hybrid') return zones;
  const filtered = vmPortsOn(topo, host).filter((p) => p.portSecurity);
  if (releaseRank(topo.release) >= releaseRank('queens')) {
    const byId = [...filtered].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    byId.forEach((p, i) => zones.set(p.id, ZONE_START + i));
  } else {
    const perNetwork = new Map<string, number>();
    for (const p of filtered) {
      if (!perNetwork.has(p.network)) perNetwork.set(p.network, perNetwork.size + 1);
      zones.set(p.id, perNetwork.get(p.network) ?? 0);
    }
  }
  return zones;
}

/** The conntrack zone of one port on one host, or null when the port has none there. */
export function conntrackZone(topo: Topology, host: string, portId: string): number | null {
  return conntrackZones(topo, host).get(portId) ?? null;
}

/**
 * Whether the hybrid firewall leaves `port` untracked (`-j CT --notrack` in raw PREROUTING,
 * iptables_firewall.py `_get_jump_rules`, since Ussuri, neutron commit cbc473e066): the `stateful`
 * flag of the first rule of the port's first group, stateful when that group has no rule. The loader
 * lets through only ports whose groups all agree on both (check-security.ts checkStatelessGroups), so
 * any group of the port answers as the first would.
 */
export function untrackedPort(topo: Topology, port: PortT): boolean {
  if (topo.firewallDriver !== 'iptables_hybrid' || !port.portSecurity) return false;
  const first = securityGroupsOfPort(topo, port)[0];
  return first !== undefined && !first.stateful && first.rules.length > 0;
}
