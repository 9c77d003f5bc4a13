// Names beside ids (docs/topology.md, Conventions: Ids): turns Neutron device names built from ids (`qbr3f2a…`, `qrouter-<id>`)
// back into the topology's own names for text output.
import type { Topology } from '../topology/model.ts';
import { deviceName } from '../render/names.ts';

export interface Labels {
  /** `vm1:0` for `qbr3f2a…`, `router1` for `qrouter-…`; null when the device has no Neutron name. */
  of(device: string): string | null;
  /** `qbr3f2a… (vm1:0)` or just the device name. */
  withName(device: string): string;
  /** The readable name of a port id. */
  port(portId: string): string | null;
  /** `router1:subnet1 192.168.1.1` for the MAC of that port, or null. */
  macOwner(mac: string): string | null;
  /** The network of a local VLAN on a host. */
  networkOfLocalVlan(host: string, vlan: number): string | null;
  /** The network of a segmentation id (VNI / VLAN). */
  networkOfSegment(kind: 'tunnel' | 'vlan', id: number): string | null;
  /** For an HA router's namespace on a host: `VRRP master` or `VRRP backup` when the masters are known, else null. */
  instanceRole(host: string, device: string): string | null;
}

/** Hosts of each HA router's masters, by its qrouter- namespace (a trace through HA routers names them). */
export type MastersByNamespace = ReadonlyMap<string, readonly string[]>;

export function labelsFor(topo: Topology, masters?: MastersByNamespace): Labels {
  const names = new Map<string, string>();
  const ports = new Map<string, string>();
  for (const p of topo.ports) {
    ports.set(p.id, p.name);
    for (const make of [deviceName.tap, deviceName.qbr, deviceName.qvb, deviceName.qvo, deviceName.qr, deviceName.qg, deviceName.ha]) names.set(make(p.id), p.name);
  }
  for (const r of topo.routers) names.set(deviceName.qrouter(r.id), r.name);
  for (const n of topo.networks) names.set(deviceName.qdhcp(n.id), `DHCP of ${n.name}`);
  const macs = new Map(topo.ports.map((p) => [p.mac, `${p.name} ${p.ip}`]));
  const of = (device: string) => names.get(device) ?? null;
  const localVlans = new Map<string, Map<number, string>>();
  // The first network of each segment, as a search in the topology's order would find it.
  const segments = new Map<string, string>();
  for (const n of topo.networks) {
    const kind = n.type === 'vxlan' || n.type === 'gre' ? 'tunnel' : n.type === 'vlan' ? 'vlan' : null;
    const key = `${kind} ${n.segmentationId}`;
    if (kind !== null && n.segmentationId !== null && !segments.has(key)) segments.set(key, n.name);
  }
  return {
    of,
    withName: (device) => {
      const n = of(device);
      return n ? `${device} (${n})` : device;
    },
    port: (id) => ports.get(id) ?? null,
    macOwner: (mac) => macs.get(mac) ?? null,
    networkOfLocalVlan: (host, vlan) => {
      let byVlan = localVlans.get(host);
      if (byVlan === undefined) {
        // Built per host on first use: a trace names a few hosts' VLANs, a large cloud has hundreds of networks per host.
        byVlan = new Map();
        for (const [net, v] of Object.entries(topo.localVlans[host] ?? {})) if (!byVlan.has(v)) byVlan.set(v, net);
        localVlans.set(host, byVlan);
      }
      return byVlan.get(vlan) ?? null;
    },
    instanceRole: (host, device) => {
      const m = masters?.get(device);
      if (m === undefined) return null;
      return m.includes(host) ? 'VRRP master' : 'VRRP backup';
    },
    networkOfSegment: (kind, id) => segments.get(`${kind} ${id}`) ?? null,
  };
}
