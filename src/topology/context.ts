// An index over a schema-valid topology file shared by the checks and the derivation: hosts with
// their roles, subnets parsed once, and the placement rules (which host can reach which network,
// which network node serves DHCP). Lookups are by name and return undefined for dangling names;
// deciding what a dangling name means is the caller's business.
import type { Cidr } from './ipv4.ts';
import { cidrContains, parseCidr, parseIpv4, usableRange } from './ipv4.ts';
import type { HostFile, NetworkFile, RouterFile, TopologyFile } from './schema.ts';
import { haRouterHosts, isHaRouter } from './ha.ts';

export interface SubnetInfo {
  readonly name: string;
  readonly network: string;
  /** null when the written CIDR is invalid (reported by the checks). */
  readonly cidr: Cidr | null;
  /** The gateway address: written, else the first usable address; null when written null or invalid. */
  readonly gateway: number | null;
  readonly dhcp: boolean;
}

export interface FileContext {
  readonly file: TopologyFile;
  readonly hosts: ReadonlyMap<string, HostFile>;
  readonly networks: ReadonlyMap<string, NetworkFile>;
  /** Every subnet by name, in file order (the first definition wins when a name is reused). */
  readonly subnets: ReadonlyMap<string, SubnetInfo>;
  /** Subnets of each network, in file order. */
  readonly subnetsOf: ReadonlyMap<string, readonly SubnetInfo[]>;
}

export const isTunnel = (type: NetworkFile['type']): boolean => type === 'vxlan' || type === 'gre';

export function rolesOf(h: HostFile): { readonly compute: boolean; readonly network: boolean } {
  const roles = Array.isArray(h.role) ? h.role : [h.role];
  return { compute: roles.includes('compute'), network: roles.includes('network') };
}

/** A host reaches a tunnel network through its tunnel_ip, a flat/VLAN one through a bridge mapping. */
export function hostReaches(h: HostFile, net: NetworkFile): boolean {
  if (isTunnel(net.type)) return true;
  return net.physical_network !== undefined && h.bridge_mappings?.[net.physical_network] !== undefined;
}

export function buildContext(file: TopologyFile): FileContext {
  const subnets = new Map<string, SubnetInfo>();
  const subnetsOf = new Map<string, SubnetInfo[]>();
  for (const [netName, net] of Object.entries(file.networks ?? {})) {
    const list: SubnetInfo[] = [];
    for (const [name, s] of Object.entries(net.subnets ?? {})) {
      const parsed = s.cidr.includes(':') ? null : parseCidr(s.cidr);
      const cidr = parsed?.ok ? parsed.cidr : null;
      let gateway: number | null = null;
      if (s.gateway === undefined) gateway = cidr ? (usableRange(cidr)?.first ?? null) : null;
      else if (s.gateway !== null) gateway = parseIpv4(s.gateway);
      const info: SubnetInfo = { name, network: netName, cidr, gateway, dhcp: s.dhcp ?? true };
      list.push(info);
      if (!subnets.has(name)) subnets.set(name, info);
    }
    subnetsOf.set(netName, list);
  }
  return {
    file,
    hosts: new Map(Object.entries(file.hosts)),
    networks: new Map(Object.entries(file.networks ?? {})),
    subnets,
    subnetsOf,
  };
}

/** The subnet of `network` holding `ip`; with no ip, the network's first subnet (where allocation happens). */
export function subnetFor(ctx: FileContext, network: string, ip: number | null): SubnetInfo | undefined {
  const list = ctx.subnetsOf.get(network) ?? [];
  if (ip === null) return list[0];
  return list.find((s) => s.cidr !== null && cidrContains(s.cidr, ip));
}

/** The external network one of whose subnets holds `ip` (a floating IP's), the first in file order; undefined when none does. */
export function externalNetworkOf(ctx: FileContext, ip: number): string | undefined {
  return [...ctx.networks].find(([n, net]) => net.external === true && subnetFor(ctx, n, ip) !== undefined)?.[0];
}

/** The network nodes (file order) that can run `network`'s DHCP server: network role, and they reach it. */
export function dhcpCandidates(ctx: FileContext, network: string): string[] {
  const net = ctx.networks.get(network);
  if (!net) return [];
  return [...ctx.hosts].filter(([, h]) => rolesOf(h).network && hostReaches(h, net)).map(([name]) => name);
}

/**
 * The DHCP agents serving each DHCP-enabled network, as Neutron's default scheduler (WeightScheduler,
 * dhcp_load_type = networks) spreads them: networks in file order; a network's written `dhcp_hosts`,
 * else `dhcp_agents_per_network` (default 1) of its candidates, those serving the fewest networks so
 * far first (file order among equals). Networks without a candidate get none (the checks report it).
 */
export function scheduleDhcp(ctx: FileContext): Map<string, readonly string[]> {
  const perNetwork = Math.max(1, ctx.file.defaults?.dhcp_agents_per_network ?? 1);
  const load = new Map<string, number>();
  const out = new Map<string, readonly string[]>();
  for (const [name, net] of ctx.networks) {
    if (!hasDhcp(ctx, name)) continue;
    const chosen = net.dhcp_hosts !== undefined
      ? [...new Set(net.dhcp_hosts)]
      : dhcpCandidates(ctx, name)
        .map((h, order) => ({ h, order, load: load.get(h) ?? 0 }))
        .sort((a, b) => a.load - b.load || a.order - b.order)
        .slice(0, perNetwork)
        .sort((a, b) => a.order - b.order)
        .map((c) => c.h);
    if (chosen.length === 0) continue;
    for (const h of chosen) load.set(h, (load.get(h) ?? 0) + 1);
    out.set(name, chosen);
  }
  return out;
}

/**
 * The hosts of a router: the written list, else the first network node (file order) — or, for an HA
 * router, the first network nodes up to Neutron's max_l3_agents_per_router (ha.ts).
 */
export function routerHosts(ctx: FileContext, r: RouterFile): readonly string[] {
  if (isHaRouter(r)) return haRouterHosts(ctx, r);
  if (r.hosts !== undefined) return r.hosts;
  for (const [name, h] of ctx.hosts) if (rolesOf(h).network) return [name];
  return [];
}

/** True when the network has at least one DHCP-enabled subnet. */
export const hasDhcp = (ctx: FileContext, network: string): boolean => (ctx.subnetsOf.get(network) ?? []).some((s) => s.dhcp);
