// Semantic checks of security groups: protocol/port/ICMP combinations Neutron would reject,
// remote prefixes, remote groups that exist in the same project, and user-written IPv6 rules
// (unsupported; the automatic IPv6 egress rules are added later and are fine).
import type { Diagnostics } from './diagnostics.ts';
import { checkCidr } from './check-util.ts';
import type { FileContext } from './context.ts';
import { parsePortRange, PORTED_PROTOCOLS, protocolNumber } from './sg-rules.ts';
import type { RuleFile } from './schema.ts';
import type { Path } from './path.ts';

/** Group names of a project: the written ones plus Neutron's `default`. */
export function groupNames(ctx: FileContext, project: string): Set<string> {
  return new Set(['default', ...Object.keys(ctx.file.security_groups?.[project] ?? {})]);
}

function checkRule(ctx: FileContext, diag: Diagnostics, project: string, at: Path, rule: RuleFile): void {
  if (rule.ethertype === 'IPv6') diag.add('NP504', [...at, 'ethertype'], 'IPv6 rules are not supported');
  const proto = protocolNumber(rule.protocol);
  if (rule.port !== undefined) {
    if (proto === null || !PORTED_PROTOCOLS.has(proto)) {
      diag.add('NP102', [...at, 'port'], `port needs a protocol with ports: tcp, udp, sctp, dccp or udplite (got ${rule.protocol ?? 'any'})`);
    } else {
      const r = parsePortRange(rule.port);
      if (!r.ok) diag.add('NP102', [...at, 'port'], r.reason);
    }
  }
  for (const f of ['icmp_type', 'icmp_code'] as const) {
    if (rule[f] !== undefined && proto !== 1) diag.add('NP102', [...at, f], `${f} needs protocol icmp (got ${rule.protocol ?? 'any'})`);
  }
  if (rule.icmp_code !== undefined && rule.icmp_type === undefined && proto === 1) {
    diag.add('NP102', [...at, 'icmp_code'], 'icmp_code needs icmp_type');
  }
  if (rule.remote_ip_prefix !== undefined) {
    checkCidr(diag, [...at, 'remote_ip_prefix'], rule.remote_ip_prefix, true);
    if (rule.remote_group !== undefined) diag.add('NP102', [...at, 'remote_group'], 'remote_group and remote_ip_prefix are mutually exclusive');
  }
  if (rule.remote_group !== undefined && !groupNames(ctx, project).has(rule.remote_group)) {
    diag.add('NP201', [...at, 'remote_group'], `no security group "${rule.remote_group}" in project ${project}`);
  }
}

export function checkSecurityGroups(ctx: FileContext, diag: Diagnostics): void {
  for (const [project, groups] of Object.entries(ctx.file.security_groups ?? {})) {
    for (const [name, g] of Object.entries(groups)) {
      const at: Path = ['security_groups', project, name];
      const rules = Array.isArray(g) ? g : g.rules;
      const rat: Path = Array.isArray(g) ? at : [...at, 'rules'];
      rules.forEach((rule, i) => checkRule(ctx, diag, project, [...rat, i], rule));
    }
  }
}
