// An index over a schema-valid topology file shared by the checks and the derivation: hosts with
// their roles, subnets parsed once, and the placement rules (which host can reach which network,
// which network node serves DHCP). Lookups are by name and return undefined for dangling names;
// deciding what a dangling name means is the caller's business.
import type { Cidr } from './ipv4.ts';
import { cidrContains, parseCidr, parseIpv4, usableRange } from './ipv4.ts';
import type { HostFile, NetworkFile, TopologyFile } from './schema.ts';

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

/** The network node whose DHCP agent serves `network`: the first host (file order) with the network role that reaches it. */
export function dhcpHostFor(ctx: FileContext, network: string): string | undefined {
  const net = ctx.networks.get(network);
  if (!net) return undefined;
  for (const [name, h] of ctx.hosts) if (rolesOf(h).network && hostReaches(h, net)) return name;
  return undefined;
}

/** The hosts of a router: the written list, else the first network node (file order). */
export function routerHosts(ctx: FileContext, hosts: readonly string[] | undefined): readonly string[] {
  if (hosts !== undefined) return hosts;
  for (const [name, h] of ctx.hosts) if (rolesOf(h).network) return [name];
  return [];
}

/** True when the network has at least one DHCP-enabled subnet. */
export const hasDhcp = (ctx: FileContext, network: string): boolean => (ctx.subnetsOf.get(network) ?? []).some((s) => s.dhcp);
