// The security-group intent of one port, computed from the topology alone (never from rendered
// rules): the packets its groups' rules allow in each direction, plus the per-port rules Neutron
// always adds (DHCP requests out, DHCP replies in from the network's DHCP servers). Anti-spoofing is
// the sender's own constraint (a port-secured port sends only from its addresses) and
// RELATED/ESTABLISHED concerns replies only, so neither appears here: properties quantify over first
// packets (conntrack NEW). IPv6 rules never match the IPv4 packets netproof models.
// Guarantees: `allows` is exactly "some IPv4 rule of some group of the port matches, or a per-port
// default does", over the packet as the firewall sees it (ingress: as delivered; egress: as sent).
import type { PortT, SgRuleT, Topology } from '../../topology/model.ts';
import { IP_PROTO } from '../../ir/packet.ts';
import type { Cond, Enc, SymPacket } from '../../smt/index.ts';
import { ipNum } from './search.ts';

export type Direction = 'ingress' | 'egress';

const PORTED = new Set([6, 17, 33, 132, 136]);

function cidr(text: string): { ip: number; len: number } {
  const [ip, len] = text.split('/');
  return { ip: ipNum(ip!), len: len === undefined ? 32 : Number(len) };
}

/** Every address a group's members may send from: fixed IPs and allowed address pairs. */
function members(topo: Topology, group: string): { ip: number; len: number }[] {
  return topo.ports
    .filter((p) => p.securityGroups.includes(group))
    .flatMap((p) => [{ ip: ipNum(p.ip), len: 32 }, ...p.allowedAddressPairs.map((a) => cidr(a.ipAddress))]);
}

function ruleMatches(e: Enc, topo: Topology, r: SgRuleT, p: SymPacket, dir: Direction): Cond {
  if (r.ethertype !== 'IPv4') return false;
  const parts: Cond[] = [];
  if (r.protocol !== null) parts.push(e.eq(p.proto, r.protocol, 8));
  if (r.protocol !== null && PORTED.has(r.protocol) && (r.portMin !== null || r.portMax !== null)) {
    parts.push(e.range(p.dport, r.portMin ?? 0, r.portMax ?? 65535, 16));
  }
  if (r.protocol === IP_PROTO.icmp) {
    if (r.icmpType !== null) parts.push(e.eq(p.icmp_type, r.icmpType, 8));
    if (r.icmpCode !== null) parts.push(e.eq(p.icmp_code, r.icmpCode, 8));
  }
  const remote = dir === 'ingress' ? p.ip_src : p.ip_dst;
  if (r.remoteIpPrefix !== null) {
    if (r.remoteIpPrefix.includes(':')) return false;
    const c = cidr(r.remoteIpPrefix);
    parts.push(e.prefix(remote, c.ip, c.len));
  }
  if (r.remoteGroup !== null) parts.push(e.or(...members(topo, r.remoteGroup).map((m) => e.prefix(remote, m.ip, m.len))));
  return e.and(...parts);
}

/** The packets the port's intent allows in `dir`. */
export function allows(e: Enc, topo: Topology, port: PortT, p: SymPacket, dir: Direction): Cond {
  const rules = topo.securityGroups.filter((g) => port.securityGroups.includes(g.id)).flatMap((g) => g.rules.filter((r) => r.direction === dir));
  const udp = (sport: number, dport: number) => e.and(e.eq(p.proto, IP_PROTO.udp, 8), e.eq(p.sport, sport, 16), e.eq(p.dport, dport, 16));
  const defaults: Cond[] =
    dir === 'egress'
      ? [udp(68, 67)]
      : [e.and(udp(67, 68), e.or(...topo.ports.filter((x) => x.deviceOwner === 'network:dhcp' && x.network === port.network).map((x) => e.eq(p.ip_src, ipNum(x.ip), 32))))];
  return e.or(...defaults, ...rules.map((r) => ruleMatches(e, topo, r, p, dir)));
}
