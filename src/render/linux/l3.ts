// The qrouter namespace of each legacy router on its host: `ip addr` (qr- with the subnet gateway
// addresses, qg- with the gateway address and every floating IP it serves as /32), `ip route`
// (connected, default via the external subnet's gateway, extra routes) and `iptables-save` from the
// templates in rules/l3-agent/. Only the router's first host renders it: L3 HA is not modelled.
import { l3Iptables } from '../../../rules/l3-agent/iptables.ts';
import { l3Routes } from '../../../rules/l3-agent/routes.ts';
import type { PortT, RouterT, Topology } from '../../topology/model.ts';
import { type Artifact, artifactPath, type Provenance } from '../artifacts.ts';
import { deviceName } from '../names.ts';
import { cidrContains } from './addr.ts';
import { emptyBuild, fill, instantiate } from './engine.ts';
import { type IfaceSpec, type RouteLine, writeIpAddr, writeIpRoute } from './ip-text.ts';
import { writeIptablesSave } from './iptables-save.ts';
import { findSubnet, mtuOf, portLabel } from './lookup.ts';
import type { Item } from './template.ts';
import { LineWriter } from './text.ts';

const routerLabel = (r: RouterT) => `router ${r.name} (${r.id})`;

interface RouterIface {
  readonly dev: string;
  readonly port: PortT;
  readonly prefixLen: number;
  readonly cidr: string;
  readonly network: string;
}

function ifaces(topo: Topology, router: RouterT): { internal: RouterIface[]; gateway: RouterIface | null } {
  const toIface = (port: PortT, subnetRef: string, network: string, dev: string): RouterIface => {
    const s = findSubnet(topo, subnetRef);
    if (!s) throw new Error(`router ${router.name}: no subnet ${subnetRef}`);
    return { dev, port, prefixLen: s.prefixLen, cidr: s.cidr, network };
  };
  const internal = router.interfaces.map((i) => toIface(i.port, i.subnet, i.network, deviceName.qr(i.port.id)));
  const g = router.gateway;
  const gateway = g ? toIface(g.port, g.subnet, g.network, deviceName.qg(g.port.id)) : null;
  return { internal, gateway };
}

/** The floating IPs this router serves, in the topology's order. */
export function routerFloatingIps(topo: Topology, router: RouterT) {
  return topo.floatingIps.filter((f) => f.router === router.name || f.router === router.id);
}

/** The host whose L3 agent hosts the router (the first of its hosts). */
export function routerHost(router: RouterT): string | null {
  return router.hosts[0] ?? null;
}

function renderIpAddr(topo: Topology, router: RouterT, host: string, ns: string): Artifact {
  const { internal, gateway } = ifaces(topo, router);
  const specs: IfaceSpec[] = internal.map((i) => ({
    name: i.dev,
    mac: i.port.mac,
    mtu: mtuOf(topo, i.network),
    provenance: { neutron: portLabel(i.port), why: `router interface on ${i.cidr}` },
    addresses: [{ ip: i.port.ip, prefixLen: i.prefixLen, provenance: { neutron: portLabel(i.port), why: `the gateway address of ${i.cidr}` } }],
  }));
  if (gateway) {
    const fips = routerFloatingIps(topo, router).map((f) => ({
      ip: f.ip,
      prefixLen: 32,
      provenance: { neutron: `floating IP ${f.ip} (${f.id}) of ${f.vm}:${f.portIndex}`, why: `the router answers for floating IP ${f.ip} on its gateway` },
    }));
    specs.push({
      name: gateway.dev,
      mac: gateway.port.mac,
      mtu: mtuOf(topo, gateway.network),
      provenance: { neutron: portLabel(gateway.port), why: `router gateway on external network ${gateway.network}` },
      addresses: [
        { ip: gateway.port.ip, prefixLen: gateway.prefixLen, provenance: { neutron: portLabel(gateway.port), why: 'the router\'s external (SNAT) address' } },
        ...fips,
      ],
    });
  }
  const w = new LineWriter();
  writeIpAddr(w, specs);
  return w.artifact(artifactPath.nsIpAddr(host, ns));
}

function renderIpRoute(topo: Topology, router: RouterT, host: string, ns: string): Artifact {
  const { internal, gateway } = ifaces(topo, router);
  const all = gateway ? [...internal, gateway] : internal;
  const line = (t: { line: string; why: string }, vars: Record<string, string>, neutron: string, dst: string): RouteLine => ({
    dst,
    text: fill(t.line, vars),
    provenance: { neutron, why: fill(t.why, vars) } satisfies Provenance,
  });
  const routes: RouteLine[] = all.map((i) =>
    line(l3Routes.connected, { cidr: i.cidr, dev: i.dev, ip: i.port.ip }, portLabel(i.port), i.cidr),
  );
  const gwSubnet = router.gateway ? findSubnet(topo, router.gateway.subnet) : undefined;
  if (gateway && gwSubnet?.gateway) {
    routes.push(line(l3Routes.defaultRoute, { gateway: gwSubnet.gateway, dev: gateway.dev }, routerLabel(router), 'default'));
  }
  for (const r of router.routes) {
    // The route leaves through the interface whose subnet holds the next hop (Neutron requires one).
    const via = all.find((i) => cidrContains(i.cidr.split('/')[0] ?? '', i.prefixLen, r.nexthop));
    if (!via) continue;
    routes.push(line(l3Routes.extraRoute, { destination: r.destination, nexthop: r.nexthop, dev: via.dev }, routerLabel(router), r.destination));
  }
  const w = new LineWriter();
  writeIpRoute(w, routes);
  return w.artifact(artifactPath.nsIpRoute(host, ns));
}

function renderIptables(topo: Topology, router: RouterT, host: string, ns: string): Artifact {
  const { internal, gateway } = ifaces(topo, router);
  const devices = gateway ? [...internal, gateway] : internal;
  const vars: Record<string, string> = gateway ? { qg: gateway.dev, gwIp: gateway.port.ip } : {};
  const root: Item = {
    vars,
    neutron: routerLabel(router),
    flags: { gateway: gateway !== null, snat: router.gateway?.snat ?? false },
    scopes: {
      scopeDevice: devices.map((d) => ({ vars: { dev: d.dev }, neutron: portLabel(d.port) })),
      // Floating IPs need the gateway: without one the router serves none.
      fip: gateway
        ? routerFloatingIps(topo, router).map((f) => ({
            vars: { fip: f.ip, fixed: f.fixedIp },
            neutron: `floating IP ${f.ip} (${f.id}) of ${f.vm}:${f.portIndex}`,
          }))
        : [],
    },
  };
  const build = instantiate(emptyBuild(), l3Iptables, root, topo.release);
  const w = new LineWriter();
  writeIptablesSave(w, build);
  return w.artifact(artifactPath.nsIptablesSave(host, ns));
}

/** ip-addr, ip-route and iptables-save of every router's qrouter namespace. */
export function renderRouters(topo: Topology): Artifact[] {
  const out: Artifact[] = [];
  for (const router of topo.routers) {
    const host = routerHost(router);
    if (host === null) continue;
    const ns = deviceName.qrouter(router.id);
    out.push(renderIpAddr(topo, router, host, ns), renderIpRoute(topo, router, host, ns), renderIptables(topo, router, host, ns));
  }
  return out;
}
