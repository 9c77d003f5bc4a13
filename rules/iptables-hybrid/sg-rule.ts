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
  /** A single port of a protocol iptables matches with `-m multiport` only (UDP-Lite), since Stein. */
  multiportPort: '-m multiport --dports {port}',
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

/** Protocols whose ports iptables matches with --dport / -m multiport (Neutron's SG_PORT_PROTO_NAMES). */
export const portProtocols: readonly string[] = ['tcp', 'udp', 'sctp', 'dccp', 'udplite'];

/**
 * Until Ocata `_port_arg` wrote ports for tcp and udp only (`protocol not in ['udp', 'tcp', 'icmp',
 * 'ipv6-icmp']` → no port arguments): an SCTP, DCCP or UDP-Lite rule with a port range let every
 * port of its protocol in. Ocata (10.0.0) writes them for every protocol. The test is of the rule's
 * protocol as stored, and the API stores a number as given (`convert_protocol` in
 * extensions/securitygroup.py returns `str(value)`; Juno 2014.2 to Newton 9.0.0 alike): a rule of
 * protocol `6` port 22 let every TCP port in, one of protocol `1` type 8 every ICMP message.
 */
export const OTHER_PORTS_SINCE = 'ocata';

/**
 * iptables has no UDP-Lite match of its own, so `--dport N` is refused there; since Stein (commit
 * 4350ed3c35, "Better handle ports in security groups") a single UDP-Lite port is written as
 * `-m multiport --dports N`. Before, the agent wrote `--dport N`, which iptables-restore rejects.
 */
export const MULTIPORT_ONLY = { protocols: ['udplite'] as readonly string[], since: 'stein' } as const;
