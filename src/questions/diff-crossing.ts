// Where `diff` may stop following a copy: at a router it reaches across an external network, at
// one of that router's own addresses (a floating IP, its gateway address), when that router can
// only deliver it locally or into its own subnets (walk.ts `stopAcrossExternal`: no exit to the
// outside world, no further router beyond) and nothing that changed lies beyond it. A sender's
// packets reach every router's floating IPs this way, so walking beyond each is most of a sender's
// walk at the large sizes; where nothing beyond changed, both sides do the same there. Likewise a copy
// that entered such a router by its external interface from anywhere (the outside world, by its routes
// into the cloud or a floating IP) is cut where the router routes it into one of its own subnets,
// directly and to no other router's address there (walk.ts `intoOwnSubnet`): the outside world reaches
// every router's subnets, and walked whole, it was the costliest sender of a large cloud.
// When: only if what changed is iptables chains of single ports (each named by its port's id, as
// the agent names a port's own chains: changed-devices.ts), no device whole, nothing global. Then a
// router may be cut at unless one of its namespace's chains changed, or one of those ports is on a
// network the router is on (a network with a port in one of its interfaces' subnets, or the port's
// own addresses in one: a copy it routes goes to a port on those subnets, and a frame flooded there
// reaches every port of the network) — a port's own chains are crossed only by packets to or from it.
// Why it is sound (checked per sender by `crossingAgrees`, else the sender is walked whole): a copy
// cut at router R arrives there with the same path condition, headers and connections on both sides
// (its cut ends are compared term for term), so what follows is the same walk on both sides
// through devices that are the same on both; the packets it delivers at a place P beyond R are then
// delivered at P alike on both sides. If no place where the sender's packets differ (or might) lies
// beyond a router it was cut at, leaving those copies out changes no question: at every other place
// no cut copy arrives, and a place beyond a cut router with no difference stays without one.
// What is not followed beyond a cut is not asked: a construct not modelled there (the same on both
// sides) leaves no `unknown`, and the places beyond are not counted among the sender's places.
import type { Dataplane, Station } from '../ir/dataplane.ts';
import type { Delivery } from '../semantics/delivery.ts';
import type { ChangedDevices } from '../smt/changed-devices.ts';
import { sameEnds, type Side } from '../smt/diff.ts';
import { ipToNum } from '../smt/headers.ts';
import { sameNetwork } from '../net/ipv4.ts';

/** How many characters of a port id name its own chains (the agent's `neutron-openvswi-i<id>` …). */
const CHAIN_ID = 10;

interface Subnet {
  readonly ip: number;
  readonly len: number;
}

type VmPort = Extract<Station, { kind: 'vm-port' }>;

export interface Crossing {
  /** Whether a copy may be cut at this router (host, namespace). */
  readonly stopAt: (host: string, namespace: string) => boolean;
  /** Whether a VM port may be reached beyond a router (by `host\u0000namespace`): on one of its networks. */
  readonly beyond: (router: string, port: VmPort) => boolean;
}

/** A VM port's addresses: its own and the VIPs it answers ARP for. */
const addressesOf = (s: VmPort): number[] => [ipToNum(s.ip), ...(s.vips ?? []).map(ipToNum)];

/** Where copies may be cut, or null when nowhere (something other than single ports' chains changed). */
export function crossingFor(before: Dataplane, after: Dataplane, changed: ChangedDevices): Crossing | null {
  if (changed.global !== null || changed.devices.length > 0) return null;
  const ports = [...before.stations, ...after.stations].filter((s): s is VmPort => s.kind === 'vm-port');
  const namespaces = new Set<string>();
  const owners: VmPort[] = [];
  for (const c of changed.chains) {
    // `host/namespace/table/chain`.
    const parts = c.split('/');
    const chain = parts.at(-1)!;
    const own = ports.filter((p) => chain.includes(p.portId.slice(0, CHAIN_ID)));
    if (own.length === 0) return null;
    namespaces.add(`${parts[0]}\u0000${parts.slice(1, -2).join('/')}`);
    owners.push(...own);
  }
  const subnetsOf = new Map<string, Subnet[]>();
  for (const h of before.hosts) {
    for (const n of h.namespaces) subnetsOf.set(`${h.name}\u0000${n.name}`, n.interfaces.flatMap((i) => i.addresses.map((a) => ({ ip: ipToNum(a.ip), len: a.prefixLen }))));
  }
  const inSubnets = (router: string, p: VmPort) => addressesOf(p).some((a) => (subnetsOf.get(router) ?? []).some((s) => sameNetwork(a, s.ip, s.len)));
  // Per router, the networks with a port in its subnets.
  const networksOf = new Map<string, Set<string>>();
  const networks = (router: string) => {
    let n = networksOf.get(router);
    if (n === undefined) networksOf.set(router, (n = new Set(ports.filter((p) => inSubnets(router, p)).map((p) => p.network))));
    return n;
  };
  const beyond = (router: string, p: VmPort) => inSubnets(router, p) || networks(router).has(p.network);
  const verdicts = new Map<string, boolean>();
  const stopAt = (host: string, namespace: string): boolean => {
    const k = `${host}\u0000${namespace}`;
    let v = verdicts.get(k);
    if (v === undefined) {
      v = subnetsOf.has(k) && !namespaces.has(k) && !owners.some((p) => beyond(k, p));
      verdicts.set(k, v);
    }
    return v;
  };
  return { stopAt, beyond };
}

/**
 * Whether leaving out the copies cut on the two sides changes none of the sender's answers: the
 * copies cut at each router are the same on both sides (term for term), and no place where the
 * sender's packets may differ (`places`: the places not reached by the very same ends on both sides)
 * lies beyond a router a copy was cut at (a namespace anywhere; a VM port on one of that router's
 * networks, on either side).
 */
export function crossingAgrees(crossing: Crossing, before: Side, after: Side, places: readonly Delivery[], ports: (d: Extract<Delivery, { kind: 'vm' }>) => readonly Station[]): boolean {
  for (const k of new Set([...before.crossed.keys(), ...after.crossed.keys()])) if (!sameEnds(before.crossed.get(k), after.crossed.get(k))) return false;
  const routers = [...new Set([...before.crossedAt, ...after.crossedAt])];
  if (routers.length === 0) return true;
  for (const d of places) {
    if (d.kind === 'external') continue;
    if (d.kind === 'namespace') return false;
    const at = ports(d);
    if (at.length === 0) return false;
    for (const s of at) {
      if (s.kind !== 'vm-port') return false;
      if (routers.some((r) => crossing.beyond(r, s))) return false;
    }
  }
  return true;
}
