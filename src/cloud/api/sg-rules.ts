// A Neutron security-group rule (API shape) as a topology rule (DESIGN §2). Neutron accepts a protocol
// as a name, a number or a number in a string; the names are Neutron's own
// (neutron_lib.constants.IP_PROTOCOL_MAP). For protocols with ports, port_range_min/max is the range; for
// ICMP they are the type and code. IPv6 rules have no effect on the IPv4 dataplane netproof models.
import type { RuleFile } from '../../topology/schema.ts';
import type { SecurityGroupRuleApiT } from './schema.ts';
import { formatIpv4, networkOf, parseIpv4 } from '../../net/ipv4.ts';

/** neutron_lib.constants.IP_PROTOCOL_MAP (IPv4 names; the IPv6-only ones never reach here). */
const PROTOCOL_BY_NAME: Readonly<Record<string, number>> = {
  ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, icmp: 1, igmp: 2, ipip: 4, 'ipv6-encap': 41, ospf: 89, pgm: 113,
  rsvp: 46, sctp: 132, tcp: 6, udp: 17, udplite: 136, vrrp: 112,
};
const PORTED = new Set([6, 17, 33, 132, 136]);
/** The protocols a topology file names (topology/sg-rules.ts PROTOCOL_NUMBERS); others are written as numbers. */
const TOPOLOGY_NAMES: Readonly<Record<number, 'tcp' | 'udp' | 'icmp' | 'sctp' | 'dccp' | 'udplite'>> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 132: 'sctp', 33: 'dccp', 136: 'udplite' };

export type RuleConversion =
  | { readonly kind: 'rule'; readonly rule: RuleFile; readonly remoteGroupId: string | null }
  | { readonly kind: 'ipv6' }
  | { readonly kind: 'unsupported'; readonly why: string };

function protocolOf(p: string | number | null | undefined): number | null | 'bad' {
  if (p === null || p === undefined || p === '' || p === 'any') return null;
  if (typeof p === 'number') return p >= 0 && p <= 255 ? p : 'bad';
  if (/^\d+$/.test(p)) return Number(p) <= 255 ? Number(p) : 'bad';
  return PROTOCOL_BY_NAME[p.toLowerCase()] ?? 'bad';
}

export function convertRule(r: SecurityGroupRuleApiT): RuleConversion {
  if ((r.ethertype ?? 'IPv4') !== 'IPv4') return { kind: 'ipv6' };
  if (r.remote_address_group_id) return { kind: 'unsupported', why: `remote address group ${r.remote_address_group_id}` };
  const proto = protocolOf(r.protocol);
  if (proto === 'bad') return { kind: 'unsupported', why: `protocol ${String(r.protocol)}` };
  const rule: { -readonly [K in keyof RuleFile]: RuleFile[K] } = { id: r.id, direction: r.direction };
  // Spelled as the API spelled it: Neutron stores a number as a number (`convert_protocol`), and agents
  // before Ocata wrote no ports for one (render/linux/sg-rule.ts).
  if (proto !== null) rule.protocol = typeof r.protocol === 'number' || /^\d+$/.test(String(r.protocol)) ? proto : (TOPOLOGY_NAMES[proto] ?? proto);
  const min = r.port_range_min ?? null;
  const max = r.port_range_max ?? null;
  if (proto !== null && PORTED.has(proto) && (min !== null || max !== null)) {
    const lo = min ?? 1;
    const hi = max ?? 65535;
    rule.port = lo === hi ? lo : `${lo}-${hi}`;
  } else if (proto === 1) {
    if (min !== null) rule.icmp_type = min;
    if (max !== null) rule.icmp_code = max;
  }
  if (r.remote_ip_prefix) rule.remote_ip_prefix = networkForm(r.remote_ip_prefix);
  return { kind: 'rule', rule, remoteGroupId: r.remote_group_id ?? null };
}

/**
 * A prefix as the agent's iptables rule applies it: Neutron stores `remote_ip_prefix` as given, host
 * bits and all (`10.0.0.5/24`; the API's read-only `normalized_cidr`, since Wallaby, says what it means),
 * the iptables driver writes it into `-s`/`-d` unchanged, and iptables masks it to its network. Anything
 * that is not an IPv4 prefix is kept as written, for the loader to judge.
 */
function networkForm(prefix: string): string {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(prefix.trim());
  const ip = m ? parseIpv4(m[1] as string) : null;
  const len = m ? Number(m[2]) : NaN;
  if (ip === null || !(len >= 0 && len <= 32)) return prefix;
  return `${formatIpv4(networkOf(ip, len))}/${len}`;
}
