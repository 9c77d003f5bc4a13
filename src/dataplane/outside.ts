// The outside world (docs/topology.md, Conventions: The outside world): one upstream router per external network (and per provider network
// that VMs sit on directly), at its subnet's gateway address, on the network's physical wire, with
// its routes into the cloud (each router's subnets via that router's gateway address).
import { createHash } from 'node:crypto';
import type { Station, UpstreamRoute } from '../ir/dataplane.ts';
import type { Topology, NetworkT } from '../topology/model.ts';

/** A locally administered MAC for the upstream router, stable per network name. */
export function upstreamMac(network: string): string {
  const h = createHash('sha1').update(`netproof:upstream:${network}`).digest();
  return ['02', ...[0, 1, 2, 3, 4].map((i) => h[i]!.toString(16).padStart(2, '0'))].join(':');
}

/** Networks whose subnet gateway is an upstream router outside the cloud. */
function hasOutside(topo: Topology, net: NetworkT): boolean {
  if (net.type !== 'flat' && net.type !== 'vlan') return false;
  if (net.external) return true;
  return topo.vms.some((vm) => vm.ports.some((p) => p.network === net.name));
}

/** The upstream router's routes into the cloud from `net`: each router's interface subnets via its gateway address on `net`. */
export function upstreamRoutes(topo: Topology, net: NetworkT): UpstreamRoute[] {
  const subnetOf = (network: string, subnet: string) => topo.networks.find((n) => n.name === network)?.subnets.find((s) => s.name === subnet);
  return topo.routers.flatMap((r) => (r.gateway?.network !== net.name ? [] : r.interfaces.flatMap((i) => {
    const s = subnetOf(i.network, i.subnet);
    return s ? [{ dst: { ip: s.networkAddress, prefixLen: s.prefixLen }, via: r.gateway!.port.ip }] : [];
  })));
}

export function outsideStations(topo: Topology): Station[] {
  const routerIps = new Set(topo.routers.flatMap((r) => r.interfaces.map((i) => i.port.ip)));
  const out: Station[] = [];
  for (const net of topo.networks) {
    if (!hasOutside(topo, net) || net.physicalNetwork === null) continue;
    const routes = upstreamRoutes(topo, net);
    for (const subnet of net.subnets) {
      // A gateway held by a Neutron router is inside the cloud, not an upstream router.
      if (subnet.gateway === null || routerIps.has(subnet.gateway)) continue;
      out.push({
        kind: 'outside',
        network: net.name,
        physnet: net.physicalNetwork,
        vlan: net.type === 'vlan' ? net.segmentationId : null,
        mac: upstreamMac(net.name),
        gateway: subnet.gateway,
        cidr: { ip: subnet.networkAddress, prefixLen: subnet.prefixLen },
        routes,
      });
    }
  }
  return out;
}
