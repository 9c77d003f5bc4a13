// Random packets for a given topology (netproof/testing), biased towards the values the topology
// itself uses — its ports' addresses and MACs, floating IPs, gateways, subnet and broadcast addresses,
// the ports and port-range bounds its security group rules name (and one past each bound) — with a
// share of arbitrary values, since a rule is most often wrong at its edges or for a value nobody wrote.
// Guarantees: every packet is a well-formed IPv4 packet of the IR (ports only for the protocols with
// ports — TCP, UDP, SCTP, DCCP, UDP-Lite —, ICMP type
// and code only for ICMP), sent by one of the dataplane's stations, untagged as a VM or an untagged
// physical network sends it (an outside station on a VLAN provider network tags it with its VLAN).
import fc from 'fast-check';
import type { Dataplane, Station } from '../ir/dataplane.ts';
import { BROADCAST_MAC, type Ipv4, type Mac, type Packet } from '../ir/packet.ts';
import type { Topology } from '../topology/model.ts';
import type { Evaluator } from '../evaluate/index.ts';
import { firstPacket, type PacketFields } from '../questions/packet.ts';
import { firstPacketOf, type Sender } from '../questions/trace.ts';
import { broadcastOf, formatIpv4, parseIpv4 } from '../net/ipv4.ts';

/** A packet and the station that puts it on the wire. */
export interface SentPacket {
  readonly station: Station;
  readonly packet: Packet;
}

/** What a topology uses, for biasing. */
export interface TopologyValues {
  readonly ips: readonly Ipv4[];
  readonly macs: readonly Mac[];
  readonly ports: readonly number[];
}

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/** The addresses, MACs and L4 ports a topology uses. */
export function topologyValues(topo: Topology, dp: Dataplane): TopologyValues {
  const subnets = topo.networks.flatMap((n) => n.subnets);
  const ips = unique([
    ...topo.ports.map((p) => p.ip),
    ...topo.floatingIps.map((f) => f.ip),
    ...topo.portForwardings.map((f) => f.floatingIp),
    ...subnets.flatMap((s) => [s.networkAddress, formatIpv4(broadcastOf(parseIpv4(s.networkAddress) ?? 0, s.prefixLen)), ...(s.gateway ? [s.gateway] : [])]),
    ...topo.routers.flatMap((r) => r.routes.map((x) => x.nexthop)),
    ...topo.ports.flatMap((p) => p.allowedAddressPairs.map((a) => a.ipAddress.split('/')[0]!)),
    ...dp.stations.flatMap((s) => (s.kind === 'outside' ? [s.gateway] : [])),
    '8.8.8.8', '0.0.0.0', '255.255.255.255',
  ]);
  const macs = unique([
    ...topo.ports.map((p) => p.mac),
    ...topo.ports.flatMap((p) => p.allowedAddressPairs.flatMap((a) => (a.macAddress ? [a.macAddress] : []))),
    ...dp.stations.map((s) => s.mac),
    BROADCAST_MAC,
  ]);
  const bounds = topo.securityGroups.flatMap((g) => g.rules.flatMap((r) => (r.portMin === null || r.portMax === null ? [] : [r.portMin, r.portMax, r.portMin - 1, r.portMax + 1])));
  // A range's last port and the one past it too, and its last internal port (a single port adds nothing new).
  const forwarded = topo.portForwardings.flatMap((f) => [f.externalPort, f.externalPort - 1, f.externalPort + 1, f.internalPort, f.externalPortEnd, f.externalPortEnd + 1, f.internalPortEnd]);
  const ports = unique([...bounds, ...forwarded, 22, 53, 67, 68, 80, 443, 40000].filter((p) => p >= 0 && p <= 65535));
  return { ips, macs, ports };
}

const randomMac = fc.array(fc.nat({ max: 255 }), { minLength: 6, maxLength: 6 }).map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'));

/** Mostly one of `used`, sometimes anything `any` gives. */
function biased<T>(used: readonly T[], any: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return used.length === 0 ? any : fc.oneof({ arbitrary: fc.constantFrom(...used), weight: 4 }, { arbitrary: any, weight: 1 });
}

/** The L4 part of a packet: TCP, UDP, SCTP, DCCP, UDP-Lite, ICMP or another protocol, with biased ports. */
export function arbitraryFields(v: TopologyValues): fc.Arbitrary<PacketFields & { readonly sport?: number; readonly dport?: number }> {
  const port = biased(v.ports, fc.nat({ max: 65535 }));
  return fc.oneof(
    { arbitrary: fc.record({ proto: fc.constantFrom('tcp' as const, 'udp' as const), sport: port, dport: port }), weight: 6 },
    { arbitrary: fc.record({ proto: fc.constantFrom('sctp' as const, 'dccp' as const, 'udplite' as const), sport: port, dport: port }), weight: 2 },
    { arbitrary: fc.record({ proto: fc.constant('icmp' as const), icmpType: fc.constantFrom(8, 0, 3, 11, 5, 13), icmpCode: fc.constantFrom(0, 0, 1, 3, 4) }), weight: 2 },
    { arbitrary: fc.record({ proto: fc.oneof(fc.constantFrom(47, 50, 112), fc.nat({ max: 255 })) }), weight: 1 },
  );
}

/** Random whole frames from the stations of `dp`: any source and destination, MAC and IP, biased towards `topo`'s values. */
export function arbitraryPacket(topo: Topology, dp: Dataplane): fc.Arbitrary<SentPacket> {
  const v = topologyValues(topo, dp);
  const ip = biased(v.ips, fc.ipV4());
  const mac = biased(v.macs, randomMac);
  return fc
    .record({
      station: fc.constantFrom(...dp.stations),
      ownSource: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
      ethSrc: mac,
      ethDst: mac,
      ipSrc: ip,
      ipDst: ip,
      fields: arbitraryFields(v),
    })
    .map(({ station, ownSource, ethSrc, ethDst, ipSrc, ipDst, fields }) => {
      const vlan = station.kind === 'outside' ? station.vlan : null;
      const own = station.kind === 'vm-port' ? station.ip : station.gateway;
      const src = ownSource ? { mac: station.mac, ip: station.kind === 'vm-port' ? own : ipSrc } : { mac: ethSrc, ip: ipSrc };
      return { station, packet: firstPacket(fields, { src: src.mac, dst: ethDst, vlan }, { src: src.ip, dst: ipDst }) };
    });
}

/** A flow's first packet as a sender builds it: a destination and L4 fields, the first hop resolved by ARP later. */
export interface FirstPacketAsk {
  readonly sender: Sender;
  readonly dst: Ipv4;
  readonly fields: PacketFields;
}

/**
 * Random first packets as senders build them: a VM port sending from its own address (or, where the
 * port may, from another), or a host of the outside world sending from anywhere outside, to an
 * address the topology uses (or any); `resolveFirstPacket` then puts the next hop's MAC on it.
 */
export function arbitraryFirstPacketAsk(topo: Topology, dp: Dataplane): fc.Arbitrary<FirstPacketAsk> {
  const v = topologyValues(topo, dp);
  const senders: Sender[] = dp.stations.map((s) => (s.kind === 'vm-port' ? { kind: 'port', station: s, ip: s.ip } : { kind: 'outside', station: s, ip: '8.8.8.8' }));
  return fc.record({
    sender: fc.constantFrom(...senders),
    dst: biased(v.ips, fc.ipV4()),
    fields: arbitraryFields(v),
    outsideSource: biased(['8.8.8.8', '198.18.0.7'], fc.ipV4()),
  }).map(({ sender, dst, fields, outsideSource }) => ({ sender: sender.kind === 'outside' ? { ...sender, ip: outsideSource } : sender, dst, fields }));
}

/** The first packet of `ask` with its next hop resolved as the sender would; null when the sender has no route or no ARP answer. */
export function resolveFirstPacket(topo: Topology, ev: Evaluator, ask: FirstPacketAsk): SentPacket | null {
  const r = firstPacketOf(topo, ev, ask.sender, ask.dst, ask.fields);
  return 'packet' in r ? { station: ask.sender.station, packet: r.packet } : null;
}
