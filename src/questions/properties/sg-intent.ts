// The security-group intent of one port, computed from the topology alone (never from rendered
// rules): the packets its groups' rules allow in each direction, plus the per-port rules Neutron
// always adds — DHCP requests out (also the DHCPDISCOVER from 0.0.0.0 to 255.255.255.255), DHCP
// replies in (as the release's server writes them: until Ocata from the network's DHCP servers, since
// Pike to the port's own address or the broadcast address from any source), and, out, anti-spoofing (a port-secured port sends only
// from its own MAC/IP or an allowed address pair) and the block on DHCP replies sent by the VM.
// RELATED/ESTABLISHED concerns replies only, so it does not appear here: properties quantify over
// first packets (conntrack NEW). IPv6 rules never match the IPv4 packets netproof models.
// Guarantees: `allows` is exactly "some IPv4 rule of some group of the port matches, or a per-port
// default does, and no per-port block applies", over the packet as the firewall sees it (ingress: as
// it reaches the port's firewall; egress: as sent). The soundness half (nothing else gets through)
// and the completeness half (all of it gets through) of `security-groups` judge by this one function.
import type { PortT, SgRuleT, Topology } from '../../topology/model.ts';
import { IP_PROTO } from '../../ir/packet.ts';
import { ownAddresses, type Cond, type Enc, type SymPacket } from '../../smt/index.ts';
import { addressPairs } from '../senders.ts';
import { ipNum, macNum } from './search.ts';
import { DHCP_REPLY_BY_DESTINATION_SINCE } from '../../../rules/iptables-hybrid/filter.ts';
import { releaseIn } from '../../render/linux/release.ts';
import { dhcpPortsOn, portsInGroup, securityGroupsOfPort } from '../../topology/lookup.ts';

export type Direction = 'ingress' | 'egress';

const PORTED = new Set([6, 17, 33, 132, 136]);

function cidr(text: string): { ip: number; len: number } {
  const [ip, len] = text.split('/');
  return { ip: ipNum(ip!), len: len === undefined ? 32 : Number(len) };
}

const membersOf = new WeakMap<Topology, Map<string, readonly { ip: number; len: number }[]>>();

/** Every address a group's members may send from: fixed IPs and allowed address pairs (once per topology and group). */
function members(topo: Topology, group: string): readonly { ip: number; len: number }[] {
  let m = membersOf.get(topo);
  if (!m) membersOf.set(topo, (m = new Map()));
  let out = m.get(group);
  if (!out) {
    out = portsInGroup(topo, group)
      .flatMap((p) => [{ ip: ipNum(p.ip), len: 32 }, ...p.allowedAddressPairs.map((a) => cidr(a.ipAddress))]);
    m.set(group, out);
  }
  return out;
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

/** The addresses a port-secured port may send from (anti-spoofing): its own MAC/IP and its allowed address pairs. */
export function ownSource(e: Enc, port: PortT, p: SymPacket): Cond {
  return ownAddresses(e, port, addressPairs(port), p);
}

/** The packets the port's intent allows in `dir`. */
export function allows(e: Enc, topo: Topology, port: PortT, p: SymPacket, dir: Direction): Cond {
  const rules = securityGroupsOfPort(topo, port).flatMap((g) => g.rules.filter((r) => r.direction === dir));
  const udp = (sport: number, dport: number) => e.and(e.eq(p.proto, IP_PROTO.udp, 8), e.eq(p.sport, sport, 16), e.eq(p.dport, dport, 16));
  const groups = rules.map((r) => ruleMatches(e, topo, r, p, dir));
  if (dir === 'ingress') {
    if (releaseIn(topo.release, DHCP_REPLY_BY_DESTINATION_SINCE, undefined)) {
      return e.or(e.and(udp(67, 68), e.or(e.eq(p.ip_dst, ipNum(port.ip), 32), e.eq(p.ip_dst, 0xffffffff, 32))), ...groups);
    }
    const dhcpServers = dhcpPortsOn(topo, port.network);
    return e.or(e.and(udp(67, 68), e.or(...dhcpServers.map((x) => e.eq(p.ip_src, ipNum(x.ip), 32)))), ...groups);
  }
  // A DHCPDISCOVER is sent before the port has an address; everything else must pass anti-spoofing,
  // and a VM never answers DHCP (Neutron's "Prevent DHCP Spoofing by VM").
  const discover = e.and(udp(68, 67), e.eq(p.ip_src, 0, 32), e.eq(p.ip_dst, 0xffffffff, 32));
  const spoofOk = port.portSecurity ? ownSource(e, port, p) : true;
  return e.or(discover, e.and(spoofOk, e.not(udp(67, 68)), e.or(udp(68, 67), ...groups)));
}
