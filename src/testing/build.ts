// Turns a topology core (spec.ts) into a topology file (DESIGN §2) that loads without errors.
// Every index is taken modulo what exists, and what Neutron itself would refuse is left out rather
// than filtered: a router never gets two overlapping subnets, a VM only uses its project's networks
// and shared ones, allowed address pairs need port security, a floating IP is made only where a
// router connects the port's subnet to an external network. Addresses are written from the top of
// each subnet downwards (the loader allocates from the bottom), so written and allocated ones never meet.
// Guarantees: the same core always gives the same file; the file passes `loadTopologyText`.
import type { FloatingIpFile, GroupFile, HostFile, NetworkFile, PortFile, RouterFile, RuleFile, SubnetFile, TopologyFile, VmFile } from '../topology/schema.ts';
import { cidrsOverlap, parseCidr, usableRange, type Cidr } from '../topology/ipv4.ts';
import { formatIpv4 } from '../net/ipv4.ts';
import { releaseOrdinal } from '../topology/release.ts';
import {
  BRIDGE_OF_PHYSNET, EXTERNAL_CIDRS, FLAT_EXTERNAL_PHYSNETS, FLAT_TENANT_PHYSNETS, GROUP_NAMES, PORTS, PROJECTS, REMOTE_PREFIXES,
  ROUTE_DESTINATIONS, SEGMENTATION_BASE, TENANT_CIDRS,
} from './pools.ts';
import { RELEASES, type ExternalSpec, type GroupSpec, type NetworkSpec, type PortSpec, type RouterPortSpec, type RouterSpec, type RuleSpec, type SubnetSpec, type TopologySpec } from './spec.ts';

/** A subnet being filled: which addresses are taken, and whether a router sits at its gateway. */
interface SubnetBook {
  readonly name: string;
  readonly network: string;
  readonly cidr: Cidr;
  readonly first: number;
  readonly last: number;
  readonly gateway: number | null;
  readonly used: Set<number>;
  gatewayTaken: boolean;
}

interface NetBook {
  readonly name: string;
  readonly project: string | null;
  readonly shared: boolean;
  readonly external: boolean;
  readonly type: NetworkFile['type'];
  readonly physnet: string | null;
  readonly subnets: SubnetBook[];
}

/** A VM port as built: its network and subnet, and its address when written. */
interface PortBook {
  readonly vm: string;
  readonly index: number;
  readonly net: NetBook;
  readonly subnet: SubnetBook;
  readonly ip: number | null;
  readonly mac: string | null;
}

interface RouterBook {
  readonly name: string;
  readonly subnets: SubnetBook[];
  /** Addresses the router itself holds (written or at a gateway), never a nexthop of its own routes. */
  readonly own: Set<number>;
  gatewayNet: NetBook | null;
}

/**
 * A deterministic UUID for the n-th object that writes its id. Its first 8 hex digits differ for every
 * n (n times an odd constant, mod 2^32, is one-to-one), so no two written port ids share the first 11
 * characters Neutron names devices after, nor the first 10 its firewall names chains after (NP410).
 */
const uuid = (n: number, upper: boolean): string => {
  const head = (Math.imul(n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  const s = `${head}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  return upper ? s.toUpperCase() : s;
};

const macOf = (n: number): string => `fa:16:3e:aa:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;

const at = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

function cidrOf(text: string): Cidr {
  const c = parseCidr(text);
  if (!c.ok) throw new Error(`pool CIDR ${text}: ${c.reason}`);
  return c.cidr;
}

/** Takes a free address `offset` below the top of the subnet (the next free one downwards). */
function takeTop(s: SubnetBook, offset = 0): number {
  const span = s.last - s.first + 1;
  let ip = s.last - (offset % span);
  for (let tries = 0; tries < span; tries++) {
    if (!s.used.has(ip)) {
      s.used.add(ip);
      return ip;
    }
    ip = ip === s.first ? s.last : ip - 1;
  }
  throw new Error(`generated topology: subnet ${s.name} is full`);
}

/** Builds the topology file of a core. */
export function buildTopology(spec: TopologySpec): TopologyFile {
  let ids = 0;
  const idOf = (write: boolean): { id?: string } => (write ? { id: uuid(++ids, ids % 5 === 0) } : {});
  let macs = 0;
  /** A router port's written id and MAC, as its spec says. */
  const routerPort = (p: RouterPortSpec): { id?: string; mac?: string } => ({ ...idOf(p.id), ...(p.mac ? { mac: macOf(++macs) } : {}) });
  const projects = PROJECTS.slice(0, Math.max(1, Math.min(spec.projects, PROJECTS.length)));
  const projectOf = (i: number | null): string | null => (i === null ? null : at(projects, i));

  // Networks first (their DHCP subnets decide whether a network node is needed).
  const nets: NetBook[] = [];
  const networks: Record<string, NetworkFile> = {};
  const segments = new Set<string>();
  const segmentFor = (type: 'vlan' | 'vxlan' | 'gre', physnet: string | null, offset: number | null): number | undefined => {
    if (offset === null) return undefined;
    let id = SEGMENTATION_BASE[type] + offset;
    while (segments.has(`${type}/${physnet ?? ''}/${id}`)) id++;
    segments.add(`${type}/${physnet ?? ''}/${id}`);
    return id;
  };
  // An allocated ID (lowest free) must not be written later by another network: written ones start at 100+.
  const externalBooks: SubnetBook[] = [];
  const subnetsOf = (name: string, specs: readonly SubnetSpec[], pool: readonly string[], external: boolean): { file: Record<string, SubnetFile>; books: SubnetBook[] } => {
    const file: Record<string, SubnetFile> = {};
    const books: SubnetBook[] = [];
    specs.forEach((s, k) => {
      // The first CIDR of the pool, from the chosen one on, that overlaps no other subnet of this
      // network (nor, for an external network, of any external network: public addresses are unique).
      const taken = external ? externalBooks : books;
      let cidr: Cidr | null = null;
      for (let d = 0; d < pool.length && cidr === null; d++) {
        const c = cidrOf(at(pool, s.cidr + d));
        if (!taken.some((b) => cidrsOverlap(b.cidr, c))) cidr = c;
      }
      if (cidr === null) return;
      const range = usableRange(cidr)!;
      const sname = k === 0 ? `${name}-v4` : `${name}-v4-${k + 1}`;
      const gateway = s.gateway === 'none' ? null : s.gateway === 'last' ? range.last : range.first;
      const entry: SubnetFile = {
        ...idOf(s.id),
        cidr: `${formatIpv4(cidr.network)}/${cidr.prefix}`,
        ...(s.gateway === 'none' ? { gateway: null } : s.gateway === 'default' ? {} : { gateway: formatIpv4(gateway!) }),
        ...(s.dhcp === null ? {} : { dhcp: s.dhcp }),
      };
      file[sname] = entry;
      const book: SubnetBook = { name: sname, network: name, cidr, first: range.first, last: range.last, gateway, used: new Set(gateway === null ? [] : [gateway]), gatewayTaken: false };
      books.push(book);
      if (external) externalBooks.push(book);
    });
    return { file, books };
  };

  let flatExternal = 0;
  spec.externals.forEach((x: ExternalSpec, i) => {
    const name = i === 0 ? 'public' : `public${i + 1}`;
    const type = x.type === 'flat' && flatExternal >= FLAT_EXTERNAL_PHYSNETS.length ? 'vlan' : x.type;
    const physnet = type === 'flat' ? FLAT_EXTERNAL_PHYSNETS[flatExternal++]! : 'external';
    const seg = type === 'vlan' ? segmentFor('vlan', physnet, x.segmentation) : undefined;
    const { file, books } = subnetsOf(name, x.subnets, EXTERNAL_CIDRS, true);
    networks[name] = {
      ...idOf(x.id), external: true, ...(x.shared ? { shared: true } : {}), type, physical_network: physnet,
      ...(seg !== undefined ? { segmentation_id: seg } : {}), subnets: file,
    };
    nets.push({ name, project: null, shared: x.shared, external: true, type, physnet, subnets: books });
  });
  let flatTenant = 0;
  spec.networks.forEach((n: NetworkSpec, i) => {
    const name = `net${i + 1}`;
    const type = n.type === 'flat' && flatTenant >= FLAT_TENANT_PHYSNETS.length ? 'vlan' : n.type;
    const physnet = type === 'flat' ? FLAT_TENANT_PHYSNETS[flatTenant++]! : type === 'vlan' ? (n.vlanOnExternal ? 'external' : 'physnet1') : null;
    const seg = type === 'flat' ? undefined : segmentFor(type, physnet, n.segmentation);
    const project = projectOf(n.project);
    const { file, books } = subnetsOf(name, n.subnets, TENANT_CIDRS, false);
    networks[name] = {
      ...idOf(n.id), ...(project !== null ? { project } : {}), ...(n.explicit ? { external: false } : {}), ...(n.shared || n.explicit ? { shared: n.shared } : {}), type,
      ...(physnet !== null ? { physical_network: physnet } : {}), ...(seg !== undefined ? { segmentation_id: seg } : {}), subnets: file,
    };
    nets.push({ name, project, shared: n.shared, external: false, type, physnet, subnets: books });
  });
  const externals = nets.filter((n) => n.external);
  const tenants = nets.filter((n) => !n.external);

  // Hosts: the roles as drawn, with a network node added where DHCP or routers need one and a
  // compute host where VMs need one.
  const roles = spec.hosts.map((h) => h.role);
  const needsNetwork = spec.routers.length > 0 || Object.values(networks).some((n) => Object.values(n.subnets ?? {}).some((s) => s.dhcp ?? true));
  if (needsNetwork && !roles.some((r) => r !== 'compute')) roles[0] = 'both';
  if (spec.vms.length > 0 && !roles.some((r) => r !== 'network')) roles[roles.length - 1] = 'both';
  const counters = { compute: 0, network: 0, both: 0 };
  const hostNames = roles.map((r) => `${r === 'both' ? 'allinone' : r}${++counters[r]}`);
  const networkHosts = hostNames.filter((_, i) => roles[i] !== 'compute');
  const computeHosts = hostNames.filter((_, i) => roles[i] !== 'network');

  // Security group names per project (rules come once the ports' addresses are known).
  const groupNames = new Map<string, string[]>(projects.map((p) => [p, ['default']]));
  const groupSpecs: { project: string; name: string; spec: GroupSpec }[] = [];
  for (const g of spec.groups) {
    const project = at(projects, g.project);
    const name = at(GROUP_NAMES, g.name);
    if (groupSpecs.some((x) => x.project === project && x.name === name)) continue;
    groupSpecs.push({ project, name, spec: g });
    if (name !== 'default') groupNames.get(project)!.push(name);
  }

  // Routers: interfaces on subnets they may attach, a gateway on an external network.
  const routersFile: Record<string, RouterFile> = {};
  const routerBooks: RouterBook[] = [];
  const routerSpecs: RouterSpec[] = [];
  const vrids = new Map<string, Set<number>>();
  let haRouters = 0;
  spec.routers.forEach((r, i) => {
    const name = `router${i + 1}`;
    const project = projectOf(r.project);
    const book: RouterBook = { name, subnets: [], own: new Set(), gatewayNet: null };
    const file: RouterFile = { ...idOf(r.id), ...(project !== null ? { project } : {}), ...(r.explicit ? { distributed: false } : {}) };
    // Where its instances run: one host, or (L3 HA) several network nodes — written, or Neutron's default.
    const ha = r.ha === 'hosts' && networkHosts.length < 2 ? 'flag' : r.ha;
    let instances: string[] = networkHosts.slice(0, 1);
    if (ha === 'hosts') {
      instances = [...new Set(Array.from({ length: Math.min(r.haHosts, networkHosts.length) }, (_, k) => at(networkHosts, r.host + k)))];
      file.hosts = instances;
    } else if (r.writeHosts && networkHosts.length > 0) {
      instances = [at(networkHosts, r.host)];
      file.hosts = instances;
    } else if (ha !== 'none') instances = networkHosts.slice(0, 3);
    if (ha === 'flag') file.ha = {};
    if (ha === 'vrid') {
      const key = project ?? 'admin';
      const taken = vrids.get(key) ?? new Set<number>();
      let vrid = 1 + (r.vrid % 254);
      while (taken.has(vrid)) vrid = (vrid % 254) + 1;
      taken.add(vrid);
      vrids.set(key, taken);
      file.ha = { vrid };
    }
    if (ha !== 'none') haRouters++;
    if (ha !== 'none' && r.haState !== null) file.ha_state = Object.fromEntries(instances.map((h, k) => [h, at(r.haState!, k)]));
    if (r.gateway !== null && externals.length > 0) {
      const ext = at(externals, r.gateway.external);
      // Without a written address the gateway port is allocated in the network's first subnet.
      const subnet = r.gateway.writeIp ? at(ext.subnets, r.gateway.subnet) : ext.subnets[0]!;
      const gw: NonNullable<RouterFile['gateway']> = { network: ext.name };
      if (r.gateway.writeIp) {
        const ip = takeTop(subnet);
        gw.ip = formatIpv4(ip);
        book.own.add(ip);
      }
      if (r.gateway.snat !== null) gw.snat = r.gateway.snat;
      Object.assign(gw, routerPort(r.gateway.port));
      file.gateway = gw;
      book.subnets.push(subnet);
      book.gatewayNet = ext;
    } else if (r.nullGateway) {
      file.gateway = null;
    }
    const candidates = tenants.filter((n) => project === null || n.project === project || n.shared).flatMap((n) => n.subnets);
    const interfaces: NonNullable<RouterFile['interfaces']> = [];
    for (const itf of r.interfaces) {
      if (candidates.length === 0) break;
      const s = at(candidates, itf.subnet);
      if (book.subnets.some((b) => b === s || cidrsOverlap(b.cidr, s.cidr))) continue;
      book.subnets.push(s);
      const port = routerPort(itf.port);
      if (!itf.writeIp && s.gateway !== null && !s.gatewayTaken) {
        s.gatewayTaken = true;
        book.own.add(s.gateway);
        interfaces.push(itf.objectForm || Object.keys(port).length > 0 ? { subnet: s.name, ...port } : s.name);
      } else {
        const ip = takeTop(s);
        book.own.add(ip);
        interfaces.push({ subnet: s.name, ip: formatIpv4(ip), ...port });
      }
    }
    if (interfaces.length > 0 || r.interfaces.length > 0) file.interfaces = interfaces;
    routersFile[name] = file;
    routerBooks.push(book);
    routerSpecs.push(r);
  });

  // VMs and their ports.
  const vmsFile: Record<string, VmFile> = {};
  const ports: PortBook[] = [];
  const pairSpecs: { port: PortFile; book: PortBook; spec: PortSpec }[] = [];
  spec.vms.forEach((v, i) => {
    const name = `vm${i + 1}`;
    const project = at(projects, v.project);
    if (computeHosts.length === 0) return;
    const usable = nets.filter((n) => (n.external ? n.shared : n.project === project || n.shared));
    const built: PortFile[] = [];
    for (const p of v.ports) {
      if (usable.length === 0) break;
      const net = at(usable, p.network);
      const index = built.length;
      let subnet = net.subnets[0]!;
      let ip: number | null = null;
      if (p.ip !== null) {
        subnet = at(net.subnets, p.ip.subnet);
        ip = takeTop(subnet, p.ip.offset);
      }
      const mac = p.mac ? macOf(++macs) : null;
      const port: PortFile = { ...idOf(p.id), network: net.name, ...(ip !== null ? { ip: formatIpv4(ip) } : {}), ...(mac !== null ? { mac } : {}) };
      if (p.portSecurity === false) port.port_security = false;
      else {
        if (p.portSecurity === true) port.port_security = true;
        if (p.groups !== null) port.security_groups = [...new Set(p.groups.map((g) => at(groupNames.get(project)!, g)))];
      }
      const book: PortBook = { vm: name, index, net, subnet, ip, mac };
      ports.push(book);
      if (p.portSecurity !== false && p.pairs.length > 0) pairSpecs.push({ port, book, spec: p });
      built.push(port);
    }
    if (built.length === 0) return;
    vmsFile[name] = { ...idOf(v.id), project, host: at(computeHosts, v.host), ports: built };
  });

  // Allowed address pairs (they may name other ports' addresses and MACs).
  for (const { port, book, spec: p } of pairSpecs) {
    port.allowed_address_pairs = p.pairs.map((pair) => {
      const others = ports.filter((o) => o !== book && o.ip !== null);
      const choices = [
        `${formatIpv4(book.subnet.cidr.network)}/${book.subnet.cidr.prefix}`,
        formatIpv4(book.subnet.last - 40 > book.subnet.first ? book.subnet.last - 40 : book.subnet.first),
        '0.0.0.0/0',
        others.length > 0 ? `${formatIpv4(at(others, pair.ip).ip!)}/32` : '10.99.0.0/24',
        '10.99.0.0/24',
        `${formatIpv4(book.subnet.first + 3)}/32`,
      ];
      const ip_address = at(choices, pair.ip);
      const otherMacs = ports.filter((o) => o !== book && o.mac !== null).map((o) => o.mac!);
      const mac = pair.mac === 'none' ? null : pair.mac === 'other-port' && otherMacs.length > 0 ? at(otherMacs, pair.ip) : macOf(0x8000 + ++macs);
      return mac === null ? { ip_address } : { ip_address, mac_address: mac };
    });
  }

  // Floating IPs: on a port whose subnet some router connects to an external network.
  const fipsFile: FloatingIpFile[] = [];
  const withFip = new Set<PortBook>();
  const fipAddresses = new Set<number>();
  const vmNames = Object.keys(vmsFile);
  for (const f of spec.fips) {
    if (vmNames.length === 0) break;
    const vm = at(vmNames, f.vm);
    const mine = ports.filter((p) => p.vm === vm);
    const port = at(mine, f.port);
    if (withFip.has(port) || port.net.external) continue;
    const router = routerBooks.find((r) => r.gatewayNet !== null && r.subnets.includes(port.subnet));
    if (!router || router.gatewayNet === null) continue;
    const subnet = at(router.gatewayNet.subnets, f.subnet);
    withFip.add(port);
    const ip = takeTop(subnet);
    fipAddresses.add(ip);
    fipsFile.push({ ...idOf(f.id), ip: formatIpv4(ip), vm, ...(f.writePort || port.index > 0 ? { port: port.index } : {}) });
  }

  // Extra routes: via an address on one of the router's subnets that is not its own.
  routerSpecs.forEach((r, i) => {
    const book = routerBooks[i]!;
    if (r.routes.length === 0 || book.subnets.length === 0) return;
    const routes: NonNullable<RouterFile['routes']> = [];
    for (const rt of r.routes) {
      const hops: number[] = [];
      for (const s of book.subnets) {
        for (const ip of [...s.used].sort((a, b) => a - b)) if (!book.own.has(ip) && !fipAddresses.has(ip)) hops.push(ip);
      }
      const nexthop = rt.nexthop < hops.length ? hops[rt.nexthop]! : takeTop(at(book.subnets, rt.nexthop));
      const destination = at(ROUTE_DESTINATIONS, rt.destination);
      if (routes.some((x) => x.destination === destination)) continue;
      routes.push({ destination, nexthop: formatIpv4(nexthop) });
    }
    routersFile[book.name]!.routes = routes;
  });

  // Security groups, now that ports' addresses are known (a rule may name one as its remote prefix).
  const written = ports.filter((p) => p.ip !== null);
  const groupsFile: Record<string, Record<string, GroupFile>> = {};
  const stateless = statelessGroups(spec, groupSpecs, vmsFile, spec.defaults.release);
  const drawnStateless = new Set(groupSpecs.length === 0 ? [] : (spec.stateless ?? []).map((i) => at(groupSpecs, i)));
  for (const g of groupSpecs) {
    const rules = g.spec.rules.map((r) => ruleOf(r, groupNames.get(g.project)!, written, idOf));
    const withId = idOf(g.spec.id);
    // Drawn stateless but not allowed to be: written `stateful: true`, the default spelt out.
    const flag = stateless.has(g) ? { stateful: false } : drawnStateless.has(g) ? { stateful: true } : {};
    const group: GroupFile = g.spec.objectForm || withId.id !== undefined || g.spec.autoEgress !== null || stateless.has(g) || drawnStateless.has(g)
      ? { ...withId, rules, ...(g.spec.autoEgress !== null ? { auto_egress: g.spec.autoEgress } : {}), ...flag }
      : rules;
    (groupsFile[g.project] ??= {})[g.name] = group;
  }

  // DHCP agents written out, on network nodes (which reach every network).
  spec.networks.forEach((n, i) => {
    const file = networks[`net${i + 1}`];
    const dhcp = Object.values(file?.subnets ?? {}).some((x) => x.dhcp ?? true);
    if (!file || n.dhcpHosts === null || !dhcp || networkHosts.length === 0) return;
    const hosts = [...new Set(n.dhcpHosts.map((k) => at(networkHosts, k)))];
    file.dhcp_hosts = hosts;
    // Their ports, as netproof import writes them from the API: per DHCP-enabled subnet, per agent.
    const ports = n.dhcpPorts;
    if (ports === null) return;
    const books = nets.find((b) => b.name === `net${i + 1}`)?.subnets ?? [];
    for (const [sname, sub] of Object.entries(file.subnets ?? {})) {
      const book = books.find((b) => b.name === sname);
      if (!(sub.dhcp ?? true) || !book) continue;
      sub.dhcp_ports = Object.fromEntries(hosts.map((h) => [h, {
        ...idOf(ports.id), ...(ports.ip ? { ip: formatIpv4(takeTop(book)) } : {}), ...(ports.mac ? { mac: macOf(++macs) } : {}),
      }]));
    }
  });

  // HA routers' VRRP network: a tunnel (every host then needs a tunnel_ip) or a VLAN on a physical
  // network the network nodes map, as Neutron's l3_ha_network_type decides (src/topology/ha.ts).
  const d = spec.defaults;
  const firstSegmented = tenants.find((n) => n.type !== 'flat');
  const haType = d.haNetworkType ?? (firstSegmented ? firstSegmented.type : 'vxlan');
  const haPhysical = haType === 'vlan' && d.haNetworkType === 'vlan' && (d.haPhysical || firstSegmented?.type !== 'vlan') ? 'physnet1' : null;

  // Hosts last: the physical networks each one must map.
  const physnets = [...new Set([...nets.flatMap((n) => (n.physnet === null ? [] : [n.physnet])), ...(haRouters > 0 && haPhysical !== null ? [haPhysical] : [])])];
  const tunnels = nets.some((n) => n.type === 'vxlan' || n.type === 'gre') || (haRouters > 0 && haType !== 'vlan');
  const hosts: Record<string, HostFile> = {};
  hostNames.forEach((name, i) => {
    const role = roles[i]!;
    const needed = new Set<string>(role !== 'compute' || spec.hosts[i]!.mapAll ? physnets : []);
    for (const [vm, file] of Object.entries(vmsFile)) {
      if (file.host !== name) continue;
      for (const p of ports) if (p.vm === vm && p.net.physnet !== null) needed.add(p.net.physnet);
    }
    const mappings = Object.fromEntries(physnets.filter((p) => needed.has(p)).map((p) => [p, BRIDGE_OF_PHYSNET[p]!]));
    hosts[name] = {
      role: role === 'both' ? ['compute', 'network'] : role,
      ...(tunnels ? { tunnel_ip: `172.24.0.${11 + i}` } : {}),
      ...(Object.keys(mappings).length > 0 ? { bridge_mappings: mappings } : {}),
    };
  });

  const defaults: NonNullable<TopologyFile['defaults']> = {
    ...(d.release !== null ? { release: at(RELEASES, d.release) } : {}),
    ...(d.firewallDriver !== null ? { firewall_driver: d.firewallDriver } : {}),
    ...(d.l2Population !== null ? { l2_population: d.l2Population } : {}),
    ...(d.arpResponder !== null ? { arp_responder: d.arpResponder } : {}),
    ...(d.haAdvertInt !== null ? { ha_vrrp_advert_int: d.haAdvertInt } : {}),
    ...(d.dhcpAgents !== null ? { dhcp_agents_per_network: d.dhcpAgents } : {}),
    ...(d.haNetworkType !== null ? { l3_ha_network_type: d.haNetworkType } : {}),
    ...(haPhysical !== null ? { l3_ha_network_physical_name: haPhysical } : {}),
  };
  return {
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    hosts,
    networks,
    ...(Object.keys(routersFile).length > 0 ? { routers: routersFile } : {}),
    ...(Object.keys(groupsFile).length > 0 ? { security_groups: groupsFile } : {}),
    ...(Object.keys(vmsFile).length > 0 ? { vms: vmsFile } : {}),
    ...(fipsFile.length > 0 ? { floating_ips: fipsFile } : {}),
  };
}

/**
 * The groups drawn stateless that the file may write `stateful: false` on: the release has stateless
 * groups (Ussuri and later, or the default release), and every port in such a group is in stateless
 * groups only (NP412), all with rules or all without (NP413) — groups that break this are dropped from
 * the draw until none does. An unwritten `default` is Neutron's, stateful.
 */
function statelessGroups<G extends { project: string; name: string; spec: GroupSpec }>(spec: TopologySpec, groupSpecs: readonly G[], vms: Readonly<Record<string, VmFile>>, release: number | null): Set<G> {
  const out = new Set<G>();
  if (spec.stateless === null || groupSpecs.length === 0) return out;
  if (release !== null && (releaseOrdinal(at(RELEASES, release)) ?? 0) < (releaseOrdinal('ussuri') as number)) return out;
  for (const i of spec.stateless) out.add(at(groupSpecs, i));
  // A written group has rules unless it writes none and leaves out the automatic egress ones.
  const hasRules = (g: G) => g.spec.rules.length > 0 || g.spec.autoEgress !== false;
  const portGroups = Object.values(vms).flatMap((vm) => vm.ports.filter((p) => p.port_security !== false).map((p) => ({ project: vm.project, names: [...new Set(p.security_groups ?? ['default'])] })));
  for (let changed = true; changed;) {
    changed = false;
    for (const g of [...out]) {
      const fine = portGroups.every((p) => {
        if (p.project !== g.project || !p.names.includes(g.name)) return true;
        const groups = p.names.map((n) => [...out].find((x) => x.project === p.project && x.name === n));
        if (groups.some((x) => x === undefined)) return false;
        return new Set(groups.map((x) => hasRules(x as G))).size === 1;
      });
      if (!fine) {
        out.delete(g);
        changed = true;
      }
    }
  }
  return out;
}

const PORTED: ReadonlySet<RuleSpec['protocol']> = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite', 33, 132, 136]);

/** One security group rule; fields its protocol cannot carry are left out. */
function ruleOf(r: RuleSpec, groups: readonly string[], ports: readonly PortBook[], idOf: (w: boolean) => { id?: string }): RuleFile {
  const rule: RuleFile = { ...idOf(r.id), direction: r.direction };
  if (r.protocol === 'null') rule.protocol = null;
  else if (r.protocol !== 'absent') rule.protocol = r.protocol;
  if (r.port !== null && PORTED.has(r.protocol)) {
    const a = at(PORTS, r.port.from);
    if (r.port.to === null) rule.port = r.port.asString ? String(a) : a;
    else {
      const b = at(PORTS, r.port.to);
      rule.port = `${Math.min(a, b)}-${Math.max(a, b)}`;
    }
  }
  if (r.icmp !== null && r.protocol === 'icmp') {
    rule.icmp_type = r.icmp.type;
    if (r.icmp.code !== null) rule.icmp_code = r.icmp.code;
  }
  if (r.remote !== null) {
    if (r.remote.kind === 'prefix') rule.remote_ip_prefix = at(REMOTE_PREFIXES, r.remote.index);
    else if (r.remote.kind === 'group') rule.remote_group = at(groups, r.remote.index);
    else if (ports.length > 0) rule.remote_ip_prefix = `${formatIpv4(at(ports, r.remote.index).ip!)}/32`;
  }
  if (r.ethertype) rule.ethertype = 'IPv4';
  return rule;
}
