// The qdhcp namespace of each DHCP-enabled network on each host whose DHCP agent serves it: `ip addr`
// (the DHCP port's tap with its address; 169.254.169.254 is left out since isolated metadata is not
// modelled) and `ip route` (connected route, default via the subnet's gateway when it has one).
// No iptables-save is rendered: the DHCP agent installs no rules a packet to or from dnsmasq meets,
// so the namespace's netfilter is empty (everything accepted).
import { dhcpRoutes } from '../../../rules/dhcp-agent/routes.ts';
import type { PortT, Topology } from '../../topology/model.ts';
import { type Artifact, artifactPath } from '../artifacts.ts';
import { deviceName } from '../names.ts';
import { fill } from './engine.ts';
import { writeIpAddr, writeIpRoute, type RouteLine } from './ip-text.ts';
import { findNetwork, findSubnet, mtuOf, portLabel } from './lookup.ts';
import { LineWriter } from './text.ts';
import { dhcpPortsOn } from '../../topology/lookup.ts';


/**
 * The DHCP ports of a network's agent on `host` (one per DHCP-enabled subnet; they share one tap in the
 * namespace), or of every agent when `host` is absent.
 */
export function dhcpPortsOf(topo: Topology, network: string, host?: string): PortT[] {
  return dhcpPortsOn(topo, network).filter((p) => host === undefined || p.host === host);
}

/** ip-addr and ip-route of every qdhcp namespace. */
export function renderDhcpNamespaces(topo: Topology): Artifact[] {
  return Object.entries(topo.dhcpHosts).flatMap(([networkName, hosts]) => hosts.flatMap((host) => renderDhcpNamespace(topo, networkName, host)));
}

function renderDhcpNamespace(topo: Topology, networkName: string, host: string): Artifact[] {
  const net = findNetwork(topo, networkName);
  const ports = dhcpPortsOf(topo, networkName, host).flatMap((port) => {
    const subnet = findSubnet(topo, port.subnet);
    return subnet ? [{ port, subnet }] : [];
  });
  const first = ports[0];
  if (!net || !first) return [];
  const ns = deviceName.qdhcp(net.id);
  // The agent plugs one tap per network, named after its (first) DHCP port.
  const dev = deviceName.dhcpTap(first.port.id);

  const addr = new LineWriter();
  writeIpAddr(addr, [
    {
      name: dev,
      mac: first.port.mac,
      mtu: mtuOf(topo, networkName),
      provenance: { neutron: portLabel(first.port), why: `the DHCP agent's port on network ${net.name}` },
      addresses: ports.map(({ port, subnet }) => ({
        ip: port.ip,
        prefixLen: subnet.prefixLen,
        provenance: { neutron: portLabel(port), why: `dnsmasq serves ${subnet.cidr} from this address` },
      })),
    },
  ]);

  const routes: RouteLine[] = [];
  for (const { port, subnet } of ports) {
    const vars = { cidr: subnet.cidr, dev, ip: port.ip };
    routes.push({ dst: subnet.cidr, text: fill(dhcpRoutes.connected.line, vars), provenance: { neutron: portLabel(port), why: fill(dhcpRoutes.connected.why, vars) } });
  }
  // One default route: through the first subnet that has a gateway.
  const withGateway = ports.find(({ subnet }) => subnet.gateway !== null);
  if (withGateway?.subnet.gateway) {
    const { subnet } = withGateway;
    const vars = { gateway: withGateway.subnet.gateway, dev };
    routes.push({
      dst: 'default',
      text: fill(dhcpRoutes.defaultRoute.line, vars),
      provenance: { neutron: `subnet ${subnet.name} (${subnet.id})`, why: fill(dhcpRoutes.defaultRoute.why, vars) },
    });
  }
  const route = new LineWriter();
  writeIpRoute(route, routes);
  return [addr.artifact(artifactPath.nsIpAddr(host, ns)), route.artifact(artifactPath.nsIpRoute(host, ns))];
}
