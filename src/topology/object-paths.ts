// Where a Neutron object of a resolved topology is written in its file, as a field path (path.ts):
// a router, a router interface, a floating IP, a network, a host, a VM port, a security-group rule, or
// the place a project is declared. Reports turn these into lines with the loader's locator
// (source-map.ts). Objects netproof derived without their being written (Neutron's default group and
// the automatic egress rules, DHCP ports) map to the written object they come from, or to nothing.
import type { Topology } from './model.ts';
import type { Path } from './path.ts';

type Data = Readonly<Record<string, unknown>>;

const isRecord = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);

function field(data: unknown, ...keys: readonly string[]): unknown {
  let v: unknown = data;
  for (const k of keys) v = isRecord(v) ? v[k] : undefined;
  return v;
}

export function portPath(vm: string, index: number): Path {
  return ['vms', vm, 'ports', index];
}

/** The path of what a result's subject (`KIND:NAME`, DESIGN §4) names, or null when it is written nowhere. */
export function subjectPath(data: unknown, subject: string): Path | null {
  const colon = subject.indexOf(':');
  if (colon < 0) return null;
  const kind = subject.slice(0, colon);
  const name = subject.slice(colon + 1);
  switch (kind) {
    case 'router': {
      const [router, subnet] = name.split('/', 2) as [string, string | undefined];
      if (field(data, 'routers', router) === undefined) return null;
      if (subnet === undefined) return ['routers', router];
      const ifaces = field(data, 'routers', router, 'interfaces');
      const i = Array.isArray(ifaces) ? ifaces.findIndex((x) => x === subnet || (isRecord(x) && x.subnet === subnet)) : -1;
      return i >= 0 ? ['routers', router, 'interfaces', i] : ['routers', router];
    }
    case 'fip': {
      const fips = field(data, 'floating_ips');
      const i = Array.isArray(fips) ? fips.findIndex((f) => isRecord(f) && f.ip === name) : -1;
      return i >= 0 ? ['floating_ips', i] : null;
    }
    case 'project':
      return projectPath(data, name);
    case 'network':
      return field(data, 'networks', name) === undefined ? null : ['networks', name];
    case 'host':
      return field(data, 'hosts', name) === undefined ? null : ['hosts', name];
    case 'port': {
      const m = /^(.+):(\d+)$/.exec(name);
      if (!m) return null;
      const ports = field(data, 'vms', m[1]!, 'ports');
      return Array.isArray(ports) && Number(m[2]) < ports.length ? portPath(m[1]!, Number(m[2])) : null;
    }
    default:
      return null;
  }
}

/** Where a project is declared: its security groups, else its first network, router or VM (their `project`). */
function projectPath(data: unknown, project: string): Path | null {
  if (field(data, 'security_groups', project) !== undefined) return ['security_groups', project];
  for (const kind of ['networks', 'routers', 'vms'] as const) {
    const objects = field(data, kind);
    if (!isRecord(objects)) continue;
    const hit = Object.entries(objects).find(([, o]) => isRecord(o) && o.project === project);
    if (hit) return [kind, hit[0], 'project'];
  }
  return null;
}

/**
 * The path of a security-group rule by its id: the rule as written (`security_groups.P.G[i]` or
 * `…G.rules[i]`); for an automatic egress rule, its group; for Neutron's default group when not written
 * out, null.
 */
export function sgRulePath(topo: Topology, data: unknown, ruleId: string): Path | null {
  for (const g of topo.securityGroups) {
    const k = g.rules.findIndex((r) => r.id === ruleId);
    if (k < 0) continue;
    const written = field(data, 'security_groups', g.project, g.name);
    if (Array.isArray(written)) return k < written.length ? ['security_groups', g.project, g.name, k] : ['security_groups', g.project, g.name];
    const rules = field(written, 'rules');
    if (Array.isArray(rules)) return k < rules.length ? ['security_groups', g.project, g.name, 'rules', k] : ['security_groups', g.project, g.name];
    return null;
  }
  return null;
}
