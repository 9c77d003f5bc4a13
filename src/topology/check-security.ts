// Semantic checks of security groups: protocol/port/ICMP combinations Neutron would reject,
// remote prefixes, remote groups that exist in the same project, and user-written IPv6 rules
// (unsupported; the automatic IPv6 egress rules are added later and are fine). Stateless groups
// (`stateful: false`): only from Ussuri (neutron 16.0.0, commit cbc473e066 "Support for stateless
// security groups"), never beside a stateful group on one port (the API refuses it:
// securitygroups_db._validate_sgs_for_port), and never where the hybrid firewall's choice between
// tracking and not tracking a port depends on the order of its groups (below).
import type { Diagnostics } from './diagnostics.ts';
import { checkCidr } from './check-util.ts';
import type { FileContext } from './context.ts';
import { parsePortRange, PORTED_PROTOCOLS, protocolNumber } from './sg-rules.ts';
import type { GroupFile, RuleFile } from './schema.ts';
import type { Path } from './path.ts';
import { releaseOrdinal } from './release.ts';

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

/** The first release with stateless security groups (the stateful-security-group API extension). */
const STATELESS_SINCE = 'ussuri';

/** A written group as the agent sees it: stateful or not, and whether it has any rule (IPv6 and automatic egress ones too). */
function groupView(g: GroupFile | undefined): { stateful: boolean; hasRules: boolean } {
  // An unwritten group (only `default` may be: NP201 otherwise) is Neutron's default, stateful with four rules.
  if (g === undefined || Array.isArray(g)) return { stateful: true, hasRules: true };
  return { stateful: g.stateful !== false, hasRules: g.rules.length > 0 || g.auto_egress !== false };
}

/**
 * Stateless groups: the release has them; a port's groups agree on statefulness; and under the hybrid
 * firewall, a port in stateless groups is untracked only if the first of its groups the agent is
 * given has a rule (iptables_firewall.py `_get_port_sg_rules`/`_are_sg_rules_stateful`: the first
 * rule of the port's first group says, and a group without rules says "stateful"). The agent's port
 * dict lists the groups from a set (`list(ovo.security_group_ids)`, a SetOfUUIDsField, in
 * neutron/api/rpc/handlers/securitygroups_rpc.py), so "first" is arbitrary: a port whose stateless
 * groups are some with rules and some without is tracked or not by chance, which no file can say.
 */
export function checkStatelessGroups(ctx: FileContext, diag: Diagnostics): void {
  const release = ctx.file.defaults?.release ?? null;
  const rank = release === null ? null : releaseOrdinal(release);
  const since = releaseOrdinal(STATELESS_SINCE) as number;
  for (const [project, groups] of Object.entries(ctx.file.security_groups ?? {})) {
    for (const [name, g] of Object.entries(groups)) {
      if (Array.isArray(g) || g.stateful !== false || rank === null || rank >= since) continue;
      diag.add('NP102', ['security_groups', project, name, 'stateful'],
        `stateless security groups came with Ussuri (neutron 16.0.0, the stateful-security-group extension); release ${release} has none: remove "stateful: false" or set defaults.release`);
    }
  }
  const hybrid = ctx.file.defaults?.firewall_driver !== 'noop';
  for (const [vmName, vm] of Object.entries(ctx.file.vms ?? {})) {
    const groups = ctx.file.security_groups?.[vm.project] ?? {};
    vm.ports.forEach((p, i) => {
      if (p.port_security === false) return;
      const names = p.security_groups ?? ['default'];
      const views = names.map((n) => ({ name: n, ...groupView(groups[n]) }));
      const at: Path = ['vms', vmName, 'ports', i, 'security_groups'];
      const stateless = views.filter((v) => !v.stateful);
      if (stateless.length === 0) return;
      if (stateless.length < views.length) {
        const stateful = views.filter((v) => v.stateful).map((v) => v.name);
        diag.add('NP412', at, `port ${vmName}:${i} is in stateless group${stateless.length > 1 ? 's' : ''} ${stateless.map((v) => v.name).join(', ')} and stateful group${stateful.length > 1 ? 's' : ''} ${stateful.join(', ')}: Neutron refuses both kinds on one port (SecurityGroupConflict)`);
        return;
      }
      const empty = views.filter((v) => !v.hasRules);
      if (hybrid && empty.length > 0 && empty.length < views.length) {
        diag.add('NP413', at, `port ${vmName}:${i} is in stateless groups of which ${empty.map((v) => v.name).join(', ')} ${empty.length > 1 ? 'have' : 'has'} no rules: the hybrid firewall leaves the port untracked only if the first group it is given has a rule, and it is given them in no set order`);
      }
    });
  }
}
