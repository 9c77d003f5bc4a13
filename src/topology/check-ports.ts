// Semantic checks of VMs, their ports and floating IPs: hosts with the compute role, networks,
// addresses and MACs, security groups versus port_security, bridge mappings; then that no fixed
// address is written twice in one network (router ports, VM ports, floating IPs and an external
// subnet's upstream gateway all claim addresses) and that each floating IP has a router to serve it.
import type { Diagnostics } from './diagnostics.ts';
import { checkAddress, checkCidr, checkInSubnet, namedVmPort } from './check-util.ts';
import { checkMapped } from './check-router.ts';
import { groupNames } from './check-security.ts';
import type { FileContext } from './context.ts';
import { externalNetworkOf, rolesOf, subnetFor } from './context.ts';
import { canonicalMac } from './ids.ts';
import { cidrContains, formatIpv4, parseIpv4 } from './ipv4.ts';
import type { Path } from './path.ts';

/** One written use of an address in a network, for duplicate detection. */
interface Claim {
  readonly network: string;
  readonly ip: number;
  readonly path: Path;
  readonly owner: string;
}

export function checkVms(ctx: FileContext, diag: Diagnostics, claims: Claim[]): void {
  const macs = new Map<string, string>();
  for (const [name, vm] of Object.entries(ctx.file.vms ?? {})) {
    const at: Path = ['vms', name];
    const host = ctx.hosts.get(vm.host);
    if (!host) diag.add('NP201', [...at, 'host'], `no host "${vm.host}"`);
    else if (!rolesOf(host).compute) diag.add('NP401', [...at, 'host'], `host ${vm.host} has no compute role`);
    const groups = groupNames(ctx, vm.project);
    vm.ports.forEach((p, i) => {
      const pat: Path = [...at, 'ports', i];
      const net = ctx.networks.get(p.network);
      if (!net) diag.add('NP201', [...pat, 'network'], `no network "${p.network}"`);
      else {
        if (host) checkMapped(ctx, diag, [...pat, 'network'], p.network, [vm.host], `port ${name}:${i}`);
        if ((ctx.subnetsOf.get(p.network) ?? []).length === 0) diag.add('NP308', [...pat, 'network'], `network ${p.network} has no subnet to give port ${name}:${i} an address`);
      }
      if (p.ip !== undefined) {
        const ip = checkAddress(diag, [...pat, 'ip'], p.ip);
        if (ip !== null && net) {
          const subnet = subnetFor(ctx, p.network, ip);
          if (!subnet) diag.add('NP301', [...pat, 'ip'], `${p.ip} is in no subnet of network ${p.network}`);
          else if (checkInSubnet(diag, [...pat, 'ip'], ip, subnet)) claims.push({ network: p.network, ip, path: [...pat, 'ip'], owner: `port ${name}:${i}` });
        }
      }
      if (p.mac !== undefined) {
        const mac = canonicalMac(p.mac);
        if (mac === null) diag.add('NP309', [...pat, 'mac'], `"${p.mac}" is not a MAC address`);
        else if (macs.has(mac)) diag.add('NP102', [...pat, 'mac'], `MAC ${mac} is already port ${macs.get(mac) ?? '?'}'s`);
        else macs.set(mac, `${name}:${i}`);
      }
      if (p.port_security === false && p.security_groups !== undefined && p.security_groups.length > 0) {
        diag.add('NP403', [...pat, 'security_groups'], 'a port with port_security: false cannot have security groups');
      }
      (p.security_groups ?? []).forEach((g, j) => {
        if (!groups.has(g)) diag.add('NP201', [...pat, 'security_groups', j], `no security group "${g}" in project ${vm.project}`);
      });
      (p.allowed_address_pairs ?? []).forEach((pair, j) => {
        checkCidr(diag, [...pat, 'allowed_address_pairs', j, 'ip_address'], pair.ip_address, true);
        if (pair.mac_address !== undefined && canonicalMac(pair.mac_address) === null) {
          diag.add('NP309', [...pat, 'allowed_address_pairs', j, 'mac_address'], `"${pair.mac_address}" is not a MAC address`);
        }
      });
    });
  }
}

/** Router ports' written (or gateway-default) addresses, and each external subnet's upstream gateway. */
export function routerAndUpstreamClaims(ctx: FileContext): Claim[] {
  const claims: Claim[] = [];
  for (const [netName, net] of ctx.networks) {
    if (!net.external) continue;
    for (const s of ctx.subnetsOf.get(netName) ?? []) {
      const gw = s.gateway;
      if (gw !== null && s.cidr !== null && cidrContains(s.cidr, gw)) {
        claims.push({ network: netName, ip: gw, path: ['networks', netName, 'subnets', s.name], owner: `the upstream gateway of subnet ${s.name}` });
      }
    }
  }
  for (const [name, r] of Object.entries(ctx.file.routers ?? {})) {
    const gw = r.gateway;
    if (gw?.ip !== undefined && ctx.networks.has(gw.network)) {
      const ip = parseIfValid(ctx, gw.network, gw.ip);
      if (ip !== null) claims.push({ network: gw.network, ip, path: ['routers', name, 'gateway', 'ip'], owner: `router ${name}'s gateway` });
    }
    (r.interfaces ?? []).forEach((itf, i) => {
      const subnet = ctx.subnets.get(typeof itf === 'string' ? itf : itf.subnet);
      if (!subnet) return;
      const written = typeof itf === 'string' ? undefined : itf.ip;
      const ip = written !== undefined ? parseIfValid(ctx, subnet.network, written) : subnet.gateway;
      const path: Path = typeof itf === 'string' ? ['routers', name, 'interfaces', i] : ['routers', name, 'interfaces', i, 'ip'];
      if (ip !== null) claims.push({ network: subnet.network, ip, path, owner: `router ${name}'s interface on ${subnet.name}` });
    });
  }
  return claims;
}

/** The written addresses of DHCP ports (`dhcp_ports.<host>.ip`). */
export function dhcpClaims(ctx: FileContext): Claim[] {
  const claims: Claim[] = [];
  for (const [netName, net] of ctx.networks) {
    for (const [sname, s] of Object.entries(net.subnets ?? {})) {
      for (const [host, port] of Object.entries(s.dhcp_ports ?? {})) {
        if (port.ip === undefined) continue;
        const ip = parseIfValid(ctx, netName, port.ip);
        if (ip !== null) claims.push({ network: netName, ip, path: ['networks', netName, 'subnets', sname, 'dhcp_ports', host, 'ip'], owner: `the DHCP port of subnet ${sname} on ${host}` });
      }
    }
  }
  return claims;
}

/** The address when it is a valid IPv4 inside a subnet of the network (errors are reported elsewhere). */
function parseIfValid(ctx: FileContext, network: string, text: string): number | null {
  const ip = parseIpv4(text);
  return ip !== null && subnetFor(ctx, network, ip) ? ip : null;
}

export function checkFloatingIps(ctx: FileContext, diag: Diagnostics, claims: Claim[]): void {
  const byIp = new Map<number, number>();
  const byPort = new Map<string, number>();
  (ctx.file.floating_ips ?? []).forEach((f, i) => {
    const at: Path = ['floating_ips', i];
    const ip = checkAddress(diag, [...at, 'ip'], f.ip);
    let network: string | undefined;
    if (ip !== null) {
      network = externalNetworkOf(ctx, ip);
      if (network === undefined) diag.add('NP305', [...at, 'ip'], `${f.ip} is in no subnet of an external network`);
      const prev = byIp.get(ip);
      if (prev !== undefined) diag.add('NP306', [...at, 'ip'], `floating IP ${f.ip} is already floating_ips[${prev}]`);
      else {
        byIp.set(ip, i);
        if (network !== undefined) claims.push({ network, ip, path: [...at, 'ip'], owner: `floating IP floating_ips[${i}]` });
      }
    }
    const named = namedVmPort(ctx, diag, at, f);
    if (named === null) return;
    const { port, index, portAt } = named;
    const key = `${f.vm}:${index}`;
    const bound = byPort.get(key);
    if (bound !== undefined) diag.add('NP306', portAt, `port ${key} already has floating_ips[${bound}]`);
    else byPort.set(key, i);
    if (network === undefined || !ctx.networks.has(port.network)) return;
    const fixed = port.ip === undefined ? null : parseIfValid(ctx, port.network, port.ip);
    if (port.ip !== undefined && fixed === null) return; // the bad fixed address is reported on the port
    const subnet = subnetFor(ctx, port.network, fixed);
    const served = Object.values(ctx.file.routers ?? {}).some(
      (r) => r.gateway?.network === network && (r.interfaces ?? []).some((itf) => (typeof itf === 'string' ? itf : itf.subnet) === subnet?.name),
    );
    if (!served) {
      diag.add('NP310', [...at, 'ip'], `no router has a gateway on ${network} and an interface on subnet ${subnet?.name ?? '?'} of port ${key}`);
    }
  });
}

/** Reports NP302 for each claim after the first on the same address of the same network. */
export function checkDuplicateAddresses(diag: Diagnostics, claims: readonly Claim[]): void {
  const first = new Map<string, Claim>();
  for (const c of claims) {
    const key = `${c.network}/${c.ip}`;
    const prev = first.get(key);
    if (prev) diag.add('NP302', c.path, `${formatIpv4(c.ip)} in network ${c.network} is already ${prev.owner}'s`);
    else first.set(key, c);
  }
}
