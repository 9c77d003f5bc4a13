// How the devices of a Dataplane are wired: device lookup by (host, name), the far end of a port
// (links of every kind, patch peers), the physnet wire a NIC is plugged into, the tunnel port at the
// other end of the underlay, and the stations. Both engines walk this one graph; built once per
// evaluator and once per symbolic walker.
// Guarantees: lookups are by exact name; an endpoint on no link, wire or tunnel has no far end (the
// walker then drops the copy there, quietly: nothing is attached). Under a failure scenario
// (`Dataplane.failures`) a cut underlay connection carries nothing either way, on a tunnel or a wire,
// and a host that is down has no devices to arrive at.
import type { Dataplane, Endpoint, HostDataplane, LinuxBridge, Namespace, Station, Wire } from '../ir/dataplane.ts';
import type { OvsBridge, OvsPort } from '../ir/openflow.ts';

export type VmStation = Extract<Station, { kind: 'vm-port' }>;
export type OutsideStation = Extract<Station, { kind: 'outside' }>;

/** The outside world's router beyond one network: its MAC, VLAN and every gateway address it holds. */
export interface UpstreamRouter {
  readonly network: string;
  readonly physnet: string;
  readonly vlan: number | null;
  readonly mac: string;
  readonly gateways: readonly string[];
  /** Its outside stations, one per subnet with a gateway address (the subnets it routes back onto: src/semantics/upstream.ts). */
  readonly stations: readonly OutsideStation[];
}

export type DeviceRef =
  | { readonly kind: 'ovs'; readonly host: string; readonly bridge: OvsBridge }
  | { readonly kind: 'lb'; readonly host: string; readonly bridge: LinuxBridge }
  | { readonly kind: 'ns'; readonly host: string; readonly ns: Namespace }
  | { readonly kind: 'vm'; readonly host: string; readonly vm: string };

/** The device name a VM's NIC end of a `vif` link uses. */
export const vmDevice = (vm: string) => `vm:${vm}`;

const key = (...parts: string[]) => parts.join('\u0000');

// Maps keyed by (host, device) and (host, device, port) one level per part: walks look devices and
// far ends up per copy of every packet, and a joined string key would be built per lookup.
type ByDevice<V> = Map<string, Map<string, V>>;
type ByPort<V> = Map<string, Map<string, Map<string, V>>>;

function setDevice<V>(m: ByDevice<V>, host: string, device: string, v: V): void {
  let h = m.get(host);
  if (!h) m.set(host, (h = new Map()));
  h.set(device, v);
}

function setPort<V>(m: ByPort<V>, host: string, device: string, port: string, v: V): void {
  let h = m.get(host);
  if (!h) m.set(host, (h = new Map()));
  let d = h.get(device);
  if (!d) h.set(device, (d = new Map()));
  d.set(port, v);
}

export class TopologyIndex {
  private readonly devices: ByDevice<DeviceRef> = new Map();
  private readonly peers: ByPort<Endpoint> = new Map();
  private readonly wires: ByPort<Wire> = new Map();
  private readonly hosts = new Map<string, HostDataplane>();
  private readonly hostByTunnelIp = new Map<string, HostDataplane>();
  // Stations and wires by what walks ask for per packet: each the first (or all, in order) of what a
  // scan of dp.stations / dp.wires would find.
  private readonly wireByPhysnet = new Map<string, Wire>();
  private readonly outsideByPhysnet = new Map<string, OutsideStation[]>();
  private readonly upstreamByPhysnet = new Map<string, readonly UpstreamRouter[]>();
  private readonly vmStations = new Map<string, VmStation>();
  /** Prefix length → port-id prefix → the first VM station whose id starts so (built per length asked). */
  private readonly byPortPrefix = new Map<number, Map<string, VmStation>>();
  /** `${host}\0${type}\0${remoteIp}` → the first tunnel port of that type towards remoteIp on host, bridges in order. */
  private readonly tunnelPorts = new Map<string, Endpoint>();
  private readonly cuts = new Set<string>();
  private readonly down: ReadonlySet<string>;

  constructor(readonly dp: Dataplane) {
    this.down = new Set(dp.failures?.down ?? []);
    for (const [a, b] of dp.failures?.cuts ?? []) this.cuts.add(key(a, b)).add(key(b, a));
    for (const h of dp.hosts) {
      this.hosts.set(h.name, h);
      if (h.tunnelIp !== null) this.hostByTunnelIp.set(h.tunnelIp, h);
      for (const b of h.ovsBridges) {
        for (const p of b.ports) {
          const k = key(h.name, p.type, p.remoteIp ?? '');
          if (p.remoteIp !== null && !this.tunnelPorts.has(k)) this.tunnelPorts.set(k, { host: h.name, device: b.name, port: p.name });
        }
      }
      for (const b of h.ovsBridges) setDevice(this.devices, h.name, b.name, { kind: 'ovs', host: h.name, bridge: b });
      for (const b of h.linuxBridges) setDevice(this.devices, h.name, b.name, { kind: 'lb', host: h.name, bridge: b });
      for (const n of h.namespaces) setDevice(this.devices, h.name, n.name, { kind: 'ns', host: h.name, ns: n });
      // Patch ports name their peer; a `patch` link, when given, says the same thing.
      for (const b of h.ovsBridges) {
        for (const p of b.ports) {
          if (p.type !== 'patch' || p.peer === null) continue;
          const other = h.ovsBridges.find((ob) => ob.ports.some((op) => op.name === p.peer));
          if (other) setPort(this.peers, h.name, b.name, p.name, { host: h.name, device: other.name, port: p.peer });
        }
      }
    }
    for (const s of dp.stations) {
      if (s.kind === 'vm-port') {
        setDevice(this.devices, s.host, vmDevice(s.vm), { kind: 'vm', host: s.host, vm: s.vm });
        const k = key(s.vm, String(s.index));
        if (!this.vmStations.has(k)) this.vmStations.set(k, s);
      } else {
        const l = this.outsideByPhysnet.get(s.physnet);
        if (l) l.push(s);
        else this.outsideByPhysnet.set(s.physnet, [s]);
      }
    }
    for (const w of dp.wires) if (!this.wireByPhysnet.has(w.physnet)) this.wireByPhysnet.set(w.physnet, w);
    for (const l of dp.links) {
      setPort(this.peers, l.a.host, l.a.device, l.a.port, l.b);
      setPort(this.peers, l.b.host, l.b.device, l.b.port, l.a);
    }
    for (const w of dp.wires) for (const m of w.members) setPort(this.wires, m.host, m.device, m.port, w);
  }

  device(host: string, name: string): DeviceRef | null {
    return this.devices.get(host)?.get(name) ?? null;
  }

  host(name: string): HostDataplane | null {
    return this.hosts.get(name) ?? null;
  }

  /** The far end of a link or patch pair. */
  peer(host: string, device: string, port: string): Endpoint | null {
    return this.peers.get(host)?.get(device)?.get(port) ?? null;
  }

  wireOf(host: string, device: string, port: string): Wire | null {
    return this.wires.get(host)?.get(device)?.get(port) ?? null;
  }

  /**
   * The tunnel port a packet sent out of `port` arrives on: on the host whose tunnelIp is the port's
   * remoteIp, the port of the same type whose remoteIp is the sender's tunnel address.
   */
  tunnelPeer(host: string, port: OvsPort): Endpoint | null {
    const local = this.hosts.get(host)?.tunnelIp ?? port.localIp;
    if (port.remoteIp === null || local === null) return null;
    const remote = this.hostByTunnelIp.get(port.remoteIp);
    if (!remote) return null;
    return this.tunnelPorts.get(key(remote.name, port.type, local)) ?? null;
  }

  /** Why the underlay carries nothing from `from` to `to` in this scenario (a cut, a host down); null when it does. */
  underlayBlocked(from: string, to: string): string | null {
    if (this.down.has(to)) return `${to} is down`;
    if (this.cuts.has(key(from, to))) return `the underlay between ${from} and ${to} is cut`;
    return null;
  }

  /** Why a host is unreachable by tunnel from `from`: the tunnel port's remote host is down or cut off. */
  tunnelBlocked(host: string, port: OvsPort): string | null {
    const remote = port.remoteIp === null ? undefined : this.hostByTunnelIp.get(port.remoteIp);
    return remote ? this.underlayBlocked(host, remote.name) : null;
  }

  /** The members of a wire a frame sent from `from` (null: from the outside world) reaches: all others not cut off from it. */
  wireTargets(wire: Wire, from: Endpoint | null): readonly Endpoint[] {
    return wire.members.filter((m) => !(from && m.host === from.host && m.device === from.device && m.port === from.port) && (from === null || this.underlayBlocked(from.host, m.host) === null));
  }

  wireOfPhysnet(physnet: string): Wire | null {
    return this.wireByPhysnet.get(physnet) ?? null;
  }

  /** The upstream router an outside station is one subnet of. */
  upstreamOf(s: OutsideStation): UpstreamRouter | null {
    return this.upstreamRouters(s.physnet).find((u) => u.network === s.network) ?? null;
  }

  outsideStations(physnet: string): readonly OutsideStation[] {
    return this.outsideByPhysnet.get(physnet) ?? [];
  }

  /**
   * The upstream routers on a physnet: one per network (DESIGN §2), however many subnets give it a
   * gateway address — each subnet is an outside station, and the one router behind them holds them all
   * (a frame to its MAC is taken once, an ARP request for any of them answered).
   */
  upstreamRouters(physnet: string): readonly UpstreamRouter[] {
    let known = this.upstreamByPhysnet.get(physnet);
    if (!known) this.upstreamByPhysnet.set(physnet, (known = this.upstreamRoutersOf(physnet)));
    return known;
  }

  private upstreamRoutersOf(physnet: string): readonly UpstreamRouter[] {
    const byNetwork = new Map<string, { station: OutsideStation; gateways: string[]; stations: OutsideStation[] }>();
    for (const s of this.outsideStations(physnet)) {
      const u = byNetwork.get(s.network);
      if (u) {
        u.gateways.push(s.gateway);
        u.stations.push(s);
      } else byNetwork.set(s.network, { station: s, gateways: [s.gateway], stations: [s] });
    }
    return [...byNetwork.values()].map(({ station, gateways, stations }) => ({ network: station.network, physnet, vlan: station.vlan, mac: station.mac, gateways, stations }));
  }

  vmStation(vm: string, index: number): VmStation | null {
    return this.vmStations.get(key(vm, String(index))) ?? null;
  }

  /** The VM port whose id starts with `prefix` (tap/qvb device names carry the first 11 characters). */
  stationByPortPrefix(prefix: string): VmStation | null {
    if (prefix.length === 0) return null;
    let m = this.byPortPrefix.get(prefix.length);
    if (!m) {
      m = new Map();
      for (const s of this.dp.stations) {
        if (s.kind !== 'vm-port' || s.portId.length < prefix.length) continue;
        const k = s.portId.slice(0, prefix.length);
        if (!m.has(k)) m.set(k, s);
      }
      this.byPortPrefix.set(prefix.length, m);
    }
    return m.get(prefix) ?? null;
  }
}
