// Builds the resolved Topology from a checked file: every Neutron default made explicit.
// Guarantees (given checkTopology passed): ports come DHCP first (one per agent serving the network,
// per DHCP-enabled subnet), then per router its ha- ports (HA routers, one per host, on the project's
// HA network), its interfaces and its gateway, then VM ports, each in file order; addresses are the
// written ones or the lowest free of the subnet in that order (written ones reserved first); ids and
// MACs are derived deterministically (ids.ts); local VLANs are numbered per host in the order of the
// ports present on that host (an HA router's qr-/qg- ports are on every host of the router). The only
// error left to find here is an exhausted subnet (NP308).
import type { Diagnostics } from './diagnostics.ts';
import type { DeviceOwner, FloatingIpT, HaStateT, PortT, RouterT, SecurityGroupT, Topology, VmT } from './model.ts';
import type { FileContext, SubnetInfo } from './context.ts';
import { routerHosts, scheduleDhcp, subnetFor } from './context.ts';
import { allocateVrids, DEFAULT_ADVERT_INT, HA_NETWORK_CIDR, haNetworkName, haProjectOf, haSubnetName, isHaRouter } from './ha.ts';
import { createPools } from './allocate.ts';
import { deriveHosts, deriveNetworks } from './derive-networks.ts';
import { deriveSecurityGroups } from './derive-security.ts';
import { derivePortForwardings } from './derive-port-forwardings.ts';
import { assignMacs, canonicalMac, deriveId } from './ids.ts';
import { checkDeviceNames, type PlacedPort } from './check-devices.ts';
import { cidrContains, formatIpv4, parseCidr, parseIpv4 } from './ipv4.ts';
import type { Path } from './path.ts';

/** A port before its MAC is assigned (MACs need every port's id first). */
type PortDraft = Omit<PortT, 'mac'> & { readonly writtenMac: string | null };

const ipOf = (text: string): number => parseIpv4(text) ?? 0; // the checks guarantee a valid address

export function deriveTopology(ctx: FileContext, fileName: string, diag: Diagnostics): Topology | null {
  const f = ctx.file;
  const networks = deriveNetworks(ctx);
  const securityGroups = deriveSecurityGroups(ctx);
  const pools = createPools();

  // Reserve first: subnet gateways and every written address (fixed IPs and floating IPs).
  for (const s of ctx.subnets.values()) if (s.gateway !== null) pools.reserve(s.name, s.gateway);
  for (const r of Object.values(f.routers ?? {})) {
    if (r.gateway?.ip !== undefined) {
      const ip = ipOf(r.gateway.ip);
      const s = subnetFor(ctx, r.gateway.network, ip);
      if (s) pools.reserve(s.name, ip);
    }
    for (const itf of r.interfaces ?? []) if (typeof itf !== 'string' && itf.ip !== undefined) pools.reserve(itf.subnet, ipOf(itf.ip));
  }
  for (const vm of Object.values(f.vms ?? {})) {
    for (const p of vm.ports) {
      if (p.ip === undefined) continue;
      const s = subnetFor(ctx, p.network, ipOf(p.ip));
      if (s) pools.reserve(s.name, ipOf(p.ip));
    }
  }
  for (const [netName, net] of Object.entries(f.networks ?? {})) {
    for (const [sname, s] of Object.entries(net.subnets ?? {})) {
      for (const port of Object.values(s.dhcp_ports ?? {})) {
        if (port.ip === undefined) continue;
        if (subnetFor(ctx, netName, ipOf(port.ip))) pools.reserve(sname, ipOf(port.ip));
      }
    }
  }
  for (const fip of [...(f.floating_ips ?? []), ...(f.port_forwardings ?? []).map((pf) => ({ ip: pf.floating_ip }))]) {
    const ip = ipOf(fip.ip);
    for (const s of ctx.subnets.values()) if (s.cidr && ctx.networks.get(s.network)?.external && cidrContains(s.cidr, ip)) pools.reserve(s.name, ip);
  }

  const allocate = (s: SubnetInfo, path: Path, what: string): number | null => {
    const ip = s.cidr ? pools.allocate(s.name, s.cidr) : null;
    if (ip === null) diag.add('NP308', path, `no free address left in subnet ${s.name} for ${what}`);
    return ip;
  };

  const drafts: PortDraft[] = [];
  const written = new Map<PortDraft, Path>();
  const draft = (
    name: string,
    writtenId: string | undefined,
    subnet: SubnetInfo,
    ip: number,
    deviceOwner: DeviceOwner,
    deviceName: string,
    host: string,
    project: string | null,
    at: Path,
    extra?: Partial<Pick<PortT, 'portSecurity' | 'securityGroups' | 'allowedAddressPairs' | 'hosts'>> & { writtenMac?: string | null },
  ): PortDraft => {
    const d: PortDraft = {
      id: writtenId?.toLowerCase() ?? deriveId('port', name),
      name,
      network: subnet.network,
      subnet: subnet.name,
      ip: formatIpv4(ip),
      deviceOwner,
      deviceName,
      host,
      hosts: extra?.hosts ?? [host],
      project,
      portSecurity: extra?.portSecurity ?? false,
      securityGroups: extra?.securityGroups ?? [],
      allowedAddressPairs: extra?.allowedAddressPairs ?? [],
      writtenMac: extra?.writtenMac ?? null,
    };
    drafts.push(d);
    // Where a device-name clash is reported: the written id, else the port itself.
    written.set(d, writtenId === undefined ? at : [...at, 'id']);
    return d;
  };

  // DHCP ports: per agent serving the network, one port with an address on each DHCP-enabled subnet,
  // as the agent makes it (neutron/agent/linux/dhcp.py DeviceManager.setup_dhcp_port: one port per
  // network and host, device_id dhcp<host>-<network>, fixed_ips one per subnet with enable_dhcp;
  // `netproof import` writes its id and MAC on each of them). A draft per address (the first agent's
  // keep the plain name `dhcp:NET:SUBNET`, the others' add `:HOST`); the addresses of one port share
  // its id, MAC and tap (`dhcpAliases`). A subnet that writes another id for the host (or, with no id,
  // another MAC) is another port, as files written before this read them.
  const dhcpHosts: Record<string, readonly string[]> = {};
  /** A DHCP draft that is another address of an earlier draft's port → that draft. */
  const dhcpAliases = new Map<PortDraft, PortDraft>();
  for (const [netName, hosts] of scheduleDhcp(ctx)) {
    const net = ctx.networks.get(netName);
    const subnets = (ctx.subnetsOf.get(netName) ?? []).filter((s) => s.dhcp);
    dhcpHosts[netName] = hosts;
    hosts.forEach((host, i) => {
      const writtenOn = subnets.map((s) => net?.subnets?.[s.name]?.dhcp_ports?.[host]);
      const pathOf = (k: number): Path => ['networks', netName, 'subnets', subnets[k]!.name, ...(writtenOn[k] ? ['dhcp_ports', host] : [])];
      // The port an address belongs to: the id written for it; else the port written with the MAC
      // written for it; else (nothing written) the first port. So what is written on every subnet
      // (`netproof import`: the port's id and MAC) makes one port, and so does nothing.
      const macAt = (k: number): string | null => (writtenOn[k]?.mac === undefined ? null : canonicalMac(writtenOn[k]!.mac!));
      const idWithMac = (mac: string): string | undefined => writtenOn.find((w, k) => w?.id !== undefined && macAt(k) === mac)?.id?.toLowerCase();
      const claimed = writtenOn.map((w, k): string | null => {
        if (w?.id !== undefined) return w.id.toLowerCase();
        const mac = macAt(k);
        return mac === null ? null : (idWithMac(mac) ?? `mac ${mac}`);
      });
      const firstPort = claimed.find((x) => x !== null) ?? '';
      const portOf = (k: number): string => claimed[k] ?? firstPort;
      // A port's MAC: the one written on its subnets; two different ones under one id are two MACs for one port.
      const macs = new Map<string, { readonly mac: string; readonly subnet: string }>();
      writtenOn.forEach((_, k) => {
        const mac = macAt(k);
        if (mac === null) return; // a malformed MAC is NP309 already
        const had = macs.get(portOf(k));
        if (had === undefined) macs.set(portOf(k), { mac, subnet: subnets[k]!.name });
        else if (had.mac !== mac) diag.add('NP411', [...pathOf(k), 'mac'], `network ${netName}'s DHCP port on ${host} is one port with one MAC (${had.mac} on subnet ${had.subnet}): the agent gives it an address on each DHCP-enabled subnet`);
      });
      const ports = new Map<string, PortDraft>();
      subnets.forEach((s, k) => {
        const written = writtenOn[k];
        const ip = written?.ip !== undefined ? ipOf(written.ip) : allocate(s, ['networks', netName, 'subnets', s.name], `network ${netName}'s DHCP port`);
        const name = i === 0 ? `dhcp:${netName}:${s.name}` : `dhcp:${netName}:${s.name}:${host}`;
        if (ip === null) return;
        const key = portOf(k);
        const port = ports.get(key);
        const id = port?.id ?? (key === '' || key.startsWith('mac ') ? undefined : key);
        const d = draft(name, id, s, ip, 'network:dhcp', netName, host, net?.project ?? null, pathOf(k), { writtenMac: macs.get(key)?.mac ?? null });
        if (port === undefined) ports.set(key, d);
        else dhcpAliases.set(d, port);
      });
    });
  }

  // Router ports: an HA router's ha- ports (one per host, on its project's HA network), then the
  // interfaces at their written address or the subnet's gateway, then the gateway port. An HA router's
  // qr-/qg- ports are on every host of the router and bound to the instance that is master when rendered.
  const vrids = allocateVrids(ctx);
  const haCidr = parseCidr(HA_NETWORK_CIDR);
  const routerPorts = new Map<string, { interfaces: PortDraft[]; gateway: PortDraft | null; ha: PortDraft[]; master: string }>();
  for (const [name, r] of Object.entries(f.routers ?? {})) {
    const hosts = routerHosts(ctx, r);
    const ha: PortDraft[] = [];
    if (isHaRouter(r)) {
      const project = haProjectOf(r);
      const subnet: SubnetInfo = { name: haSubnetName(project), network: haNetworkName(project), cidr: haCidr.ok ? haCidr.cidr : null, gateway: null, dhcp: false };
      for (const h of hosts) {
        const ip = allocate(subnet, ['routers', name, 'hosts'], `router ${name}'s HA port on ${h}`);
        if (ip !== null) ha.push(draft(`${name}:ha:${h}`, undefined, subnet, ip, 'network:router_ha_interface', name, h, null, ['routers', name, 'hosts']));
      }
    }
    const master = isHaRouter(r) ? firstMaster(hosts, r.ha_state) : (hosts[0] ?? '');
    const placed = { hosts: [...hosts] };
    const interfaces: PortDraft[] = [];
    for (const [k, itf] of (r.interfaces ?? []).entries()) {
      const s = ctx.subnets.get(typeof itf === 'string' ? itf : itf.subnet);
      if (!s) continue;
      const ip = typeof itf !== 'string' && itf.ip !== undefined ? ipOf(itf.ip) : (s.gateway ?? 0);
      const owner: DeviceOwner = isHaRouter(r) ? 'network:ha_router_replicated_interface' : 'network:router_interface';
      const written = typeof itf === 'string' ? undefined : itf;
      interfaces.push(draft(`${name}:${s.name}`, written?.id, s, ip, owner, name, master, r.project ?? null, ['routers', name, 'interfaces', k], {
        ...placed,
        writtenMac: written?.mac === undefined ? null : canonicalMac(written.mac),
      }));
    }
    let gateway: PortDraft | null = null;
    if (r.gateway) {
      const written = r.gateway.ip === undefined ? null : ipOf(r.gateway.ip);
      const s = subnetFor(ctx, r.gateway.network, written);
      const ip = s ? (written ?? allocate(s, ['routers', name, 'gateway'], `router ${name}'s gateway`)) : null;
      if (s && ip !== null) {
        gateway = draft(`${name}:gateway`, r.gateway.id, s, ip, 'network:router_gateway', name, master, r.project ?? null, ['routers', name, 'gateway'], {
          ...placed,
          writtenMac: r.gateway.mac === undefined ? null : canonicalMac(r.gateway.mac),
        });
      }
    }
    routerPorts.set(name, { interfaces, gateway, ha, master });
  }

  // VM ports.
  const sgId = (project: string, group: string): string =>
    securityGroups.find((g: SecurityGroupT) => g.project === project && g.name === group)?.id ?? '';
  const vmPorts = new Map<string, PortDraft[]>();
  for (const [name, vm] of Object.entries(f.vms ?? {})) {
    const list: PortDraft[] = [];
    vm.ports.forEach((p, i) => {
      const written = p.ip === undefined ? null : ipOf(p.ip);
      const s = subnetFor(ctx, p.network, written);
      const ip = s ? (written ?? allocate(s, ['vms', name, 'ports', i], `port ${name}:${i}`)) : null;
      if (!s || ip === null) return;
      const portSecurity = p.port_security ?? true;
      list.push(
        draft(`${name}:${i}`, p.id, s, ip, 'compute:nova', name, vm.host, vm.project, ['vms', name, 'ports', i], {
          portSecurity,
          securityGroups: portSecurity ? (p.security_groups ?? ['default']).map((g) => sgId(vm.project, g)) : [],
          allowedAddressPairs: (p.allowed_address_pairs ?? []).map((a) => ({
            ipAddress: a.ip_address,
            macAddress: a.mac_address === undefined ? null : canonicalMac(a.mac_address),
          })),
          writtenMac: p.mac === undefined ? null : canonicalMac(p.mac),
        }),
      );
    });
    vmPorts.set(name, list);
  }
  if (diag.count > 0) return null;
  const chains = f.defaults?.firewall_driver !== 'noop';
  checkDeviceNames(drafts.flatMap((d): PlacedPort[] => {
    const kind = placedKind(d.deviceOwner);
    // Another address of a DHCP port is no device of its own.
    if (dhcpAliases.has(d)) return [];
    return kind === null ? [] : [{ id: d.id, name: d.name, hosts: d.hosts, kind, chains: chains && kind === 'vm' && d.portSecurity, at: written.get(d) ?? [] }];
  }), diag);
  if (diag.count > 0) return null;

  // MACs: written ones kept, the others derived from the port id, unique across the topology; the
  // other addresses of a DHCP port take its MAC.
  const own = drafts.filter((d) => !dhcpAliases.has(d));
  const macOf = new Map(assignMacs(own.map((d) => ({ id: d.id, mac: d.writtenMac }))).map((mac, i) => [own[i]!, mac]));
  const finished = new Map<PortDraft, PortT>();
  const ports: PortT[] = drafts.map((d) => {
    const { writtenMac: _unused, ...rest } = d;
    const p: PortT = { ...rest, mac: macOf.get(dhcpAliases.get(d) ?? d) ?? '' };
    finished.set(d, p);
    return p;
  });
  const done = (d: PortDraft): PortT => finished.get(d) as PortT;

  const routers: RouterT[] = Object.entries(f.routers ?? {}).map(([name, r]) => {
    const rp = routerPorts.get(name) ?? { interfaces: [], gateway: null, ha: [], master: '' };
    return {
      name,
      id: r.id?.toLowerCase() ?? deriveId('router', name),
      project: r.project ?? null,
      hosts: [...routerHosts(ctx, r)],
      gateway: rp.gateway && r.gateway
        ? { network: rp.gateway.network, subnet: rp.gateway.subnet, port: done(rp.gateway), snat: r.gateway.snat ?? true }
        : null,
      interfaces: rp.interfaces.map((d) => ({ subnet: d.subnet, network: d.network, port: done(d) })),
      routes: (r.routes ?? []).map((rt) => ({ destination: rt.destination, nexthop: rt.nexthop })),
      ha: isHaRouter(r)
        ? { vrid: vrids.get(name) ?? 0, network: haNetworkName(haProjectOf(r)), ports: rp.ha.map(done), observed: { ...(r.ha_state ?? {}) }, master: rp.master }
        : null,
    };
  });

  const vms: VmT[] = Object.entries(f.vms ?? {}).map(([name, vm]) => ({
    name,
    id: vm.id?.toLowerCase() ?? deriveId('vm', name),
    project: vm.project,
    host: vm.host,
    ports: (vmPorts.get(name) ?? []).map(done),
  }));

  const floatingIps: FloatingIpT[] = (f.floating_ips ?? []).map((fip) => {
    const ip = ipOf(fip.ip);
    const network = networks.find((n) => n.external && ctx.subnetsOf.get(n.name)?.some((s) => s.cidr && cidrContains(s.cidr, ip)))?.name ?? '';
    const portIndex = fip.port ?? 0;
    const port = vms.find((v) => v.name === fip.vm)?.ports[portIndex];
    const router = routers.find((r) => r.gateway?.network === network && r.interfaces.some((itf) => itf.subnet === port?.subnet));
    return {
      id: fip.id?.toLowerCase() ?? deriveId('floatingip', formatIpv4(ip)),
      ip: formatIpv4(ip),
      network,
      portId: port?.id ?? '',
      vm: fip.vm,
      portIndex,
      fixedIp: port?.ip ?? '',
      router: router?.name ?? '',
    };
  });

  const portForwardings = derivePortForwardings(ctx, networks, vms, routers);

  const localVlans: Record<string, Record<string, number>> = {};
  for (const p of ports) {
    for (const h of p.hosts) {
      const perHost = (localVlans[h] ??= {});
      perHost[p.network] ??= Object.keys(perHost).length + 1;
    }
  }

  return {
    file: fileName,
    release: f.defaults?.release ?? '2024.1',
    firewallDriver: f.defaults?.firewall_driver === 'noop' ? 'noop' : 'iptables_hybrid',
    l2Population: f.defaults?.l2_population ?? true,
    arpResponder: f.defaults?.arp_responder ?? false,
    haVrrpAdvertInt: f.defaults?.ha_vrrp_advert_int ?? DEFAULT_ADVERT_INT,
    hosts: deriveHosts(ctx),
    networks,
    routers,
    securityGroups,
    vms,
    ports,
    floatingIps,
    portForwardings,
    dhcpHosts,
    localVlans,
  };
}

/**
 * The instance master in the rendered state: the one `ha_state` observes active (the first, if it says
 * several), else the one VRRP elects when the instances come up together: with Neutron's equal priorities
 * the highest primary (ha-) address wins, and ha- ports are numbered in host order, so the last host.
 */
function firstMaster(hosts: readonly string[], observed: Readonly<Record<string, HaStateT>> | undefined): string {
  const active = hosts.find((h) => observed?.[h] === 'active');
  return active ?? hosts[hosts.length - 1] ?? '';
}

/** What names a port's devices on its hosts (check-devices.ts). */
function placedKind(owner: DeviceOwner): PlacedPort['kind'] | null {
  switch (owner) {
    case 'compute:nova': return 'vm';
    case 'network:dhcp': return 'dhcp';
    case 'network:router_interface':
    case 'network:ha_router_replicated_interface': return 'router-interface';
    case 'network:router_gateway': return 'router-gateway';
    case 'network:router_ha_interface': return 'router-ha';
    case 'network:floatingip': return null; // a floating IP's port has no device
    default: {
      const never: never = owner;
      throw new Error(`unknown device owner ${String(never)}`);
    }
  }
}
