// Semantic checks of L3 HA: the HA defaults (advert interval, HA network type), each HA router's VRID
// (in Neutron's range, unique in its project's HA network, at most 254 HA routers per HA network), its
// observed states (`ha_state` only for hosts of an HA router), and that every instance's host reaches
// the HA network (a tunnel endpoint, or a bridge mapping for a VLAN HA network).
import type { Diagnostics } from './diagnostics.ts';
import type { FileContext } from './context.ts';
import { haNeedsTunnel, haNetworkName, haNetworkType, haRouterHosts, haRoutersByProject, isHaRouter, VRID_MAX, VRID_MIN } from './ha.ts';

export function checkHaDefaults(ctx: FileContext, diag: Diagnostics): void {
  const d = ctx.file.defaults;
  const advert = d?.ha_vrrp_advert_int;
  if (advert !== undefined && (advert < 1 || advert > 255)) {
    diag.add('NP102', ['defaults', 'ha_vrrp_advert_int'], `ha_vrrp_advert_int ${advert} is outside keepalived's 1–255 seconds`);
  }
  if (d?.l3_ha_network_physical_name !== undefined && d.l3_ha_network_type !== undefined && d.l3_ha_network_type !== 'vlan') {
    diag.add('NP102', ['defaults', 'l3_ha_network_physical_name'], `a ${d.l3_ha_network_type} HA network has no physical network`);
  }
  const anyHa = Object.values(ctx.file.routers ?? {}).some(isHaRouter);
  const t = haNetworkType(ctx);
  if (anyHa && t.type === 'vlan' && t.physicalNetwork === null) {
    diag.add('NP103', ['defaults'], 'VLAN HA networks need a physical network: write defaults.l3_ha_network_physical_name', 'key');
  }
}

export function checkHaRouters(ctx: FileContext, diag: Diagnostics): void {
  const t = haNetworkType(ctx);
  for (const [project, routers] of haRoutersByProject(ctx)) {
    const pinned = new Map<number, string>();
    routers.forEach(([name, r], i) => {
      const at = ['routers', name];
      if (i === VRID_MAX) {
        diag.add('NP313', at, `${haNetworkName(project)} already carries ${VRID_MAX} HA routers, Neutron's limit (VRIDs ${VRID_MIN}–${VRID_MAX})`, 'key');
      }
      const vrid = r.ha?.vrid;
      if (vrid !== undefined) {
        if (vrid < VRID_MIN || vrid > VRID_MAX) diag.add('NP311', [...at, 'ha', 'vrid'], `VRID ${vrid} is outside Neutron's ${VRID_MIN}–${VRID_MAX}`);
        else if (pinned.has(vrid)) diag.add('NP312', [...at, 'ha', 'vrid'], `VRID ${vrid} is already router ${pinned.get(vrid) ?? '?'}'s in ${haNetworkName(project)}`);
        else pinned.set(vrid, name);
      }
      haRouterHosts(ctx, r).forEach((h, j) => {
        const host = ctx.hosts.get(h);
        if (!host) return; // a dangling host is reported with the router
        const hat = r.hosts ? [...at, 'hosts', j] : at;
        if (haNeedsTunnel(t) && host.tunnel_ip === undefined) {
          diag.add('NP406', hat, `host ${h} has no tunnel_ip for router ${name}'s ${t.type} HA network (${t.because})`);
        }
        if (t.type === 'vlan' && t.physicalNetwork !== null && host.bridge_mappings?.[t.physicalNetwork] === undefined) {
          diag.add('NP402', hat, `host ${h} has no bridge_mappings entry for physical network ${t.physicalNetwork} of router ${name}'s VLAN HA network`);
        }
      });
    });
  }
  for (const [name, r] of Object.entries(ctx.file.routers ?? {})) {
    if (r.ha_state === undefined) continue;
    const hosts = new Set(isHaRouter(r) ? haRouterHosts(ctx, r) : []);
    // An HA router placed nowhere (no network node for its default hosts) is reported as such (NP407).
    if (isHaRouter(r) && hosts.size === 0) continue;
    for (const h of Object.keys(r.ha_state)) {
      if (!isHaRouter(r)) diag.add('NP409', ['routers', name, 'ha_state', h], `router ${name} is not an HA router (one host, no ha:)`, 'key');
      else if (!hosts.has(h)) diag.add('NP409', ['routers', name, 'ha_state', h], `host ${h} runs no instance of router ${name}`, 'key');
    }
  }
}
