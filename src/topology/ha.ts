// L3 HA as the topology file implies it, shared by the checks and the derivation: which routers are HA
// routers and on which hosts, each project's HA network (type and physical network, as Neutron's
// l3_ha_network_type / l3_ha_network_physical_name decide), and the VRID of each HA router.
// Neutron (neutron/db/l3_hamode_db.py): one HA network per project, named `HA network project <id>`,
// subnet 169.254.192.0/18 (l3_ha_net_cidr) without DHCP or gateway, owned by no project; VRIDs come from
// VR_ID_RANGE = range(1, 255), i.e. 1–254, unique per HA network. Since Train (commit a8d0f557d5) the
// server picks a free VRID at random; netproof takes the lowest free one, as earlier releases did, so a
// topology always renders the same VRIDs (`ha: { vrid }` pins one, e.g. to match a real cloud).
import type { FileContext } from './context.ts';
import { isTunnel, rolesOf } from './context.ts';
import type { RouterFile } from './schema.ts';

export const HA_NETWORK_CIDR = '169.254.192.0/18';
export const VRID_MIN = 1;
export const VRID_MAX = 254;
/** Neutron's max_l3_agents_per_router default: how many L3 agents an HA router without written hosts gets. */
export const MAX_L3_AGENTS_PER_ROUTER = 3;
/** Neutron's ha_vrrp_advert_int default, seconds. */
export const DEFAULT_ADVERT_INT = 2;

/** A router with several hosts is an HA router; `ha:` makes one with a single host an HA router too. */
export const isHaRouter = (r: RouterFile): boolean => r.ha !== undefined || (r.hosts?.length ?? 0) > 1;

/** The project whose HA network carries the router's VRRP (a router without one: the admin project). */
export const haProjectOf = (r: RouterFile): string => r.project ?? 'admin';

export const haNetworkName = (project: string): string => `HA network project ${project}`;
export const haSubnetName = (project: string): string => `HA subnet project ${project}`;

export interface HaNetworkType {
  readonly type: 'vxlan' | 'gre' | 'vlan';
  readonly physicalNetwork: string | null;
  /** Where the choice came from, for messages. */
  readonly because: string;
}

/**
 * The HA networks' type: `defaults.l3_ha_network_type`, else that of the deployment's tenant networks
 * (Neutron takes ml2's first tenant_network_types; netproof the first non-external VXLAN, GRE or VLAN
 * network in the file), else VXLAN. A VLAN HA network sits on `l3_ha_network_physical_name`, else on the
 * tenant VLAN network's physical network.
 */
export function haNetworkType(ctx: FileContext): HaNetworkType {
  const d = ctx.file.defaults;
  const tenant = [...ctx.networks].find(([, n]) => n.external !== true && n.type !== 'flat');
  if (d?.l3_ha_network_type !== undefined) {
    const physical = d.l3_ha_network_type === 'vlan'
      ? (d.l3_ha_network_physical_name ?? (tenant?.[1].type === 'vlan' ? (tenant[1].physical_network ?? null) : null))
      : null;
    return { type: d.l3_ha_network_type, physicalNetwork: physical, because: 'defaults.l3_ha_network_type' };
  }
  if (tenant) {
    const [name, n] = tenant;
    const type = n.type === 'flat' ? 'vxlan' : n.type;
    const physical = type === 'vlan' ? (d?.l3_ha_network_physical_name ?? n.physical_network ?? null) : null;
    return { type, physicalNetwork: physical, because: `the tenant network type (network ${name} is ${n.type})` };
  }
  return { type: 'vxlan', physicalNetwork: null, because: 'no tenant network to follow: VXLAN' };
}

/** The hosts of an HA router: the written list, else the first network nodes (file order), up to max_l3_agents_per_router. */
export function haRouterHosts(ctx: FileContext, r: RouterFile): readonly string[] {
  if (r.hosts !== undefined) return r.hosts;
  return [...ctx.hosts].filter(([, h]) => rolesOf(h).network).slice(0, MAX_L3_AGENTS_PER_ROUTER).map(([name]) => name);
}

/** HA routers by project, in file order. */
export function haRoutersByProject(ctx: FileContext): Map<string, [string, RouterFile][]> {
  const out = new Map<string, [string, RouterFile][]>();
  for (const [name, r] of Object.entries(ctx.file.routers ?? {})) {
    if (!isHaRouter(r)) continue;
    const p = haProjectOf(r);
    const list = out.get(p) ?? [];
    list.push([name, r]);
    out.set(p, list);
  }
  return out;
}

/**
 * Router name → VRID: pinned ones kept, the others the lowest free one of their HA network in file order.
 * Assumes the checks passed (pins in range and unique, at most 254 routers per HA network).
 */
export function allocateVrids(ctx: FileContext): Map<string, number> {
  const out = new Map<string, number>();
  for (const routers of haRoutersByProject(ctx).values()) {
    const used = new Set(routers.flatMap(([, r]) => (r.ha?.vrid !== undefined ? [r.ha.vrid] : [])));
    let next = VRID_MIN;
    for (const [name, r] of routers) {
      if (r.ha?.vrid !== undefined) {
        out.set(name, r.ha.vrid);
        continue;
      }
      while (used.has(next)) next++;
      used.add(next);
      out.set(name, next);
    }
  }
  return out;
}

/** Whether the HA network type needs a tunnel endpoint on every instance's host. */
export const haNeedsTunnel = (t: HaNetworkType): boolean => isTunnel(t.type);
