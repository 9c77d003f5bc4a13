// The state keepalived gives an HA router's namespaces once VRRP has elected: the master holds every
// address its keepalived.conf lists (`virtual_ipaddress` and `virtual_ipaddress_excluded`, on the
// devices named there) with their connected routes, and the `virtual_routes`; a backup holds none of
// them. Everything comes from the parsed configuration (IR `VrrpInstance`), never from the topology, so
// a configuration that lacks an address moves without it. What the namespace holds that keepalived
// does not manage (the ha- device's own address and route) stays where it is.
// Guarantees: the result differs from the input only in the interfaces and routes of namespaces with
// VRRP instances; `observedMasters` of the result is exactly the chosen set (for instances whose
// devices exist); applying the state the input already has changes nothing a packet can see.
import type { Address, Dataplane, HostDataplane, Namespace, NsInterface, Route } from '../ir/dataplane.ts';
import type { VrrpAddress, VrrpInstance } from '../ir/vrrp.ts';
import { formatIpv4, inPrefix, ipv4ToNumber, networkOf } from '../net/ipv4.ts';

/** One keepalived instance of the dataplane: where it runs and its configuration. */
export interface VrrpSite {
  readonly host: string;
  readonly namespace: string;
  readonly instance: VrrpInstance;
}

/** `host/namespace/instance`: names one instance across the dataplane. */
export const siteKey = (s: { readonly host: string; readonly namespace: string; readonly instance: { readonly name: string } }): string =>
  `${s.host}/${s.namespace}/${s.instance.name}`;

/** Every keepalived instance of the dataplane, host by host. */
export function vrrpSites(dp: Dataplane): VrrpSite[] {
  return dp.hosts.flatMap((h) => h.namespaces.flatMap((ns) => (ns.vrrp ?? []).map((instance) => ({ host: h.name, namespace: ns.name, instance }))));
}

const managedAddresses = (v: VrrpInstance): readonly VrrpAddress[] => [...v.vips, ...v.excludedVips];

/** The instances whose namespace holds their primary VIP (the first `virtual_ipaddress`) now: the masters as collected or rendered. */
export function observedMasters(dp: Dataplane): Set<string> {
  const out = new Set<string>();
  for (const h of dp.hosts) {
    for (const ns of h.namespaces) {
      for (const v of ns.vrrp ?? []) {
        const primary = v.vips[0];
        const held = primary !== undefined && ns.interfaces.some((i) => i.name === primary.dev && i.addresses.some((a) => a.ip === primary.ip));
        if (held) out.add(siteKey({ host: h.name, namespace: ns.name, instance: v }));
      }
    }
  }
  return out;
}

const connectedDst = (a: { readonly ip: string; readonly prefixLen: number }): Address => ({ ip: formatIpv4(networkOf(ipv4ToNumber(a.ip), a.prefixLen)), prefixLen: a.prefixLen });

/** The namespace with every keepalived-managed address and route taken away. */
function stripped(ns: Namespace): Namespace {
  const instances = ns.vrrp ?? [];
  const addrKey = (dev: string, ip: string) => `${dev}|${ip}`;
  const managed = new Set(instances.flatMap((v) => managedAddresses(v).map((a) => addrKey(a.dev, a.ip))));
  const interfaces = ns.interfaces.map((i) => ({ ...i, addresses: i.addresses.filter((a) => !managed.has(addrKey(i.name, a.ip))) }));
  const kept = (dev: string, dst: Address) =>
    interfaces.some((i) => i.name === dev && i.addresses.some((a) => a.prefixLen === dst.prefixLen && connectedDst(a).ip === dst.ip));
  const isManagedConnected = (r: Route) =>
    r.via === null && instances.some((v) => managedAddresses(v).some((a) => a.dev === r.dev && a.prefixLen < 32 && sameDst(connectedDst(a), r.dst))) && !kept(r.dev, r.dst);
  const isVirtual = (r: Route) =>
    instances.some((v) => v.routes.some((vr) => sameDst(vr.dst, r.dst) && vr.via === r.via && (vr.dev === null || vr.dev === r.dev)));
  return { ...ns, interfaces, routes: ns.routes.filter((r) => !isManagedConnected(r) && !isVirtual(r)) };
}

const sameDst = (a: Address, b: Address) => a.ip === b.ip && a.prefixLen === b.prefixLen;

/** The namespace as a master of `v` has it: its addresses on their devices, their connected routes, its routes. */
function asMaster(ns: Namespace, v: VrrpInstance): Namespace {
  const addresses = new Map<string, Address[]>(ns.interfaces.map((i) => [i.name, [...i.addresses]]));
  const routes: Route[] = [...ns.routes];
  for (const a of managedAddresses(v)) {
    const held = addresses.get(a.dev);
    if (!held) continue; // keepalived cannot add an address to a device the namespace lacks
    if (!held.some((x) => x.ip === a.ip)) held.push({ ip: a.ip, prefixLen: a.prefixLen });
    const dst = connectedDst(a);
    if (a.prefixLen < 32 && !routes.some((r) => r.via === null && r.dev === a.dev && sameDst(r.dst, dst))) {
      routes.push({ dst, via: null, dev: a.dev, src: a.ip, origin: a.origin });
    }
  }
  for (const r of v.routes) {
    // A route written without a device leaves where the kernel would send its next hop (or destination).
    const target = r.via ?? r.dst.ip;
    const dev = r.dev ?? connectedDevice(routes, target);
    if (dev === null || !addresses.has(dev)) continue;
    if (routes.some((x) => sameDst(x.dst, r.dst) && x.via === r.via && x.dev === dev)) continue;
    // keepalived adds routes as `ip route prepend` (no NLM_F_EXCL, vrrp_iproute.c netlink_route): before a
    // route of the same destination, which the kernel then passes over (the first listed wins a tie).
    const route: Route = { dst: r.dst, via: r.via, dev, src: null, origin: r.origin };
    const before = routes.findIndex((x) => sameDst(x.dst, r.dst));
    if (before >= 0) routes.splice(before, 0, route);
    else routes.push(route);
  }
  const interfaces: NsInterface[] = ns.interfaces.map((i) => ({ ...i, addresses: addresses.get(i.name) ?? i.addresses }));
  return { ...ns, interfaces, routes };
}

/** The device of the longest connected route holding `ip`. */
function connectedDevice(routes: readonly Route[], ip: string): string | null {
  let best: Route | null = null;
  for (const r of routes) if (r.via === null && inPrefix(ip, r.dst.ip, r.dst.prefixLen) && (best === null || r.dst.prefixLen > best.dst.prefixLen)) best = r;
  return best?.dev ?? null;
}

/**
 * The dataplane with exactly the instances `isMaster` accepts as VRRP masters: every namespace with
 * keepalived instances loses what they manage, then each master's namespace gets what its instance
 * lists. Namespaces without VRRP are shared with the input.
 */
export function withVrrpState(dp: Dataplane, isMaster: (site: VrrpSite) => boolean): Dataplane {
  const hosts: HostDataplane[] = dp.hosts.map((h) => {
    if (!h.namespaces.some((ns) => (ns.vrrp ?? []).length > 0)) return h;
    return {
      ...h,
      namespaces: h.namespaces.map((ns) => {
        const instances = ns.vrrp ?? [];
        if (instances.length === 0) return ns;
        let out = stripped(ns);
        for (const instance of instances) if (isMaster({ host: h.name, namespace: ns.name, instance })) out = asMaster(out, instance);
        return out;
      }),
    };
  });
  return { ...dp, hosts };
}
