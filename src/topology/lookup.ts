// Indexes over a loaded Topology for the lookups every stage repeats per port, per host or per
// group (the renderers, the assembler, the properties): built once per Topology object and held
// weakly, so a lookup costs a map access instead of a scan of all ports, networks or groups.
// Guarantees: each lookup answers exactly what the scan it replaces answered — the first match in
// the topology's own order, lists in the topology's order — because every index is filled by one
// pass over the lists in order. A Topology is never changed after loading, so an index never goes
// stale.
import type { NetworkT, PortT, SecurityGroupT, SubnetT, Topology } from './model.ts';

interface Lookup {
  /** `${deviceOwner}\0${host}` → ports, in port order. */
  readonly portsByOwnerHost: ReadonlyMap<string, readonly PortT[]>;
  /** Network name → its DHCP ports, in port order. */
  readonly dhcpPortsByNetwork: ReadonlyMap<string, readonly PortT[]>;
  /** Security group id → the first group with that id. */
  readonly groupById: ReadonlyMap<string, SecurityGroupT>;
  /** Security group id → every group with that id, in group order. */
  readonly groupsById: ReadonlyMap<string, readonly SecurityGroupT[]>;
  /** Each group's position in the topology's group list. */
  readonly groupRank: ReadonlyMap<SecurityGroupT, number>;
  /** Network name → the first network of that name. */
  readonly networkByName: ReadonlyMap<string, NetworkT>;
  /** Security group id → the ports listing it, each once, in port order. */
  readonly portsByGroup: ReadonlyMap<string, readonly PortT[]>;
  /** Name or id → the first network named so or with that id. */
  readonly networkByRef: ReadonlyMap<string, NetworkT>;
  /** Name or id → the first subnet (networks in order, then subnets in order) named so or with that id. */
  readonly subnetByRef: ReadonlyMap<string, SubnetT>;
  /** Ids of the ports holding a floating IP. */
  readonly floatingPortIds: ReadonlySet<string>;
}

const lookups = new WeakMap<Topology, Lookup>();

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function setFirst<K, V>(m: Map<K, V>, k: K, v: V): void {
  if (!m.has(k)) m.set(k, v);
}

function build(topo: Topology): Lookup {
  const portsByOwnerHost = new Map<string, PortT[]>();
  const dhcpPortsByNetwork = new Map<string, PortT[]>();
  const portsByGroup = new Map<string, PortT[]>();
  for (const p of topo.ports) {
    push(portsByOwnerHost, `${p.deviceOwner}\u0000${p.host}`, p);
    if (p.deviceOwner === 'network:dhcp') push(dhcpPortsByNetwork, p.network, p);
    for (const g of new Set(p.securityGroups)) push(portsByGroup, g, p);
  }
  const groupById = new Map<string, SecurityGroupT>();
  const groupsById = new Map<string, SecurityGroupT[]>();
  const groupRank = new Map<SecurityGroupT, number>();
  topo.securityGroups.forEach((g, i) => {
    setFirst(groupById, g.id, g);
    push(groupsById, g.id, g);
    groupRank.set(g, i);
  });
  const networkByName = new Map<string, NetworkT>();
  for (const n of topo.networks) setFirst(networkByName, n.name, n);
  const networkByRef = new Map<string, NetworkT>();
  const subnetByRef = new Map<string, SubnetT>();
  for (const n of topo.networks) {
    setFirst(networkByRef, n.name, n);
    setFirst(networkByRef, n.id, n);
    for (const s of n.subnets) {
      setFirst(subnetByRef, s.name, s);
      setFirst(subnetByRef, s.id, s);
    }
  }
  const floatingPortIds = new Set(topo.floatingIps.map((f) => f.portId));
  return { portsByOwnerHost, dhcpPortsByNetwork, groupById, groupsById, groupRank, networkByName, portsByGroup, networkByRef, subnetByRef, floatingPortIds };
}

function lookup(topo: Topology): Lookup {
  let l = lookups.get(topo);
  if (!l) lookups.set(topo, (l = build(topo)));
  return l;
}

const NONE: readonly PortT[] = [];
const NONE_GROUPS: readonly SecurityGroupT[] = [];

/** The ports of one device owner (`compute:nova`, `network:dhcp`, …) bound to `host`, in port order. */
export function portsOwnedOn(topo: Topology, owner: string, host: string): readonly PortT[] {
  return lookup(topo).portsByOwnerHost.get(`${owner}\u0000${host}`) ?? NONE;
}

/** The DHCP ports of a network (by name), in port order. */
export function dhcpPortsOn(topo: Topology, network: string): readonly PortT[] {
  return lookup(topo).dhcpPortsByNetwork.get(network) ?? NONE;
}

/** The security group with this id. */
export function securityGroupById(topo: Topology, id: string): SecurityGroupT | undefined {
  return lookup(topo).groupById.get(id);
}

/**
 * The security groups a port lists, in the topology's group order (not the port's), each group once
 * however often the port lists it: what filtering the topology's groups by the port's list gives.
 */
export function securityGroupsOfPort(topo: Topology, port: PortT): readonly SecurityGroupT[] {
  const l = lookup(topo);
  const ids = new Set(port.securityGroups);
  const groups = [...ids].flatMap((id) => l.groupsById.get(id) ?? NONE_GROUPS);
  if (ids.size > 1) groups.sort((a, b) => (l.groupRank.get(a) ?? 0) - (l.groupRank.get(b) ?? 0));
  return groups;
}

/** The ports that list the security group `id`, in port order. */
export function portsInGroup(topo: Topology, id: string): readonly PortT[] {
  return lookup(topo).portsByGroup.get(id) ?? NONE;
}

/** The network named `name` (names only). */
export function networkByName(topo: Topology, name: string): NetworkT | undefined {
  return lookup(topo).networkByName.get(name);
}

/** The network named `ref`, or with id `ref`. */
export function networkByRef(topo: Topology, ref: string): NetworkT | undefined {
  return lookup(topo).networkByRef.get(ref);
}

/** The subnet named `ref`, or with id `ref`, on any network. */
export function subnetByRef(topo: Topology, ref: string): SubnetT | undefined {
  return lookup(topo).subnetByRef.get(ref);
}

/** Whether a floating IP is associated with the port. */
export function hasFloatingIp(topo: Topology, portId: string): boolean {
  return lookup(topo).floatingPortIds.has(portId);
}
