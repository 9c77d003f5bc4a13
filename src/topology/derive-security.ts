// Resolved security groups. Per project (in order of first appearance: security_groups, then VMs),
// `default` comes first — Neutron's default group (ingress IPv4/IPv6 from members of itself, egress
// IPv4/IPv6 to anywhere) unless written out — then the written groups in file order. A group written
// as a list of rules also gets Neutron's two automatic egress rules (IPv4 any, IPv6 any), as a group
// created through the API does, unless written `{ rules, auto_egress: false }`.
import type { SecurityGroupT, SgRuleT } from './model.ts';
import type { FileContext } from './context.ts';
import { deriveId } from './ids.ts';
import { formatCidr, parseCidr } from './ipv4.ts';
import type { GroupFile, RuleFile } from './schema.ts';
import { parsePortRange, protocolNumber } from './sg-rules.ts';

const groupId = (project: string, group: string, written?: string): string =>
  written?.toLowerCase() ?? deriveId('security_group', `${project}/${group}`);

/** Projects that need groups: those with written groups, then those of VMs, in file order. */
function projects(ctx: FileContext): string[] {
  const out = new Set<string>(Object.keys(ctx.file.security_groups ?? {}));
  for (const vm of Object.values(ctx.file.vms ?? {})) out.add(vm.project);
  return [...out];
}

function bare(id: string, direction: SgRuleT['direction'], ethertype: SgRuleT['ethertype'], remoteGroup: string | null): SgRuleT {
  return { id, direction, ethertype, protocol: null, portMin: null, portMax: null, icmpType: null, icmpCode: null, remoteIpPrefix: null, remoteGroup };
}

function resolveRule(rule: RuleFile, id: string, groupIds: ReadonlyMap<string, string>): SgRuleT {
  const range = rule.port === undefined ? null : parsePortRange(rule.port);
  const prefix = rule.remote_ip_prefix === undefined ? null : parseCidr(rule.remote_ip_prefix, true);
  return {
    id: rule.id?.toLowerCase() ?? id,
    direction: rule.direction,
    ethertype: rule.ethertype ?? 'IPv4',
    protocol: protocolNumber(rule.protocol),
    ...(typeof rule.protocol === 'number' ? { protocolNumbered: true as const } : {}),
    portMin: range?.ok ? range.min : null,
    portMax: range?.ok ? range.max : null,
    icmpType: rule.icmp_type ?? null,
    icmpCode: rule.icmp_code ?? null,
    // A bare address is stored as the /32 Neutron would store.
    remoteIpPrefix: prefix?.ok ? formatCidr(prefix.cidr) : null,
    remoteGroup: rule.remote_group === undefined ? null : (groupIds.get(rule.remote_group) ?? null),
  };
}

function resolveGroup(project: string, name: string, g: GroupFile, groupIds: ReadonlyMap<string, string>): SecurityGroupT {
  const id = groupId(project, name, Array.isArray(g) ? undefined : g.id);
  const written = Array.isArray(g) ? g : g.rules;
  const ruleId = (i: number) => deriveId('security_group_rule', `${project}/${name}/${i}`);
  const rules = written.map((r, i) => resolveRule(r, ruleId(i), groupIds));
  if (Array.isArray(g) || g.auto_egress !== false) {
    rules.push(bare(ruleId(written.length), 'egress', 'IPv4', null), bare(ruleId(written.length + 1), 'egress', 'IPv6', null));
  }
  return { name, id, project, rules, stateful: Array.isArray(g) || g.stateful !== false };
}

function neutronDefault(project: string): SecurityGroupT {
  const id = groupId(project, 'default');
  const ruleId = (i: number) => deriveId('security_group_rule', `${project}/default/${i}`);
  return {
    name: 'default',
    id,
    project,
    rules: [bare(ruleId(0), 'ingress', 'IPv4', id), bare(ruleId(1), 'ingress', 'IPv6', id), bare(ruleId(2), 'egress', 'IPv4', null), bare(ruleId(3), 'egress', 'IPv6', null)],
    stateful: true,
  };
}

export function deriveSecurityGroups(ctx: FileContext): SecurityGroupT[] {
  const out: SecurityGroupT[] = [];
  for (const project of projects(ctx)) {
    const written = ctx.file.security_groups?.[project] ?? {};
    const ids = new Map<string, string>([['default', groupId(project, 'default', groupWrittenId(written['default']))]]);
    for (const [name, g] of Object.entries(written)) ids.set(name, groupId(project, name, groupWrittenId(g)));
    const def = written['default'];
    out.push(def === undefined ? neutronDefault(project) : resolveGroup(project, 'default', def, ids));
    for (const [name, g] of Object.entries(written)) if (name !== 'default') out.push(resolveGroup(project, name, g, ids));
  }
  return out;
}

const groupWrittenId = (g: GroupFile | undefined): string | undefined => (g === undefined || Array.isArray(g) ? undefined : g.id);
