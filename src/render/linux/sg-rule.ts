// Turns one security-group rule into the iptables text the hybrid firewall installs for it, from the
// pieces in rules/iptables-hybrid/sg-rule.ts, following iptables_firewall.py: a remote_ip_prefix of
// /0 is no constraint and is left out; a remote group becomes an ipset match (and the rule is left
// out entirely when the group has no member, as Neutron creates no ipset for an empty group).
import { MULTIPORT_ONLY, OTHER_PORTS_SINCE, portProtocols, protocolModules, protocolNames, sgRuleText } from '../../../rules/iptables-hybrid/sg-rule.ts';
import type { SgRuleT } from '../../topology/model.ts';
import { canonicalCidr } from './addr.ts';
import { fill } from './engine.ts';
import { releaseIn } from './release.ts';

export interface SgRuleContext {
  /** ipset name of a remote group, or null when the group has no IPv4 member (no ipset exists). */
  readonly ipsetOf: (sgId: string) => string | null;
  /** The deployment's Neutron release (the port arguments of SCTP, DCCP and UDP-Lite changed with it). */
  readonly release: string;
}

export function protocolName(proto: number): string {
  return protocolNames[proto] ?? String(proto);
}

/** The iptables text of an IPv4 rule, or null when Neutron installs nothing for it. */
export function sgRuleToIptables(r: SgRuleT, ctx: SgRuleContext): string | null {
  if (r.ethertype !== 'IPv4') return null;
  const parts: string[] = [];
  const t = sgRuleText;
  let ipset: string | null = null;
  if (r.remoteGroup !== null) {
    ipset = ctx.ipsetOf(r.remoteGroup);
    if (ipset === null) return null;
  } else if (r.remoteIpPrefix !== null && !r.remoteIpPrefix.endsWith('/0')) {
    parts.push(fill(t.remotePrefix[r.direction], { prefix: canonicalCidr(r.remoteIpPrefix) }));
  }
  // Protocol 0 / any: no `-p`.
  if (r.protocol !== null && r.protocol !== 0) {
    const proto = protocolName(r.protocol);
    parts.push(fill(t.protocol, { proto }));
    const module = protocolModules[proto];
    const isIcmp = proto === 'icmp';
    // Before Ocata the agent wrote ports (and ICMP types) only for tcp, udp and icmp given by name:
    // other protocols, and these three given as numbers ('6'), had them left out altogether.
    const portsWritten = (!r.protocolNumbered && (proto === 'tcp' || proto === 'udp' || isIcmp)) || releaseIn(ctx.release, OTHER_PORTS_SINCE, undefined);
    const ports = r.portMin !== null && portsWritten ? r.portMin : null;
    const icmpType = portsWritten ? r.icmpType : null;
    const hasArg = isIcmp ? icmpType !== null : ports !== null;
    if (hasArg && module !== undefined) parts.push(fill(t.protocolModule, { module }));
    if (isIcmp && icmpType !== null) {
      parts.push(
        r.icmpCode === null
          ? fill(t.icmpType, { type: String(icmpType) })
          : fill(t.icmpTypeCode, { type: String(icmpType), code: String(r.icmpCode) }),
      );
    } else if (portProtocols.includes(proto) && ports !== null) {
      const max = r.portMax ?? ports;
      const multiportOnly = MULTIPORT_ONLY.protocols.includes(proto) && releaseIn(ctx.release, MULTIPORT_ONLY.since, undefined);
      parts.push(
        ports !== max ? fill(t.portRange, { min: String(ports), max: String(max) })
          : multiportOnly ? fill(t.multiportPort, { port: String(ports) })
            : fill(t.singlePort, { port: String(ports) }),
      );
    }
  }
  if (ipset !== null) parts.push(fill(t.remoteGroup[r.direction], { ipset }));
  parts.push(t.verdict);
  return parts.join(' ');
}

/** The rule in an operator's words, for provenance. */
export function describeSgRule(r: SgRuleT, groupName: string, nameOf: (sgId: string) => string): string {
  const proto = r.protocol === null || r.protocol === 0 ? 'any protocol' : protocolName(r.protocol);
  const ports =
    r.protocol === 1
      ? r.icmpType !== null ? ` type ${r.icmpType}${r.icmpCode !== null ? `/${r.icmpCode}` : ''}` : ''
      : r.portMin !== null ? ` port ${r.portMin}${r.portMax !== null && r.portMax !== r.portMin ? `-${r.portMax}` : ''}` : '';
  const remote = r.remoteGroup !== null
    ? `members of group ${nameOf(r.remoteGroup)}`
    : r.remoteIpPrefix !== null && !r.remoteIpPrefix.endsWith('/0') ? r.remoteIpPrefix : 'anywhere';
  const dir = r.direction === 'ingress' ? `in from ${remote}` : `out to ${remote}`;
  return `security group ${groupName} allows ${proto}${ports} ${dir}`;
}
