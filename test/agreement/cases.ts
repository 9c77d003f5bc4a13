// The spread of fixed packets the agreement tests compare solver and evaluator on, for one shipped
// topology: from every VM port to every other VM port's fixed IP, to 8.8.8.8 and to the floating IPs
// of the other ports, and to the addresses of the DHCP servers, router interfaces and gateways and the
// upstream routers (ICMP echo, TCP 22, TCP 80, UDP 53), and from each outside station to every
// floating IP and router gateway (qg) address and to every VM port's fixed IP (TCP 22, ICMP echo).
// Guarantees: every case is either built into the first packet the sender puts on its wire (its first
// hop resolved by ARP exactly as `firstPacketOf` does) or listed as skipped with the reason, so the
// caller can account for every one.
import { routeProbeAddress } from '../../src/questions/properties/gateway-routes.ts';
import type { Dataplane, Station } from '../../src/ir/dataplane.ts';
import { BROADCAST_MAC, type Ipv4, type Packet } from '../../src/ir/packet.ts';
import { isRouterPort } from '../../src/topology/model.ts';
import type { Topology } from '../../src/topology/model.ts';
import type { Evaluator } from '../../src/evaluate/index.ts';
import type { PacketFields } from '../../src/questions/packet.ts';
import { firstPacket } from '../../src/questions/packet.ts';
import { firstPacketOf, type Sender } from '../../src/questions/trace.ts';

export interface Case {
  /** `vm1:0 -> 192.168.1.12 tcp/22`, for messages. */
  readonly label: string;
  readonly from: Sender;
  readonly dst: Ipv4;
  readonly fields: PacketFields;
}

export interface Built {
  readonly c: Case;
  readonly station: Station;
  readonly packet: Packet;
}

export interface Skipped {
  readonly c: Case;
  /** The disposition of the sender's stopped attempt (no-route, no-arp). */
  readonly why: string;
}

const VM_FIELDS: readonly PacketFields[] = [
  { proto: 'icmp' },
  { proto: 'tcp', dport: 22 },
  { proto: 'tcp', dport: 80 },
  { proto: 'udp', dport: 53 },
];
const OUTSIDE_FIELDS: readonly PacketFields[] = [{ proto: 'tcp', dport: 22 }, { proto: 'icmp' }];
/** An address beyond every outside world: what a VM sends to the internet, and what a host out there sends from. */
export const INTERNET = '8.8.8.8';

const fieldsText = (f: PacketFields) => (f.dport === undefined ? String(f.proto) : `${f.proto}/${f.dport}`);

function vmName(s: Extract<Station, { kind: 'vm-port' }>): string {
  return `${s.vm}:${s.index}`;
}

/** The highest address below .255 of the /24 holding `net` that no port, floating IP or gateway holds. */
function freeAddress(topo: Topology, net: Ipv4): Ipv4 {
  const held = new Set<string>([...topo.ports.map((p) => p.ip), ...topo.floatingIps.map((f) => f.ip), ...topo.networks.flatMap((n) => n.subnets.flatMap((s) => (s.gateway ? [s.gateway] : [])))]);
  const base = net.split('.').slice(0, 3).join('.');
  for (let i = 254; i > 0; i--) if (!held.has(`${base}.${i}`)) return `${base}.${i}`;
  throw new Error(`no free address in ${base}.0/24`);
}

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/** Every case of the spread for `dp` (built from `topo`), in a stable order. */
export function casesOf(topo: Topology, dp: Dataplane): Case[] {
  const out: Case[] = [];
  const ports = dp.stations.filter((s): s is Extract<Station, { kind: 'vm-port' }> => s.kind === 'vm-port');
  // The addresses of the cloud's own namespaces and of the upstream routers: where `delivered` to a
  // namespace or to the outside world's router itself is the expected end.
  const infra = unique([
    ...topo.ports.filter((p) => p.deviceOwner === 'network:dhcp' || isRouterPort(p)).map((p) => p.ip),
    ...dp.stations.flatMap((o) => (o.kind === 'outside' ? [o.gateway] : [])),
    // An address of an external subnet no one holds: a router ARPs for it in vain (no-arp).
    ...dp.stations.flatMap((o) => (o.kind === 'outside' ? [freeAddress(topo, o.cidr.ip)] : [])),
    // Where routers' extra routes go (the address `gateway` asks about): routed to their next hops.
    ...topo.routers.flatMap((r) => r.routes.flatMap((x) => routeProbeAddress(topo, r, x) ?? [])),
  ]);
  for (const s of ports) {
    const from: Sender = { kind: 'port', station: s, ip: s.ip };
    const dsts: Ipv4[] = [
      ...ports.filter((o) => o !== s).map((o) => o.ip),
      INTERNET,
      ...topo.floatingIps.filter((f) => f.portId !== s.portId).map((f) => f.ip),
      ...infra,
    ];
    for (const dst of dsts) for (const f of VM_FIELDS) out.push({ label: `${vmName(s)} -> ${dst} ${fieldsText(f)}`, from, dst, fields: f });
  }
  for (const o of dp.stations) {
    if (o.kind !== 'outside') continue;
    const from: Sender = { kind: 'outside', station: o, ip: INTERNET };
    const dsts: Ipv4[] = [
      ...topo.floatingIps.map((f) => f.ip),
      ...topo.routers.flatMap((r) => (r.gateway ? [r.gateway.port.ip] : [])),
      ...ports.map((p) => p.ip),
    ];
    for (const dst of dsts) for (const f of OUTSIDE_FIELDS) out.push({ label: `outside:${o.network} -> ${dst} ${fieldsText(f)}`, from, dst, fields: f });
  }
  return out;
}

/** Each case's first packet as its sender builds it, or why the sender cannot build it. */
export function firstPackets(topo: Topology, ev: Evaluator, cases: readonly Case[]): { built: Built[]; skipped: Skipped[] } {
  const built: Built[] = [];
  const skipped: Skipped[] = [];
  for (const c of cases) {
    const r = firstPacketOf(topo, ev, c.from, c.dst, c.fields);
    if ('stopped' in r) skipped.push({ c, why: r.stopped.disposition });
    else built.push({ c, station: c.from.station, packet: r.packet });
  }
  return { built, skipped };
}

/**
 * The DHCP broadcasts every VM port sends (UDP 68 -> 67 to 255.255.255.255 in a broadcast frame): a
 * discover from 0.0.0.0 and a rebinding request from the port's own address. They are no first packet
 * of a unicast flow, so the solver's sender model (sources.ts) does not produce them: they compare the
 * device models only.
 */
export function dhcpBroadcasts(dp: Dataplane): Built[] {
  const out: Built[] = [];
  for (const s of dp.stations) {
    if (s.kind !== 'vm-port') continue;
    for (const src of ['0.0.0.0', s.ip]) {
      const packet = firstPacket({ proto: 'udp', sport: 68, dport: 67 }, { src: s.mac, dst: BROADCAST_MAC, vlan: null }, { src, dst: '255.255.255.255' });
      const from: Sender = { kind: 'port', station: s, ip: s.ip };
      out.push({ c: { label: `${vmName(s)} DHCP broadcast from ${src}`, from, dst: '255.255.255.255', fields: { proto: 'udp', sport: 68, dport: 67 } }, station: s, packet });
    }
  }
  return out;
}

/**
 * From every VM port, a unicast IP packet to 8.8.8.8 in a broadcast frame (a misconfigured or
 * hostile sender): it reaches every router on the segment, and none may route it on (Linux's
 * ip_forward takes only frames addressed to the receiving interface).
 */
export function broadcastFramesToInternet(dp: Dataplane): Built[] {
  const out: Built[] = [];
  for (const s of dp.stations) {
    if (s.kind !== 'vm-port') continue;
    const fields: PacketFields = { proto: 'udp', sport: 40000, dport: 53 };
    const packet = firstPacket(fields, { src: s.mac, dst: BROADCAST_MAC, vlan: null }, { src: s.ip, dst: INTERNET });
    out.push({ c: { label: `${vmName(s)} -> ${INTERNET} udp/53 in a broadcast frame`, from: { kind: 'port', station: s, ip: s.ip }, dst: INTERNET, fields }, station: s, packet });
  }
  return out;
}
