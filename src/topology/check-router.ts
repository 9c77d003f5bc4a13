// Semantic checks of routers: unsupported DVR, hosts that exist, run an L3 agent and are listed once
// (several make an L3 HA router: check-ha.ts), a gateway on an external network, interfaces on existing subnets (each once),
// addresses inside their subnets, extra routes whose nexthop the router can reach, and bridge
// mappings for flat/VLAN networks the router's ports sit on.
import type { Diagnostics } from './diagnostics.ts';
import { checkAddress, checkCidr, checkInSubnet, checkMac } from './check-util.ts';
import type { FileContext, SubnetInfo } from './context.ts';
import { hostReaches, isTunnel, rolesOf, routerHosts, subnetFor } from './context.ts';
import { cidrContains } from './ipv4.ts';
import type { Path } from './path.ts';
import type { RouterFile } from './schema.ts';

/** Reports NP402 for each of `hosts` that does not map the flat/VLAN `network` a port of the router is on. */
export function checkMapped(ctx: FileContext, diag: Diagnostics, path: Path, network: string, hosts: readonly string[], what: string): void {
  const net = ctx.networks.get(network);
  // A flat/VLAN network without a physical_network is reported as such (NP103), not once per host.
  if (!net || (!isTunnel(net.type) && net.physical_network === undefined)) return;
  for (const h of hosts) {
    const host = ctx.hosts.get(h);
    if (host && !hostReaches(host, net)) {
      diag.add('NP402', path, `host ${h} holds ${what} on ${net.type} network ${network} but has no bridge_mappings entry for physical network ${net.physical_network ?? '?'}`);
    }
  }
}

function checkRouter(ctx: FileContext, diag: Diagnostics, name: string, r: RouterFile): void {
  const at = ['routers', name];
  if (r.distributed === true) diag.add('NP501', [...at, 'distributed'], 'distributed (DVR) routers are not supported');
  const hosts = routerHosts(ctx, r);
  if (hosts.length === 0) diag.add('NP407', r.hosts ? [...at, 'hosts'] : at, `router ${name} has no host with the network role`, r.hosts ? 'value' : 'key');
  hosts.forEach((h, i) => {
    const host = ctx.hosts.get(h);
    if (hosts.indexOf(h) < i) diag.add('NP408', [...at, 'hosts', i], `host ${h} is already router ${name}'s (hosts[${hosts.indexOf(h)}])`);
    else if (!host) diag.add('NP201', [...at, 'hosts', i], `no host "${h}"`);
    else if (!rolesOf(host).network) diag.add('NP407', [...at, 'hosts', i], `host ${h} has no network role (no L3 agent) to host router ${name}`);
  });
  const reach: SubnetInfo[] = []; // subnets the router has an address on, for extra routes
  const own = new Map<number, string>(); // the router's own addresses written or implied, for extra routes
  if (r.gateway) {
    const gat = [...at, 'gateway'];
    const net = ctx.networks.get(r.gateway.network);
    if (!net) diag.add('NP201', [...gat, 'network'], `no network "${r.gateway.network}"`);
    else {
      if (net.external !== true) diag.add('NP102', [...gat, 'network'], `network ${r.gateway.network} is not external`);
      checkMapped(ctx, diag, gat, r.gateway.network, hosts, `router ${name}'s gateway`);
      const ip = r.gateway.ip === undefined ? null : checkAddress(diag, [...gat, 'ip'], r.gateway.ip);
      const subnet = subnetFor(ctx, r.gateway.network, ip);
      if (ip !== null && !subnet) diag.add('NP301', [...gat, 'ip'], `${r.gateway.ip} is in no subnet of network ${r.gateway.network}`);
      else if (ip !== null && subnet) checkInSubnet(diag, [...gat, 'ip'], ip, subnet);
      if (subnet) reach.push(subnet);
      if (ip !== null) own.set(ip, 'its gateway');
    }
    if (r.gateway.mac !== undefined) checkMac(diag, [...gat, 'mac'], r.gateway.mac);
  }
  const seen = new Set<string>();
  (r.interfaces ?? []).forEach((itf, i) => {
    const iat = [...at, 'interfaces', i];
    const sname = typeof itf === 'string' ? itf : itf.subnet;
    const sat = typeof itf === 'string' ? iat : [...iat, 'subnet'];
    const subnet = ctx.subnets.get(sname);
    if (!subnet) {
      diag.add('NP201', sat, `no subnet "${sname}"`);
      return;
    }
    if (seen.has(sname)) diag.add('NP307', sat, `router ${name} already has an interface on subnet ${sname}`);
    seen.add(sname);
    reach.push(subnet);
    checkMapped(ctx, diag, iat, subnet.network, hosts, `router ${name}'s interface`);
    if (typeof itf !== 'string' && itf.mac !== undefined) checkMac(diag, [...iat, 'mac'], itf.mac);
    if (typeof itf !== 'string' && itf.ip !== undefined) {
      const ip = checkAddress(diag, [...iat, 'ip'], itf.ip);
      if (ip !== null) checkInSubnet(diag, [...iat, 'ip'], ip, subnet);
      if (ip !== null) own.set(ip, `its interface on ${sname}`);
    } else if (subnet.gateway !== null) {
      own.set(subnet.gateway, `its interface on ${sname}`);
    } else if (subnet.cidr !== null) {
      diag.add('NP103', iat, `subnet ${sname} has no gateway; write { subnet: ${sname}, ip: … }`);
    }
  });
  (r.routes ?? []).forEach((route, i) => {
    const rat = [...at, 'routes', i];
    checkCidr(diag, [...rat, 'destination'], route.destination);
    const hop = checkAddress(diag, [...rat, 'nexthop'], route.nexthop);
    if (hop !== null && !reach.some((s) => s.cidr !== null && cidrContains(s.cidr, hop))) {
      diag.add('NP301', [...rat, 'nexthop'], `nexthop ${route.nexthop} is on no subnet of router ${name}`);
    } else if (hop !== null && own.has(hop)) {
      // neutron/db/extraroute_db.py _validate_routes_nexthop: "the nexthop is used by router".
      diag.add('NP317', [...rat, 'nexthop'], `nexthop ${route.nexthop} is router ${name}'s own address (${own.get(hop)}): Neutron refuses a route through the router itself`);
    }
  });
}

export function checkRouters(ctx: FileContext, diag: Diagnostics): void {
  for (const [name, r] of Object.entries(ctx.file.routers ?? {})) checkRouter(ctx, diag, name, r);
}
