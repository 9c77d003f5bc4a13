// What a station may send as the first packet of a flow (docs/topology.md, Conventions: The outside
// world): a VM port any IPv4 packet from any MAC and address (`anySource`: a VM may put anything on the
// wire, and its firewall's rules decide what gets further) or, asked for a subset, from its own MAC/IP
// and allowed address pairs only (with the DHCP client requests from other addresses that get past a
// port's first device once its anti-spoofing is proved, questions/spoof-proof.ts); the outside world
// any packet from its upstream router's MAC. The first packet's eth_dst is the MAC the sender
// resolved by ARP for its next hop — the destination on its own subnet, else its gateway (a VM), or
// the router owning the destination's subnet (the outside world's routes, src/dataplane/outside.ts,
// which src/questions/trace.ts reads too) —
// with the ARP answers found by walking the ARP requests through the dataplane.
// The choice of next hop is split into cases, one per MAC the sender may address, each pinning
// eth_dst (and, on its own subnet, ip_dst): a frame whose destination MAC is known is forwarded to
// one port by every MAC table, where a symbolic one would be flooded to all of them.
// Guarantees: the union of the cases (with the identity condition) admits exactly the IPv4 packets a
// real sender could emit on its first try; a destination no one answers ARP for is excluded (that
// packet never leaves the sender).
import type { Station } from '../ir/dataplane.ts';
import { ETH_TYPE, IP_PROTO } from '../ir/packet.ts';
import type { SymPacket } from './headers.ts';
import { ipToNum, macToNum } from './headers.ts';
import type { Cond, Enc } from './cond.ts';
import { formatIpv4 } from '../net/ipv4.ts';
import { ownersIn } from './owners.ts';
import type { Guard } from './path.ts';
import type { SymWalker } from './walk.ts';
import type { ArpFrom } from './walk-ctx.ts';

/** An address a port may send from besides its fixed one (an allowed address pair: a prefix, and a MAC or the port's). */
export interface AddressPair {
  readonly ip: string;
  readonly prefixLen?: number;
  readonly mac?: string | null;
}

/** A sender and what it may forge. */
export interface SourceSpec {
  readonly station: Station;
  /**
   * VM ports only: true = any source MAC and IP, everything a VM can send (its port security is its
   * firewall's rules, which the walk reads); false (the default) = only the port's own MAC and IP or
   * one of `allowedAddressPairs` — a subset of that, for questions that ask about it alone, or for a
   * port whose anti-spoofing has been proved (questions/spoof-proof.ts).
   */
  readonly anySource?: boolean;
  /** The port's own addresses besides its fixed MAC and IP. */
  readonly allowedAddressPairs?: readonly AddressPair[];
  /**
   * VM ports only: the port has port security, so its first device's rules should let nothing past
   * from other addresses; with `anySource`, a caller may prove that and narrow the sender to its own
   * addresses (questions/spoof-proof.ts). Changes nothing here.
   */
  readonly portSecurity?: boolean;
  /**
   * With `anySource` false: DHCP client requests (UDP 68 → 67) from any other MAC and address as well
   * (`any`), or only those from 0.0.0.0 to 255.255.255.255 (`discover`) — with its own addresses,
   * everything a port's first device lets past once its anti-spoofing is proved.
   */
  readonly dhcpClients?: 'any' | 'discover';
}

/** The packets from a port's own addresses: its fixed MAC and IP, or an allowed address pair's. */
export function ownAddresses(e: Enc, port: { readonly mac: string; readonly ip: string }, pairs: readonly AddressPair[], p: SymPacket): Cond {
  const own = e.and(e.eq(p.eth_src, macToNum(port.mac), 48), e.eq(p.ip_src, ipToNum(port.ip), 32));
  return e.or(own, ...pairs.map((a) => e.and(e.eq(p.eth_src, macToNum(a.mac ?? port.mac), 48), e.prefix(p.ip_src, ipToNum(a.ip), a.prefixLen ?? 32))));
}

/** A DHCP client request: IPv4 UDP 68 → 67 (a client asks for an address, perhaps before it has one). */
export function dhcpClientRequest(e: Enc, p: SymPacket): Cond {
  return e.and(e.eq(p.eth_type, ETH_TYPE.ipv4, 16), e.eq(p.proto, IP_PROTO.udp, 8), e.eq(p.sport, 68, 16), e.eq(p.dport, 67, 16));
}

/**
 * What the sender is, as disjoint cases: IPv4 from any address (`anySource`, or the outside world's
 * router MAC), or from its own addresses — and then, with `dhcpClients`, a DHCP client request from
 * any other. The own-address case pins the source when it is one address.
 */
export function senderIdentities(w: SymWalker, src: SourceSpec, p: SymPacket): Guard[] {
  const { e } = w;
  const s = src.station;
  const v4 = e.eq(p.eth_type, ETH_TYPE.ipv4, 16);
  const ipv4 = { field: 'eth_type', value: ETH_TYPE.ipv4 } as const;
  if (s.kind !== 'vm-port') return [{ cond: e.and(v4, e.eq(p.eth_src, macToNum(s.mac), 48)), binds: [ipv4, { field: 'eth_src', value: macToNum(s.mac) }] }];
  if (src.anySource) return [{ cond: v4, binds: [ipv4] }];
  const pairs = src.allowedAddressPairs ?? [];
  const mine = ownAddresses(e, s, pairs, p);
  const out: Guard[] = [pairs.length > 0
    ? { cond: e.and(v4, mine), binds: [ipv4] }
    : { cond: e.and(v4, mine), binds: [ipv4, { field: 'eth_src', value: macToNum(s.mac) }, { field: 'ip_src', value: ipToNum(s.ip) }] }];
  if (src.dhcpClients !== undefined) {
    const client = [ipv4, { field: 'proto', value: IP_PROTO.udp }, { field: 'sport', value: 68 }, { field: 'dport', value: 67 }] as const;
    const others = e.and(dhcpClientRequest(e, p), e.not(mine));
    out.push(src.dhcpClients === 'any'
      ? { cond: others, binds: client }
      : { cond: e.and(others, e.eq(p.ip_src, 0, 32), e.eq(p.ip_dst, 0xffffffff, 32)), binds: [...client, { field: 'ip_src', value: 0 }, { field: 'ip_dst', value: 0xffffffff }] });
  }
  return out;
}

/**
 * One next-hop case of a sender: the packets it covers and the fields they pin; `unknown` when the
 * ARP resolution behind it crossed something not modelled (those packets' fate is unknown).
 */
export type SenderCase = Guard & { readonly unknown?: string };

/** The sender's next-hop cases for the packet `p` (already restricted by its identity and what is asked). */
export function senderCases(w: SymWalker, src: SourceSpec, p: SymPacket): SenderCase[] {
  const s = src.station;
  if (s.kind === 'vm-port') {
    return firstHopCases(w, { arrive: [s.attachment] }, macToNum(s.mac), ipToNum(s.ip), null, ipToNum(s.ip), s.prefixLen, s.gateway === null ? [] : [{ prefixes: null, via: ipToNum(s.gateway) }], p);
  }
  // The upstream router reaches a tenant subnet through the router whose gateway port is on this
  // network — in any of its subnets, those without a gateway included (docs/topology.md, Conventions:
  // The outside world): the station's routes (src/dataplane/outside.ts), which the trace's first hop
  // reads too (src/questions/trace.ts nextHopOf, the first that holds the destination). Each is a
  // case here; a router whose gateway answers no ARP (its host down) gives none.
  const net = ipToNum(s.cidr.ip);
  const byVia = new Map<number, { ip: number; len: number }[]>();
  for (const r of s.routes ?? []) {
    const via = ipToNum(r.via);
    if (!byVia.has(via)) byVia.set(via, []);
    byVia.get(via)!.push({ ip: ipToNum(r.dst.ip), len: r.dst.prefixLen });
  }
  const routers = [...byVia].map(([via, prefixes]) => ({ prefixes, via }));
  return firstHopCases(w, { outside: s }, macToNum(s.mac), ipToNum(s.gateway), s.vlan, net, s.cidr.prefixLen, routers, p);
}


/**
 * eth_dst as ARP resolution gives it: on-subnet destinations map to their owners' MACs; others to the
 * MAC of the first `via` whose `prefixes` hold the destination (null prefixes = every destination).
 * One case per answered owner (pinning ip_dst and eth_dst) and per answered `via` (pinning eth_dst).
 */
function firstHopCases(
  w: SymWalker,
  from: ArpFrom,
  mac: number,
  ip: number,
  vlan: number | null,
  net: number,
  prefixLen: number,
  vias: readonly { prefixes: readonly { ip: number; len: number }[] | null; via: number }[],
  p: SymPacket,
): SenderCase[] {
  const { e } = w;
  const onLink = e.prefix(p.ip_dst, net, prefixLen);
  const cases: SenderCase[] = [];
  const seen = new Set<number>();
  if (onLink !== false) {
    for (const o of ownersIn(w.owners, net, prefixLen)) {
      if (seen.has(o.ip) || o.ip === ip) continue;
      seen.add(o.ip);
      const toIt = e.eq(p.ip_dst, o.ip, 32);
      if (toIt === false) continue; // asked about another destination: no ARP walk needed
      const m = w.arp(from, mac, ip, vlan, o.ip);
      if (m === null) continue;
      if (typeof m === 'object') cases.push({ cond: toIt, binds: [{ field: 'ip_dst', value: o.ip }], unknown: `ARP for ${formatIpv4(o.ip)}: ${m.unknown}` });
      else cases.push({ cond: e.and(toIt, e.eq(p.eth_dst, m, 48)), binds: [{ field: 'ip_dst', value: o.ip }, { field: 'eth_dst', value: m }] });
    }
  }
  const offLink = e.not(onLink);
  if (offLink === false) return cases;
  for (const v of vias) {
    const inScope = v.prefixes === null ? true : e.or(...v.prefixes.map((x) => e.prefix(p.ip_dst, x.ip, x.len)));
    const cond = e.and(offLink, inScope);
    if (cond === false) continue;
    const m = w.arp(from, mac, ip, vlan, v.via, true);
    if (m === null) continue;
    if (typeof m === 'object') cases.push({ cond, binds: [], unknown: `ARP for ${formatIpv4(v.via)}: ${m.unknown}` });
    else cases.push({ cond: e.and(cond, e.eq(p.eth_dst, m, 48)), binds: [{ field: 'eth_dst', value: m }] });
  }
  return cases;
}

/** Everything the sender may send as one condition (its identity and any of its next-hop cases). */
export function senderCond(w: SymWalker, src: SourceSpec, p: SymPacket): Cond {
  const id = w.e.or(...senderIdentities(w, src, p).map((g) => g.cond));
  return w.e.and(id, w.e.or(...senderCases(w, src, p).map((c) => c.cond)));
}
