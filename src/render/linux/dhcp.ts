// The qdhcp namespace of each DHCP-enabled network on each host whose DHCP agent serves it: `ip addr`
// (the DHCP port's tap with its addresses, one per DHCP-enabled subnet; 169.254.169.254 is left out since isolated metadata is not
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
 * The DHCP ports of a network's agent on `host` (an entry per address, one per DHCP-enabled subnet; the
 * entries of one port share its id, MAC and tap), or of every agent when `host` is absent.
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
  // The agent plugs one port per network, with an address on each DHCP-enabled subnet
  // (neutron/agent/linux/dhcp.py DeviceManager.setup_dhcp_port), as one tap named after its id. A
  // topology that writes another port id for a subnet has that port plugged beside it, as its own tap.
  const taps = new Map<string, { port: PortT; addrs: typeof ports }>();
  for (const x of ports) {
    const t = taps.get(x.port.id);
    if (t) t.addrs.push(x);
    else taps.set(x.port.id, { port: x.port, addrs: [x] });
  }
  const devOf = (p: PortT) => deviceName.dhcpTap(p.id);

  const addr = new LineWriter();
  writeIpAddr(addr, [...taps.values()].map(({ port, addrs }) => ({
    name: devOf(port),
    mac: port.mac,
    mtu: mtuOf(topo, networkName),
    provenance: { neutron: portLabel(port), why: `the DHCP agent's port on network ${net.name} (one per network and agent, with an address on each DHCP-enabled subnet: neutron/agent/linux/dhcp.py setup_dhcp_port)` },
    addresses: addrs.map(({ port: a, subnet }) => ({
      ip: a.ip,
      prefixLen: subnet.prefixLen,
      provenance: { neutron: portLabel(a), why: `dnsmasq serves ${subnet.cidr} from this address` },
    })),
  })));

  const routes: RouteLine[] = [];
  for (const { port, subnet } of ports) {
    const vars = { cidr: subnet.cidr, dev: devOf(taps.get(port.id)?.port ?? port), ip: port.ip };
    routes.push({ dst: subnet.cidr, text: fill(dhcpRoutes.connected.line, vars), provenance: { neutron: portLabel(port), why: fill(dhcpRoutes.connected.why, vars) } });
  }
  // One default route: through the first subnet that has a gateway.
  const withGateway = ports.find(({ subnet }) => subnet.gateway !== null);
  if (withGateway?.subnet.gateway) {
    const { subnet } = withGateway;
    const vars = { gateway: withGateway.subnet.gateway, dev: devOf(taps.get(withGateway.port.id)?.port ?? withGateway.port) };
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
