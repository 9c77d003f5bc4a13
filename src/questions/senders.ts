// Senders and destinations from the topology: a VM port's sending rules (port security, allowed
// address pairs) as the SMT core's SourceSpec, the addresses "outside the cloud", the namespace that
// holds an address, and the port behind a floating IP. Shared by `query` and the user properties.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Cidr } from '../ir/openflow.ts';
import type { Ipv4 } from '../ir/packet.ts';
import type { PortT, Topology } from '../topology/model.ts';
import type { AddressPair, SourceSpec } from '../smt/index.ts';
import type { OutsideStation, VmPortStation } from './endpoints.ts';
import { complement, parseCidr } from './user-properties/cidr.ts';
import { inPrefix, parseIpv4 } from '../net/ipv4.ts';
import { topologyIndex } from './endpoint-index.ts';

/** A port's allowed address pairs as the SMT core takes them. */
export function addressPairs(port: PortT): AddressPair[] {
  return port.allowedAddressPairs.map((a) => {
    const c = parseCidr(a.ipAddress.includes('/') ? a.ipAddress : `${a.ipAddress}/32`);
    return { ip: c?.ip ?? a.ipAddress, prefixLen: c?.prefixLen ?? 32, mac: a.macAddress };
  });
}

/**
 * A VM port as a sender: anything from any MAC and address, with or without port security — what stops
 * a port-secured VM from spoofing is its firewall's rules, which the walk reads like any other. With
 * port security the spec says so and carries the port's own addresses, for a question that proves its
 * anti-spoofing to narrow the sender to them (spoof-proof.ts).
 */
export function portSender(topo: Topology, station: VmPortStation): SourceSpec {
  // By the topology's index: asked once per VM port of a run (a scan per call grew as ports squared).
  const port = topologyIndex(topo).portById.get(station.portId);
  if (port === undefined || !port.portSecurity) return { station, anySource: true };
  return { station, anySource: true, portSecurity: true, allowedAddressPairs: addressPairs(port) };
}

/**
 * Addresses of the outside world (docs/topology.md, Conventions: The outside world): every address except tenant subnets and the addresses the
 * cloud holds on external networks (router gateways, DHCP ports, floating IPs, port-forwarded ones too).
 */
export function outsideAddresses(topo: Topology): Cidr[] {
  const external = new Set(topo.networks.filter((n) => n.external).map((n) => n.name));
  const excluded: Cidr[] = [
    ...topo.networks.filter((n) => !n.external).flatMap((n) => n.subnets.map((s) => ({ ip: s.networkAddress, prefixLen: s.prefixLen }))),
    ...topo.ports.filter((p) => external.has(p.network)).map((p) => ({ ip: p.ip, prefixLen: 32 })),
    ...topo.floatingIps.map((f) => ({ ip: f.ip, prefixLen: 32 })),
    ...topo.portForwardings.map((f) => ({ ip: f.floatingIp, prefixLen: 32 })),
    // Not host addresses a person would send from or to: "this network", loopback, multicast and above.
    { ip: '0.0.0.0', prefixLen: 8 },
    { ip: '127.0.0.0', prefixLen: 8 },
    { ip: '224.0.0.0', prefixLen: 3 },
  ];
  return complement(excluded);
}

/** The VM port a floating IP is bound to, or null when `ip` is not a floating IP. */
export function floatingIpPort(topo: Topology, dp: Dataplane, ip: Ipv4): VmPortStation | null {
  const f = topo.floatingIps.find((x) => x.ip === ip);
  if (!f) return null;
  return dp.stations.find((s): s is VmPortStation => s.kind === 'vm-port' && s.vm === f.vm && s.index === f.portIndex) ?? null;
}

/**
 * The VM ports a router sends `ip` to as its next hop: for each router namespace, its longest-prefix
 * route for `ip`, when that route goes via an address a VM port holds (its fixed address or an allowed
 * address pair) on the network of the route's interface. Such a VM forwards for the address (a VPN or
 * NAT appliance): a packet for `ip` delivered to it has got as far as the cloud takes it.
 */
export function nextHopPorts(topo: Topology, dp: Dataplane, ip: Ipv4): VmPortStation[] {
  const dst = parseIpv4(ip);
  if (dst === null) return [];
  const out = new Map<string, VmPortStation>();
  const { networkOfMac, portsOn } = routingIndex(topo, dp);
  for (const h of dp.hosts) {
    for (const ns of h.namespaces) {
      if (!ns.forwarding) continue;
      const best = ns.routes.filter((r) => inPrefix(ip, r.dst.ip, r.dst.prefixLen)).sort((a, b) => b.dst.prefixLen - a.dst.prefixLen)[0];
      if (best === undefined || best.via === null) continue;
      const iface = ns.interfaces.find((i) => i.name === best.dev);
      const network = iface ? networkOfMac.get(iface.mac) : undefined;
      if (network === undefined) continue;
      for (const s of portsOn.get(network) ?? []) {
        if (s.ip === best.via || pairHolds(topo, s, best.via)) out.set(`${s.vm}:${s.index}`, s);
      }
    }
  }
  return [...out.values()];
}

/**
 * What nextHopPorts looks up per router: the network of the first topology port with a MAC, and the VM
 * ports of each network in the dataplane's order. Made once per topology and dataplane: scanning every
 * port and station for each router was about 5 ms of each query to the outside world at 1,000 VMs.
 */
interface RoutingIndex {
  readonly networkOfMac: ReadonlyMap<string, string>;
  readonly portsOn: ReadonlyMap<string, readonly VmPortStation[]>;
}

const routingIndexes = new WeakMap<Topology, WeakMap<Dataplane, RoutingIndex>>();

function routingIndex(topo: Topology, dp: Dataplane): RoutingIndex {
  let byDp = routingIndexes.get(topo);
  if (byDp === undefined) routingIndexes.set(topo, (byDp = new WeakMap()));
  let ix = byDp.get(dp);
  if (ix === undefined) {
    const networkOfMac = new Map<string, string>();
    for (const p of topo.ports) if (!networkOfMac.has(p.mac)) networkOfMac.set(p.mac, p.network);
    const portsOn = new Map<string, VmPortStation[]>();
    for (const s of vmPorts(dp)) {
      const l = portsOn.get(s.network);
      if (l === undefined) portsOn.set(s.network, [s]);
      else l.push(s);
    }
    byDp.set(dp, (ix = { networkOfMac, portsOn }));
  }
  return ix;
}

/** Whether one of the port's allowed address pairs (an address or a prefix) holds `ip`. */
function pairHolds(topo: Topology, s: VmPortStation, ip: Ipv4): boolean {
  const port = topologyIndex(topo).portById.get(s.portId);
  return (port?.allowedAddressPairs ?? []).some((a) => {
    const c = parseCidr(a.ipAddress.includes('/') ? a.ipAddress : `${a.ipAddress}/32`);
    return c !== null && inPrefix(ip, c.ip, c.prefixLen);
  });
}

/** The VM ports on `network` that may hold `ip` by an allowed address pair (a VIP), other than its own port. */
export function pairHolders(topo: Topology, dp: Dataplane, ip: Ipv4, network: string): VmPortStation[] {
  return vmPorts(dp).filter((s) => s.network === network && s.ip !== ip && pairHolds(topo, s, ip));
}

/** The namespace (not a host's root) that holds `ip` on one of its interfaces. */
export function namespaceHolding(dp: Dataplane, ip: Ipv4): { host: string; namespace: string } | null {
  for (const h of dp.hosts) {
    for (const ns of h.namespaces) {
      if (ns.name === 'root') continue;
      if (ns.interfaces.some((i) => i.addresses.some((a) => a.ip === ip))) return { host: h.name, namespace: ns.name };
    }
  }
  return null;
}

export function vmPorts(dp: Dataplane): VmPortStation[] {
  return dp.stations.filter((s): s is VmPortStation => s.kind === 'vm-port');
}

export function outsideStations(dp: Dataplane): OutsideStation[] {
  return dp.stations.filter((s): s is OutsideStation => s.kind === 'outside');
}
