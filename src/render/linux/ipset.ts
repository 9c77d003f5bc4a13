// The ipsets of the hybrid firewall on one host: one per security group that an IPv4 rule of a
// filtered port on the host names as its remote group, holding the fixed IPs and allowed-address-pair
// addresses of every port in that group anywhere in the topology (what the Neutron server sends as
// the group's members). A group without members gets no ipset, and rules naming it are left out.
// A member of prefix length 0 is written as the two /1 halves, as Neutron's ipset manager writes it
// (`_sanitize_addresses`, neutron/agent/linux/ipset_manager.py, since Liberty): a hash:net set refuses /0.
import type { Topology } from '../../topology/model.ts';
import { chainName } from '../names.ts';
import { ipv4ToNumber as ipToInt } from '../../net/ipv4.ts';
import { canonicalCidr, parseCidr } from './addr.ts';
import type { LineWriter } from './text.ts';
import { vmPortsOn } from './zones.ts';
import { portsInGroup, securityGroupById } from '../../topology/lookup.ts';

export interface HostIpset {
  readonly name: string;
  readonly sgId: string;
  readonly sgName: string;
  /** `ipset save` member text: a bare address for /32, else `net/len`; sorted by address. */
  readonly members: readonly string[];
}

const isV4 = (s: string) => !s.includes(':');
/** What stands for 0.0.0.0/0 in a hash:net set. */
const IPV4_HALVES = ['0.0.0.0/1', '128.0.0.0/1'] as const;

/** IPv4 members of a security group, over every port of the topology. */
export function groupMembers(topo: Topology, sgId: string): string[] {
  const out = new Set<string>();
  for (const p of portsInGroup(topo, sgId)) {
    out.add(p.ip);
    for (const pair of p.allowedAddressPairs) {
      if (!isV4(pair.ipAddress)) continue;
      const c = canonicalCidr(pair.ipAddress);
      if (parseCidr(c).prefixLen === 0) for (const half of IPV4_HALVES) out.add(half);
      else out.add(c.endsWith('/32') ? parseCidr(c).ip : c);
    }
  }
  return [...out].sort((a, b) => ipToInt(parseCidr(a).ip) - ipToInt(parseCidr(b).ip) || a.localeCompare(b));
}

/** The ipsets the host's filtered ports reference, in order of first reference. */
export function hostIpsets(topo: Topology, host: string): HostIpset[] {
  const seen = new Map<string, HostIpset>();
  for (const port of vmPortsOn(topo, host)) {
    if (!port.portSecurity) continue;
    for (const sgId of port.securityGroups) {
      const sg = securityGroupById(topo, sgId);
      for (const r of sg?.rules ?? []) {
        if (r.ethertype !== 'IPv4' || r.remoteGroup === null || seen.has(r.remoteGroup)) continue;
        const members = groupMembers(topo, r.remoteGroup);
        if (members.length === 0) continue;
        const remote = securityGroupById(topo, r.remoteGroup);
        seen.set(r.remoteGroup, { name: chainName.ipset(r.remoteGroup), sgId: r.remoteGroup, sgName: remote?.name ?? r.remoteGroup, members });
      }
    }
  }
  return [...seen.values()];
}

/** `ipset save` text of the host's ipsets. */
export function writeIpsetSave(w: LineWriter, sets: readonly HostIpset[]): void {
  for (const s of sets) {
    const neutron = `security group ${s.sgName} (${s.sgId})`;
    w.line(`create ${s.name} hash:net family inet hashsize 1024 maxelem 65536`, {
      neutron,
      why: `rules with remote group ${s.sgName} match its members' addresses through this set`,
    });
    for (const m of s.members) w.line(`add ${s.name} ${m}`, { neutron, why: `${m} is an address of a port in group ${s.sgName}` });
  }
}
