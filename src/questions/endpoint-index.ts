// What resolving an endpoint looks up, indexed once per dataplane and topology: the VM ports by VM name
// and by address, the outside worlds, the addresses the cloud holds, the ports by id and floating IPs by
// port. A resident model resolves two endpoints per question; at 1,000 VMs each lookup was a scan of
// every station or port. Every list keeps the order of the one it indexes, so a lookup's first match is
// the scan's first match.
import type { Dataplane } from '../ir/dataplane.ts';
import type { OutsideStation, VmStation as VmPortStation } from '../semantics/topology-index.ts';
import type { Topology } from '../topology/model.ts';

export interface StationIndex {
  readonly portsOfVm: ReadonlyMap<string, readonly VmPortStation[]>;
  readonly portsWithIp: ReadonlyMap<string, readonly VmPortStation[]>;
  readonly outsides: readonly OutsideStation[];
  /** The networks with an outside world. */
  readonly outsideNetworks: ReadonlySet<string>;
}

export interface TopologyIndex {
  /** Addresses of the topology's ports and floating IPs. */
  readonly cloudIps: ReadonlySet<string>;
  readonly portById: ReadonlyMap<string, Topology['ports'][number]>;
  readonly floatingIpsOfPort: ReadonlyMap<string, readonly Topology['floatingIps'][number][]>;
}

const stations = new WeakMap<Dataplane, StationIndex>();
const topologies = new WeakMap<Topology, TopologyIndex>();

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function stationIndex(dp: Dataplane): StationIndex {
  let x = stations.get(dp);
  if (x === undefined) {
    const portsOfVm = new Map<string, VmPortStation[]>();
    const portsWithIp = new Map<string, VmPortStation[]>();
    const outsides: OutsideStation[] = [];
    for (const s of dp.stations) {
      if (s.kind === 'vm-port') {
        push(portsOfVm, s.vm, s);
        push(portsWithIp, s.ip, s);
      } else if (s.kind === 'outside') outsides.push(s);
    }
    x = { portsOfVm, portsWithIp, outsides, outsideNetworks: new Set(outsides.map((o) => o.network)) };
    stations.set(dp, x);
  }
  return x;
}

export function topologyIndex(topo: Topology): TopologyIndex {
  let x = topologies.get(topo);
  if (x === undefined) {
    const portById = new Map<string, Topology['ports'][number]>();
    // The first port of an id, as `find` gives it.
    for (const p of topo.ports) if (!portById.has(p.id)) portById.set(p.id, p);
    const floatingIpsOfPort = new Map<string, Topology['floatingIps'][number][]>();
    for (const f of topo.floatingIps) push(floatingIpsOfPort, f.portId, f);
    x = { cloudIps: new Set([...topo.ports.map((p) => p.ip), ...topo.floatingIps.map((f) => f.ip), ...topo.portForwardings.map((f) => f.floatingIp)]), portById, floatingIpsOfPort };
    topologies.set(topo, x);
  }
  return x;
}
