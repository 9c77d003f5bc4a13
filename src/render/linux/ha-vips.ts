// What keepalived manages for an HA router (neutron/agent/l3/ha_router.py): the addresses its master
// holds — each qr- device's subnet address, the qg- address and every floating IP (port-forwarded ones too) as /32, and each
// qr-/qg- device's IPv6 link-local address — and the routes its master installs (the default route via
// the external subnet's gateway, then the extra routes). The keepalived.conf renderer writes them and
// the master instance's `ip addr` / `ip route` show them; one list serves both, so the two never differ.
import { macLinkLocal } from '../../net/mac.ts';
import type { PortT, RouterT, Topology } from '../../topology/model.ts';
import type { Provenance } from '../artifacts.ts';
import { deviceName } from '../names.ts';
import { cidrContains } from './addr.ts';
import { findSubnet, portLabel } from './lookup.ts';

export interface Vip {
  /** `ip/len` as keepalived.conf writes it. */
  readonly cidr: string;
  /** The IPv4 address and prefix, or null for an IPv6 link-local address (not modelled). */
  readonly ipv4: { readonly ip: string; readonly prefixLen: number } | null;
  readonly dev: string;
  readonly scopeLink: boolean;
  readonly provenance: Provenance;
}

export interface VirtualRoute {
  /** `0.0.0.0/0 via 203.0.113.1 dev qg-…`, `10.0.0.0/8 via 192.168.1.254`: keepalived.conf's text. */
  readonly text: string;
  readonly destination: string;
  readonly nexthop: string;
  /** The device written in keepalived.conf (extra routes have none: the kernel resolves it). */
  readonly dev: string | null;
  readonly provenance: Provenance;
}

interface Device { readonly dev: string; readonly port: PortT; readonly prefixLen: number; readonly cidr: string }

/** The router's qr- devices then its qg- device, with their subnets. */
export function routerDevices(topo: Topology, router: RouterT): { internal: Device[]; gateway: Device | null } {
  const dev = (port: PortT, subnetRef: string, name: string): Device => {
    const s = findSubnet(topo, subnetRef);
    if (!s) throw new Error(`router ${router.name}: no subnet ${subnetRef}`);
    return { dev: name, port, prefixLen: s.prefixLen, cidr: s.cidr };
  };
  const internal = router.interfaces.map((i) => dev(i.port, i.subnet, deviceName.qr(i.port.id)));
  const g = router.gateway;
  return { internal, gateway: g ? dev(g.port, g.subnet, deviceName.qg(g.port.id)) : null };
}

/** The floating IPs this router serves, in the topology's order. */
export function routerFloatingIps(topo: Topology, router: RouterT) {
  return topo.floatingIps.filter((f) => f.router === router.name || f.router === router.id);
}

/** The port forwardings of the floating IPs this router serves that no port holds, in the topology's order. */
export function routerPortForwardings(topo: Topology, router: RouterT) {
  return topo.portForwardings.filter((f) => f.router === router.name || f.router === router.id);
}

/** The floating IPs held for port forwardings by this router, once each, in order of their first forwarding. */
export function routerForwardedIps(topo: Topology, router: RouterT): { ip: string; id: string }[] {
  const seen = new Map<string, string>();
  for (const pf of routerPortForwardings(topo, router)) if (!seen.has(pf.floatingIp)) seen.set(pf.floatingIp, pf.floatingIpId);
  return [...seen].map(([ip, id]) => ({ ip, id }));
}

/** Every address the router's master holds on its qr-/qg- devices, sorted as keepalived.conf lists them. */
export function routerVips(topo: Topology, router: RouterT): Vip[] {
  const { internal, gateway } = routerDevices(topo, router);
  const out: Vip[] = [];
  const v4 = (d: Device, ip: string, prefixLen: number, provenance: Provenance): Vip => ({ cidr: `${ip}/${prefixLen}`, ipv4: { ip, prefixLen }, dev: d.dev, scopeLink: false, provenance });
  const lla = (d: Device): Vip => ({
    cidr: `${macLinkLocal(d.port.mac)}/64`, ipv4: null, dev: d.dev, scopeLink: true,
    provenance: { neutron: portLabel(d.port), why: `${d.dev}'s IPv6 link-local address: keepalived gives it to the master only` },
  });
  for (const d of internal) {
    out.push(v4(d, d.port.ip, d.prefixLen, { neutron: portLabel(d.port), why: `the gateway address of ${d.cidr}, held by the master only` }), lla(d));
  }
  if (gateway) {
    out.push(v4(gateway, gateway.port.ip, gateway.prefixLen, { neutron: portLabel(gateway.port), why: 'the router\'s external (SNAT) address, held by the master only' }));
    for (const f of routerFloatingIps(topo, router)) {
      out.push(v4(gateway, f.ip, 32, { neutron: `floating IP ${f.ip} (${f.id}) of ${f.vm}:${f.portIndex}`, why: `the master answers for floating IP ${f.ip} on its gateway` }));
    }
    // The port-forwarding extension adds a forwarded floating IP as a VIP of an HA router (_process_create → add_floating_ip).
    for (const f of routerForwardedIps(topo, router)) {
      out.push(v4(gateway, f.ip, 32, { neutron: `floating IP ${f.ip} (${f.id}) with port forwardings`, why: `the master answers for floating IP ${f.ip} on its gateway, for its port forwardings` }));
    }
    out.push(lla(gateway));
  }
  // KeepalivedInstance._build_vips_config: sorted(self.vips, key=lambda vip: vip.ip_address), a string sort.
  return out.sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0));
}

/** The routes the router's master installs: the default route, then the extra routes (`virtual_routes`). */
export function routerVirtualRoutes(topo: Topology, router: RouterT): VirtualRoute[] {
  const { internal, gateway } = routerDevices(topo, router);
  const out: VirtualRoute[] = [];
  const gwSubnet = router.gateway ? findSubnet(topo, router.gateway.subnet) : undefined;
  const label = `router ${router.name} (${router.id})`;
  if (gateway && gwSubnet?.gateway) {
    out.push({
      text: `0.0.0.0/0 via ${gwSubnet.gateway} dev ${gateway.dev}`, destination: '0.0.0.0/0', nexthop: gwSubnet.gateway, dev: gateway.dev,
      provenance: { neutron: label, why: `the router's default route via the external subnet's gateway ${gwSubnet.gateway}, on the master only` },
    });
  }
  const all = gateway ? [...internal, gateway] : internal;
  for (const r of router.routes) {
    // As the legacy renderer: only a route whose next hop is on one of the router's subnets is installed.
    if (!all.some((i) => cidrContains(i.cidr.split('/')[0] ?? '', i.prefixLen, r.nexthop))) continue;
    out.push({
      text: `${r.destination} via ${r.nexthop}`, destination: r.destination, nexthop: r.nexthop, dev: null,
      provenance: { neutron: label, why: `the router's extra route to ${r.destination} via ${r.nexthop}, on the master only` },
    });
  }
  return out;
}
