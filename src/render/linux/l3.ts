// The qrouter namespace of each router on each of its hosts: `ip addr` (qr- with the subnet gateway
// addresses, qg- with the gateway address and every floating IP it serves as /32), `ip route`
// (connected, default via the external subnet's gateway, extra routes) and `iptables-save` from the
// templates in rules/l3-agent/. A legacy router has one instance, on its host. An L3 HA router has one
// per host, each with its ha- port on the HA network and a keepalived.conf (keepalived.ts); the L3 agent
// programs the same iptables in every instance, but only the VRRP master's namespace holds the router's
// addresses and routes (keepalived adds them without a broadcast address): a backup's qr-/qg- devices
// have none, not even an IPv6 link-local one (neutron_doc_l3ha_qrouter_ip_addr_backup.txt / _master.txt).
// The rendered state has the instance `RouterHaT.master` as master.
import { l3Iptables } from '../../../rules/l3-agent/iptables.ts';
import { l3Routes } from '../../../rules/l3-agent/routes.ts';
import type { PortT, RouterT, Topology } from '../../topology/model.ts';
import { type Artifact, artifactPath, type Provenance } from '../artifacts.ts';
import { deviceName } from '../names.ts';
import { canonicalCidr, cidrContains, networkAddress } from './addr.ts';
import { emptyBuild, fill, instantiate } from './engine.ts';
import { routerDevices, routerFloatingIps, routerForwardedIps, routerPortForwardings, routerVips, routerVirtualRoutes } from './ha-vips.ts';
import { type IfaceSpec, type RouteLine, writeIpAddr, writeIpRoute } from './ip-text.ts';
import { writeIptablesSave } from './iptables-save.ts';
import { pfRulePorts } from './pf-ports.ts';
import { renderKeepalivedConf } from './keepalived.ts';
import { findSubnet, mtuOf, portLabel } from './lookup.ts';
import { releaseIn } from './release.ts';
import type { Item } from './template.ts';
import { LineWriter } from './text.ts';

export { routerFloatingIps } from './ha-vips.ts';

const routerLabel = (r: RouterT) => `router ${r.name} (${r.id})`;

/** One instance of a router: its host, whether it holds the router's addresses, and its ha- port (HA only). */
interface Instance {
  readonly host: string;
  readonly master: boolean;
  readonly ha: PortT | null;
}

/** The host whose L3 agent hosts a legacy router (the first of its hosts). */
export function routerHost(router: RouterT): string | null {
  return router.hosts[0] ?? null;
}

function instancesOf(router: RouterT): Instance[] {
  if (router.ha === null) {
    const host = routerHost(router);
    return host === null ? [] : [{ host, master: true, ha: null }];
  }
  const { master, ports } = router.ha;
  return ports.map((p) => ({ host: p.host, master: p.host === master, ha: p }));
}

/** The ha- interface of an instance: its fixed address (broadcast included) and, on the master, the primary VIP. */
function haInterface(topo: Topology, router: RouterT, inst: Instance, port: PortT): IfaceSpec {
  const subnet = findSubnet(topo, port.subnet);
  const vrid = router.ha?.vrid ?? 0;
  return {
    name: deviceName.ha(port.id),
    mac: port.mac,
    mtu: mtuOf(topo, port.network),
    provenance: { neutron: portLabel(port), why: `instance of HA router ${router.name} on ${inst.host}: its port on ${port.network}, where VRRP runs` },
    addresses: [
      { ip: port.ip, prefixLen: subnet?.prefixLen ?? 18, provenance: { neutron: portLabel(port), why: 'the instance\'s own address on the HA network (the source of its VRRP advertisements)' } },
      ...(inst.master
        ? [{ ip: `169.254.0.${vrid}`, prefixLen: 24, brd: false, provenance: { neutron: routerLabel(router), why: `the primary VIP of VRID ${vrid}: this instance is the VRRP master` } }]
        : []),
    ],
  };
}

function renderIpAddr(topo: Topology, router: RouterT, inst: Instance, ns: string): Artifact {
  const { internal, gateway } = routerDevices(topo, router);
  const specs: IfaceSpec[] = inst.ha ? [haInterface(topo, router, inst, inst.ha)] : [];
  for (const d of gateway ? [...internal, gateway] : internal) {
    specs.push({
      name: d.dev,
      mac: d.port.mac,
      mtu: mtuOf(topo, d.port.network),
      provenance: { neutron: portLabel(d.port), why: d === gateway ? `router gateway on external network ${d.port.network}` : `router interface on ${d.cidr}` },
      addresses: router.ha === null ? legacyAddresses(topo, router, d === gateway, d.port, d.prefixLen, d.cidr) : [],
      linkLocal: router.ha === null || inst.master,
    });
  }
  if (router.ha !== null && inst.master) {
    // keepalived adds the router's addresses on the master, in its configuration's order, without broadcast.
    for (const v of routerVips(topo, router)) {
      const spec = specs.find((x) => x.name === v.dev);
      if (spec && v.ipv4) specs[specs.indexOf(spec)] = { ...spec, addresses: [...spec.addresses, { ...v.ipv4, provenance: v.provenance, brd: false }] };
    }
  }
  const w = new LineWriter();
  writeIpAddr(w, specs);
  return w.artifact(artifactPath.nsIpAddr(inst.host, ns));
}

/** A legacy router's addresses on one device, as the L3 agent adds them: the fixed address, then (qg-) the floating IPs. */
function legacyAddresses(topo: Topology, router: RouterT, isGateway: boolean, port: PortT, prefixLen: number, cidr: string): IfaceSpec['addresses'] {
  if (!isGateway) return [{ ip: port.ip, prefixLen, provenance: { neutron: portLabel(port), why: `the gateway address of ${cidr}` } }];
  return [
    { ip: port.ip, prefixLen, provenance: { neutron: portLabel(port), why: 'the router\'s external (SNAT) address' } },
    ...routerFloatingIps(topo, router).map((f) => ({
      ip: f.ip,
      prefixLen: 32,
      provenance: { neutron: `floating IP ${f.ip} (${f.id}) of ${f.vm}:${f.portIndex}`, why: `the router answers for floating IP ${f.ip} on its gateway` },
    })),
    // The port-forwarding extension adds the floating IP to qg- when it processes the first forwarding (_process_create).
    ...(releaseIn(topo.release, 'rocky', undefined) ? routerForwardedIps(topo, router) : []).map((f) => ({
      ip: f.ip,
      prefixLen: 32,
      provenance: { neutron: `floating IP ${f.ip} (${f.id}) with port forwardings`, why: `the router answers for floating IP ${f.ip} on its gateway, for its port forwardings` },
    })),
  ];
}

const routeLine = (t: { line: string; why: string }, vars: Record<string, string>, neutron: string, dst: string): RouteLine => ({
  dst,
  text: fill(t.line, vars),
  provenance: { neutron, why: fill(t.why, vars) } satisfies Provenance,
});

function renderIpRoute(topo: Topology, router: RouterT, inst: Instance, ns: string): Artifact {
  const routes = router.ha === null ? legacyRoutes(topo, router) : haRoutes(topo, router, inst);
  const w = new LineWriter();
  writeIpRoute(w, routes);
  return w.artifact(artifactPath.nsIpRoute(inst.host, ns));
}

/** A route's destination as one key: `default` and 0.0.0.0/0 alike, host bits cleared. */
const dstKey = (dst: string): string => (dst === 'default' ? '0.0.0.0/0' : canonicalCidr(dst));

/**
 * A legacy router's routes: connected per interface, the default route, the extra routes (the agent adds them).
 * The agent adds an extra route with `ip route replace` (router_info.py routes_updated → ip_lib.add_ip_route,
 * pyroute2 `route('replace')`), after the interfaces and the gateway: one whose destination is a connected
 * subnet's or the default takes that route's place, as the kernel replaces the route of the same destination
 * and metric.
 */
function legacyRoutes(topo: Topology, router: RouterT): RouteLine[] {
  const { internal, gateway } = routerDevices(topo, router);
  const all = gateway ? [...internal, gateway] : internal;
  const routes: RouteLine[] = all.map((i) => routeLine(l3Routes.connected, { cidr: i.cidr, dev: i.dev, ip: i.port.ip }, portLabel(i.port), i.cidr));
  const gwSubnet = router.gateway ? findSubnet(topo, router.gateway.subnet) : undefined;
  if (gateway && gwSubnet?.gateway) {
    routes.push(routeLine(l3Routes.defaultRoute, { gateway: gwSubnet.gateway, dev: gateway.dev }, routerLabel(router), 'default'));
  }
  for (const r of router.routes) {
    // The route leaves through the interface whose subnet holds the next hop (Neutron requires one).
    const via = all.find((i) => cidrContains(i.cidr.split('/')[0] ?? '', i.prefixLen, r.nexthop));
    if (!via) continue;
    const line = routeLine(l3Routes.extraRoute, { destination: r.destination, nexthop: r.nexthop, dev: via.dev }, routerLabel(router), r.destination);
    const replaced = routes.findIndex((x) => dstKey(x.dst) === dstKey(r.destination));
    if (replaced >= 0) routes[replaced] = line;
    else routes.push(line);
  }
  return routes;
}

/**
 * An HA router instance's routes: the ha- device's connected route; on the master also the primary VIP's,
 * one per subnet of the addresses keepalived added, and keepalived's virtual routes (the kernel picks the
 * device of a route written without one).
 */
function haRoutes(topo: Topology, router: RouterT, inst: Instance): RouteLine[] {
  const routes: RouteLine[] = [];
  if (!inst.ha) return routes;
  const haDev = deviceName.ha(inst.ha.id);
  const s = findSubnet(topo, inst.ha.subnet);
  if (s) routes.push(routeLine(l3Routes.connected, { cidr: s.cidr, dev: haDev, ip: inst.ha.ip }, portLabel(inst.ha), s.cidr));
  if (!inst.master) return routes;
  const vrid = router.ha?.vrid ?? 0;
  routes.push(routeLine(l3Routes.connected, { cidr: '169.254.0.0/24', dev: haDev, ip: `169.254.0.${vrid}` }, routerLabel(router), '169.254.0.0/24'));
  const { internal, gateway } = routerDevices(topo, router);
  const all = gateway ? [...internal, gateway] : internal;
  const seen = new Set<string>();
  for (const v of routerVips(topo, router)) {
    if (v.ipv4 === null || v.ipv4.prefixLen >= 32) continue;
    const cidr = `${networkAddress(v.ipv4.ip, v.ipv4.prefixLen)}/${v.ipv4.prefixLen}`;
    if (seen.has(`${cidr}|${v.dev}`)) continue;
    seen.add(`${cidr}|${v.dev}`);
    routes.push(routeLine(l3Routes.connected, { cidr, dev: v.dev, ip: v.ipv4.ip }, v.provenance.neutron, cidr));
  }
  // keepalived writes `protocol static` since 2023.1; before, its routes had the kernel's default (not printed).
  const proto = releaseIn(topo.release, '2023.1', undefined) ? ' proto static' : '';
  for (const r of routerVirtualRoutes(topo, router)) {
    const via = r.dev !== null ? all.find((d) => d.dev === r.dev) : all.find((d) => cidrContains(d.cidr.split('/')[0] ?? '', d.prefixLen, r.nexthop));
    if (!via) continue;
    const dst = r.destination === '0.0.0.0/0' ? 'default' : r.destination;
    // keepalived adds a route without NLM_F_EXCL, as `ip route prepend` (vrrp_iproute.c netlink_route): it goes
    // before a route of the same destination (a connected subnet's, the default), and the kernel takes the first.
    const line = { dst, text: `${dst} via ${r.nexthop} dev ${via.dev}${proto}`, provenance: r.provenance };
    const before = routes.findIndex((x) => dstKey(x.dst) === dstKey(dst));
    if (before >= 0) routes.splice(before, 0, line);
    else routes.push(line);
  }
  return routes;
}

function renderIptables(topo: Topology, router: RouterT, host: string, ns: string): Artifact {
  const { internal, gateway } = routerDevices(topo, router);
  const devices = gateway ? [...internal, gateway] : internal;
  const vars: Record<string, string> = gateway ? { qg: gateway.dev, gwIp: gateway.port.ip } : {};
  const root: Item = {
    vars,
    neutron: routerLabel(router),
    flags: { gateway: gateway !== null, snat: router.gateway?.snat ?? false, portForwarding: gateway !== null && routerPortForwardings(topo, router).length > 0 },
    scopes: {
      scopeDevice: devices.map((d) => ({ vars: { dev: d.dev }, neutron: portLabel(d.port) })),
      // Floating IPs need the gateway: without one the router serves none.
      fip: gateway
        ? routerFloatingIps(topo, router).map((f) => ({
            vars: { fip: f.ip, fixed: f.fixedIp },
            neutron: `floating IP ${f.ip} (${f.id}) of ${f.vm}:${f.portIndex}`,
          }))
        : [],
      pf: gateway
        ? routerPortForwardings(topo, router).map((pf) => ({
            vars: {
              pfFip: pf.floatingIp, proto: pf.protocol, internal: pf.internalIp, ...pfRulePorts(pf),
              // PORT_FORWARDING_CHAIN_PREFIX + id, cut to MAX_IPTABLES_CHAIN_LEN_WRAP (11) characters.
              pfChain: `pf-${pf.id}`.slice(0, 11),
            },
            neutron: `port forwarding ${pf.id} of floating IP ${pf.floatingIp} to ${pf.vm}:${pf.portIndex}`,
          }))
        : [],
    },
  };
  const build = instantiate(emptyBuild(), l3Iptables, root, topo.release);
  const w = new LineWriter();
  writeIptablesSave(w, build);
  return w.artifact(artifactPath.nsIptablesSave(host, ns));
}

/** ip-addr, ip-route and iptables-save of every router instance's qrouter namespace, and each HA instance's keepalived.conf. */
export function renderRouters(topo: Topology): Artifact[] {
  const out: Artifact[] = [];
  for (const router of topo.routers) {
    const ns = deviceName.qrouter(router.id);
    for (const inst of instancesOf(router)) {
      out.push(renderIpAddr(topo, router, inst, ns), renderIpRoute(topo, router, inst, ns), renderIptables(topo, router, inst.host, ns));
      if (inst.ha) out.push(renderKeepalivedConf(topo, router, inst.ha));
    }
  }
  return out;
}
