// Per-topology indexes the OVS renderer needs, computed once (a cloud has thousands of ports; every
// host's br-tun asks "which ports of this network live elsewhere"): networks and hosts by name, the
// ports that sit on a br-int grouped by network, the hosts each network is present on, and the
// tunnel types in use.
import type { HostT, NetworkT, PortT, Topology } from '../../topology/model.ts';

export type TunnelType = 'vxlan' | 'gre';

export interface TopoIndex {
  readonly topo: Topology;
  readonly network: ReadonlyMap<string, NetworkT>;
  readonly host: ReadonlyMap<string, HostT>;
  /** Ports with a device on some br-int (floating IP ports have none), per network, in `topo.ports` order. */
  readonly portsOfNetwork: ReadonlyMap<string, readonly PortT[]>;
  /** Ports with a device on br-int, per host, in `topo.ports` order (an HA router's qr-/qg- ports on each of its hosts). */
  readonly portsOfHost: ReadonlyMap<string, readonly PortT[]>;
  /** Hosts where the network is present (has a local VLAN), in `topo.hosts` order. */
  readonly hostsOfNetwork: ReadonlyMap<string, readonly string[]>;
  /** The tunnel types of the topology's networks, vxlan before gre. */
  readonly tunnelTypes: readonly TunnelType[];
}

/** Whether a port has a device plugged into br-int (VM, DHCP, router ports do; floating IP ports do not). */
export const plugsIntoBrInt = (p: PortT): boolean => p.deviceOwner !== 'network:floatingip';

export const isTunnelType = (t: NetworkT['type']): t is TunnelType => t === 'vxlan' || t === 'gre';

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function indexTopology(topo: Topology): TopoIndex {
  const portsOfNetwork = new Map<string, PortT[]>();
  const portsOfHost = new Map<string, PortT[]>();
  for (const p of topo.ports) {
    if (!plugsIntoBrInt(p)) continue;
    push(portsOfNetwork, p.network, p);
    for (const h of p.hosts) push(portsOfHost, h, p);
  }
  const hostsOfNetwork = new Map<string, string[]>();
  for (const h of topo.hosts) {
    for (const net of Object.keys(topo.localVlans[h.name] ?? {})) push(hostsOfNetwork, net, h.name);
  }
  const types = new Set(topo.networks.map((n) => n.type));
  return {
    topo,
    network: new Map(topo.networks.map((n) => [n.name, n])),
    host: new Map(topo.hosts.map((h) => [h.name, h])),
    portsOfNetwork,
    portsOfHost,
    hostsOfNetwork,
    tunnelTypes: (['vxlan', 'gre'] as const).filter((t) => types.has(t)),
  };
}

/** The local VLAN of `network` on `host`; the loader numbers one for every network a host has ports on. */
export function lvidOf(ix: TopoIndex, host: string, network: string): number {
  const lvid = ix.topo.localVlans[host]?.[network];
  if (lvid === undefined) throw new Error(`no local VLAN for network ${network} on host ${host}`);
  return lvid;
}

/** The networks present on `host`, in local VLAN order. */
export function networksOn(ix: TopoIndex, host: string): NetworkT[] {
  const vlans = ix.topo.localVlans[host] ?? {};
  return Object.entries(vlans)
    .sort((a, b) => a[1] - b[1])
    .map(([name]) => {
      const n = ix.network.get(name);
      if (!n) throw new Error(`local VLAN for unknown network ${name} on host ${host}`);
      return n;
    });
}

/** Whether the host runs br-tun: it has a tunnel endpoint and the topology has tunnel networks. */
export const hasBrTun = (ix: TopoIndex, h: HostT): boolean => h.tunnelIp !== null && ix.tunnelTypes.length > 0;
