// How the hybrid firewall writes one security-group rule as iptables match text
// (`_generate_plain_rule_args` / `_generate_ipset_rule_args` in iptables_firewall.py), piece by piece
// in the order iptables-save prints them: address, protocol, ports or ICMP type, ipset, verdict.
// The engine (src/render/linux/sg-rule.ts) picks the pieces a rule needs.

export const sgRuleText = {
  /** remote_ip_prefix: the remote end is the source of ingress traffic, the destination of egress. */
  remotePrefix: { ingress: '-s {prefix}', egress: '-d {prefix}' },
  /** `-p` by name where iptables has one, else the number. */
  protocol: '-p {proto}',
  /** iptables adds the protocol's match module when a port (or ICMP type) is given. */
  protocolModule: '-m {module}',
  singlePort: '--dport {port}',
  portRange: '-m multiport --dports {min}:{max}',
  icmpType: '--icmp-type {type}',
  icmpTypeCode: '--icmp-type {type}/{code}',
  /** remote_group_id with ipsets: the group's member addresses. */
  remoteGroup: { ingress: '-m set --match-set {ipset} src', egress: '-m set --match-set {ipset} dst' },
  verdict: '-j RETURN',
} as const;

/** Protocol numbers iptables-save prints by name. */
export const protocolNames: Readonly<Record<number, string>> = {
  1: 'icmp',
  6: 'tcp',
  17: 'udp',
  33: 'dccp',
  50: 'esp',
  51: 'ah',
  132: 'sctp',
  136: 'udplite',
};

/** Protocols with a match module (`-m tcp`) that takes ports or an ICMP type. */
export const protocolModules: Readonly<Record<string, string>> = {
  tcp: 'tcp',
  udp: 'udp',
  icmp: 'icmp',
  sctp: 'sctp',
  dccp: 'dccp',
};

/** Protocols whose ports iptables matches with --dport / -m multiport. */
export const portProtocols: readonly string[] = ['tcp', 'udp', 'sctp', 'dccp', 'udplite'];
