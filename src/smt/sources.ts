// What a station may send as the first packet of a flow (DESIGN §2): a VM port with port security
// only from its own MAC/IP (or an allowed address pair), without it from any address; the outside
// world any packet from its upstream router's MAC. The first packet's eth_dst is the MAC the sender
// resolved by ARP for its next hop — the destination on its own subnet, else its gateway (a VM), or
// the router owning the destination's subnet (the outside world), as src/questions/trace.ts does —
// with the ARP answers found by walking the ARP requests through the dataplane.
// Guarantees: the condition only admits IPv4 packets a real sender could emit on its first try; a
// destination no one answers ARP for is excluded (that packet never leaves the sender).
import type { Station } from '../ir/dataplane.ts';
import { ETH_TYPE } from '../ir/packet.ts';
import type { SymPacket } from './headers.ts';
import { ipToNum, macToNum } from './headers.ts';
import type { Cond } from './cond.ts';
import { prefixMask } from './cond.ts';
import { ownersIn } from './owners.ts';
import type { SymWalker } from './walk.ts';

/** A sender and what it may forge. */
export interface SourceSpec {
  readonly station: Station;
  /**
   * VM ports only: false (the default) = port security on, the packet carries the port's own MAC and
   * IP or one of `allowedAddressPairs`; true = port security off, any source MAC and IP.
   */
  readonly anySource?: boolean;
  readonly allowedAddressPairs?: readonly { readonly ip: string; readonly prefixLen?: number; readonly mac?: string | null }[];
}

export function senderCond(w: SymWalker, src: SourceSpec, p: SymPacket): Cond {
  const { e } = w;
  const s = src.station;
  const parts: Cond[] = [e.eq(p.eth_type, ETH_TYPE.ipv4, 16)];
  if (s.kind === 'vm-port') {
    if (!src.anySource) {
      const own = e.and(e.eq(p.eth_src, macToNum(s.mac), 48), e.eq(p.ip_src, ipToNum(s.ip), 32));
      const pairs = (src.allowedAddressPairs ?? []).map((a) =>
        e.and(e.eq(p.eth_src, macToNum(a.mac ?? s.mac), 48), e.prefix(p.ip_src, ipToNum(a.ip), a.prefixLen ?? 32)));
      parts.push(e.or(own, ...pairs));
    }
    parts.push(firstHopMac(w, { arrive: [s.attachment] }, macToNum(s.mac), ipToNum(s.ip), null, ipToNum(s.ip), s.prefixLen, s.gateway === null ? [] : [{ prefixes: null, via: ipToNum(s.gateway) }], p));
    return e.and(...parts);
  }
  parts.push(e.eq(p.eth_src, macToNum(s.mac), 48));
  // The upstream router reaches a tenant subnet through the router whose gateway port is on this
  // network: the router namespace's address in the external subnet, for its other interfaces' prefixes.
  const net = ipToNum(s.cidr.ip);
  const routers: { prefixes: readonly { ip: number; len: number }[]; via: number }[] = [];
  for (const h of w.dp.hosts) {
    for (const ns of h.namespaces) {
      const ext = ns.interfaces.find((i) => i.addresses.some((a) => a.prefixLen < 32 && sameNet(ipToNum(a.ip), net, s.cidr.prefixLen)));
      const addr = ext?.addresses.find((a) => a.prefixLen < 32 && sameNet(ipToNum(a.ip), net, s.cidr.prefixLen));
      if (!ext || !addr) continue;
      const prefixes = ns.interfaces.filter((i) => i !== ext).flatMap((i) => i.addresses.filter((a) => a.prefixLen < 32).map((a) => ({ ip: ipToNum(a.ip), len: a.prefixLen })));
      if (prefixes.length > 0) routers.push({ prefixes, via: ipToNum(addr.ip) });
    }
  }
  parts.push(firstHopMac(w, { arrive: w.entryPoints(s) }, macToNum(s.mac), ipToNum(s.gateway), s.vlan, net, s.cidr.prefixLen, routers, p));
  return e.and(...parts);
}

const sameNet = (a: number, b: number, len: number) => ((a & prefixMask(len)) >>> 0) === ((b & prefixMask(len)) >>> 0);

/**
 * eth_dst as ARP resolution gives it: on-subnet destinations map to their owners' MACs; others to the
 * MAC of the first `via` whose `prefixes` hold the destination (null prefixes = every destination).
 */
function firstHopMac(
  w: SymWalker,
  from: { readonly arrive: readonly { host: string; device: string; port: string }[] },
  mac: number,
  ip: number,
  vlan: number | null,
  net: number,
  prefixLen: number,
  vias: readonly { prefixes: readonly { ip: number; len: number }[] | null; via: number }[],
  p: SymPacket,
): Cond {
  const { e } = w;
  const onLink = e.prefix(p.ip_dst, net, prefixLen);
  const cases: Cond[] = [];
  const seen = new Set<number>();
  for (const o of ownersIn(w.owners, net, prefixLen)) {
    if (seen.has(o.ip) || o.ip === ip) continue;
    seen.add(o.ip);
    const m = w.arp(from, mac, ip, vlan, o.ip);
    if (m !== null) cases.push(e.and(e.eq(p.ip_dst, o.ip, 32), e.eq(p.eth_dst, m, 48)));
  }
  const offLink: Cond[] = [];
  for (const v of vias) {
    const m = w.arp(from, mac, ip, vlan, v.via);
    if (m === null) continue;
    const inScope = v.prefixes === null ? true : e.or(...v.prefixes.map((x) => e.prefix(p.ip_dst, x.ip, x.len)));
    offLink.push(e.and(inScope, e.eq(p.eth_dst, m, 48)));
  }
  return e.or(e.and(onLink, e.or(...cases)), e.and(e.not(onLink), e.or(...offLink)));
}
