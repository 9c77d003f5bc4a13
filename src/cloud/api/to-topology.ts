// The Neutron API view of a cloud as a topology file (DESIGN §2): the same data `netproof import`
// writes, and what the cloud directory's intent is rendered and checked from. Names come from the API
// (servers, networks, subnets, routers, groups, projects); ids, MACs, addresses, bindings, DHCP and
// router ports are written out as the API shows them, so the rendered device names are the real ones.
// What the topology format cannot say (a DVR router, IPv6, a second DHCP agent, a port of an unknown
// kind, an admin-down object) is left out with a note naming the API object's file and line and the
// verdicts it makes `unknown`; nothing is silently modelled as something else. A group's `stateful`
// flag is kept; a server whose port the OVS agent would track, or not, on grounds the topology cannot
// carry (IPv6 rules, or its stateless groups' order) is left out (`untrackedMismatch`).
import type { TopologyFile } from '../../topology/schema.ts';
import { looksIpv6, parseIpv4 } from '../../topology/ipv4.ts';
import { CLOUD_NOTE, note, type CloudNote } from '../notes.ts';
import { NameBook } from './names.ts';
import type { ApiAt, ApiView, Located } from './read.ts';
import { forwardingsOf } from './port-forwardings.ts';
import type { AgentApiT, FloatingIpApiT, NetworkApiT, PortApiT, RouterApiT, SecurityGroupApiT, SubnetApiT } from './schema.ts';
import { convertRule } from './sg-rules.ts';

/** Mutable versions of the file types, to build the file piece by piece. */
type Mut<T> = { -readonly [K in keyof T]: T[K] };
type FileT = Mut<TopologyFile>;
type Hosts = NonNullable<FileT['hosts']>;
type Networks = NonNullable<FileT['networks']>;
type Routers = NonNullable<FileT['routers']>;
type Groups = NonNullable<FileT['security_groups']>;
type Vms = NonNullable<FileT['vms']>;
type RuleFile = NonNullable<Extract<Groups[string][string], { rules: unknown }>['rules']>[number];

export interface ApiTopology {
  /** The topology file, as data (what `netproof import` writes as YAML). */
  readonly file: TopologyFile;
  /** Topology field path (formatted, e.g. `vms.web-1.ports[0]`) → the API object it was made from. */
  readonly origins: ReadonlyMap<string, ApiAt>;
  readonly notes: readonly CloudNote[];
  /** The names given to API objects, by kind (`network`, `subnet`, `router`, `vm`, `project`) and id. */
  readonly names: NameBook;
  /** Ports the API has on hosts that the topology leaves out (not modelled), by id: what they are. */
  readonly unmodelledPorts: ReadonlyMap<string, string>;
  /** Topology object path (`vms.web-1`, `routers.r1`, `networks.n1`, `floating_ips[0]`, `security_groups.p.g`) → API id. */
  readonly objectIds: ReadonlyMap<string, string>;
  /** Routers the API shows that the topology leaves out (DVR, admin down, …), by id. */
  readonly unmodelledRouters: ReadonlySet<string>;
}

export interface ApiTopologyOptions {
  /** API objects (networks, routers, servers, floating IPs, groups, by id) to leave out, with why (see load-api.ts). */
  readonly drop?: ReadonlyMap<string, string>;
  /** Defaults to write (release and options from the captured ini files and versions). */
  readonly defaults?: NonNullable<TopologyFile['defaults']>;
}

const HA_NETWORK = /^HA network (tenant|project) /;
const ROUTER_INTERFACE_OWNERS = new Set(['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface']);
const OVS_AGENT = 'Open vSwitch agent';
const isV4 = (ip: string) => !looksIpv6(ip) && parseIpv4(ip) !== null;
const projectIdOf = (o: { project_id?: string | null | undefined; tenant_id?: string | null | undefined }) => o.project_id || o.tenant_id || '';
const bound = (p: PortApiT): string | null => {
  const host = p['binding:host_id'] ?? '';
  const vif = p['binding:vif_type'] ?? '';
  return host !== '' && vif !== 'unbound' && vif !== 'binding_failed' ? host : null;
};

/** The created_at order Nova plugs a server's ports in (then by id, for stability). */
const byCreation = (a: Located<PortApiT>, b: Located<PortApiT>) =>
  (a.value.created_at ?? '').localeCompare(b.value.created_at ?? '') || a.value.id.localeCompare(b.value.id);

export function apiToTopology(api: ApiView, opts: ApiTopologyOptions = {}): ApiTopology {
  const notes: CloudNote[] = [];
  const origins = new Map<string, ApiAt>();
  const names = new NameBook();
  const unmodelledPorts = new Map<string, string>();
  const objectIds = new Map<string, string>();
  const unmodelledRouters = new Set<string>();
  const drop = opts.drop ?? new Map<string, string>();
  const say = (code: string, at: ApiAt, message: string, taints: readonly string[] = []) => notes.push(note(code, at, message, taints));

  // --- names -------------------------------------------------------------------------------------
  const projectName = new Map<string, string>();
  names.assign('project', api.projects.map((p) => ({ id: p.value.ID, name: p.value.Name })));
  const project = (id: string): string => {
    if (id === '') return 'admin';
    let n = projectName.get(id);
    if (n === undefined) {
      n = names.get('project', id) ?? id;
      projectName.set(id, n);
    }
    return n;
  };
  const serverName = new Map(api.servers.map((s) => [s.value.ID, s.value.Name ?? '']));
  const allProjects = () => [...new Set([...api.projects.map((x) => x.value.ID), ...api.ports.map((x) => projectIdOf(x.value))])].filter((p) => p !== '').map((p) => `project:${project(p)}`);

  // --- networks and subnets -----------------------------------------------------------------------
  const networks: Networks = {};
  const netById = new Map<string, { name: string; api: Located<NetworkApiT> }>();
  const modelledNets = api.networks.filter((n) => {
    // Neutron's per-project HA network (l3_hamode_db: `HA network tenant <id>`): the topology derives it for its HA routers.
    if (HA_NETWORK.test(n.value.name ?? '')) return false;
    const dropped = drop.get(n.value.id);
    if (dropped !== undefined) {
      say(CLOUD_NOTE.unmodelled, n.at, `network ${n.value.name || n.value.id}: ${dropped}; left out with everything on it`, ['*']);
      return false;
    }
    const seg = segmentOf(n.value);
    if (seg.kind === 'unsupported') say(CLOUD_NOTE.unmodelled, n.at, `network ${n.value.name || n.value.id}: ${seg.why} is not modelled; left out`, [`network:${n.value.name || n.value.id}`]);
    return seg.kind === 'ok';
  });
  names.assign('network', modelledNets.map((n) => n.value));
  for (const n of modelledNets) {
    const name = names.get('network', n.value.id) as string;
    const seg = segmentOf(n.value);
    if (seg.kind !== 'ok') continue;
    netById.set(n.value.id, { name, api: n });
    origins.set(`networks.${name}`, n.at);
    objectIds.set(`networks.${name}`, n.value.id);
    const net: Mut<Networks[string]> = { id: n.value.id, type: seg.type };
    const proj = projectIdOf(n.value);
    if (proj !== '') net.project = project(proj);
    if (n.value['router:external']) net.external = true;
    if (n.value.shared) net.shared = true;
    if (seg.physnet !== null) net.physical_network = seg.physnet;
    if (seg.segmentationId !== null) net.segmentation_id = seg.segmentationId;
    if (n.value.admin_state_up === false) say(CLOUD_NOTE.state, n.at, `network ${name} is administratively down: the agents drop its traffic, which the topology cannot say`, [`network:${name}`]);
    networks[name] = net;
  }
  const v4Subnets = api.subnets.filter((s) => {
    if (s.value.ip_version === 4 && isV4(s.value.cidr.split('/')[0] ?? '')) return netById.has(s.value.network_id);
    if (s.value.ip_version !== 4) say(CLOUD_NOTE.ipv6, s.at, `subnet ${s.value.name || s.value.id} (${s.value.cidr}) is IPv6: not modelled, no IPv4 verdict depends on it`);
    return false;
  });
  names.assign('subnet', v4Subnets.map((s) => s.value));
  const subnetById = new Map<string, { name: string; network: string; api: Located<SubnetApiT> }>();
  for (const s of v4Subnets) {
    const net = netById.get(s.value.network_id);
    if (!net) continue;
    const name = names.get('subnet', s.value.id) as string;
    subnetById.set(s.value.id, { name, network: net.name, api: s });
    origins.set(`networks.${net.name}.subnets.${name}`, s.at);
    const sub: Mut<NonNullable<Networks[string]['subnets']>[string]> = { id: s.value.id, cidr: s.value.cidr, gateway: s.value.gateway_ip ?? null, dhcp: s.value.enable_dhcp ?? true };
    if ((s.value.host_routes ?? []).length > 0) {
      say(CLOUD_NOTE.unmodelled, s.at, `subnet ${name} hands its VMs host routes by DHCP (${(s.value.host_routes ?? []).map((r) => `${r.destination} via ${r.nexthop}`).join(', ')}): VMs' own routing is not modelled`, [`network:${net.name}`]);
    }
    const target = networks[net.name] as Mut<Networks[string]>;
    target.subnets = { ...(target.subnets ?? {}), [name]: sub };
  }
  const subnetOfIp = (p: PortApiT): { ip: string; subnet: { name: string; network: string } } | null => {
    for (const f of p.fixed_ips) {
      const s = subnetById.get(f.subnet_id);
      if (s && isV4(f.ip_address)) return { ip: f.ip_address, subnet: s };
    }
    return null;
  };

  // --- agents and hosts ---------------------------------------------------------------------------
  const agentsOf = (type: string) => api.agents.filter((a) => a.value.agent_type === type);
  const ovsAgents = new Map(agentsOf(OVS_AGENT).map((a) => [a.value.host, a]));
  const l3Hosts = new Set(agentsOf('L3 agent').map((a) => a.value.host));
  const dhcpHosts = new Set(agentsOf('DHCP agent').map((a) => a.value.host));
  for (const a of api.agents) {
    if (a.value.agent_type === 'Linux bridge agent' || a.value.agent_type === 'OVN Controller agent' || a.value.agent_type === 'OVN Controller Gateway agent') {
      say(CLOUD_NOTE.unmodelled, a.at, `host ${a.value.host} runs the ${a.value.agent_type}, not the OVS agent netproof models`, [`host:${a.value.host}`]);
    }
  }

  // --- ports by kind ------------------------------------------------------------------------------
  const vmPorts = new Map<string, Located<PortApiT>[]>();
  const dhcpPorts = new Map<string, Located<PortApiT>[]>();
  const routerPorts = new Map<string, Located<PortApiT>[]>();
  const gatewayPorts = new Map<string, Located<PortApiT>>();
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => m.set(k, [...(m.get(k) ?? []), v]);
  for (const p of api.ports) {
    const owner = p.value.device_owner ?? '';
    const net = netById.get(p.value.network_id);
    const label = `port ${p.value.id} (${owner || 'no device owner'})`;
    if (owner === 'network:floatingip' || owner === 'network:router_ha_interface') continue;
    if (!net) {
      if (owner === '') continue;
      unmodelledPorts.set(p.value.id, `${label} on a network that is not modelled`);
      if (!api.networks.some((n) => n.value.id === p.value.network_id)) say(CLOUD_NOTE.dangling, p.at, `${label} is on network ${p.value.network_id}, which networks.json does not list`);
      continue;
    }
    if (owner.startsWith('compute:')) push(vmPorts, p.value.device_id ?? '', p);
    else if (owner === 'network:dhcp') push(dhcpPorts, p.value.network_id, p);
    else if (ROUTER_INTERFACE_OWNERS.has(owner)) push(routerPorts, p.value.device_id ?? '', p);
    else if (owner === 'network:router_gateway') gatewayPorts.set(p.value.device_id ?? '', p);
    else if (owner === '' && bound(p.value) === null) continue;
    else {
      unmodelledPorts.set(p.value.id, label);
      say(CLOUD_NOTE.unmodelled, p.at, `${label} on network ${net.name}: ports of this kind are not modelled`, [`network:${net.name}`]);
    }
  }

  // --- routers ------------------------------------------------------------------------------------
  const routers: Routers = {};
  const routerHostsUsed = new Set<string>();
  const keptRouters = api.routers.filter((r) => {
    const label = r.value.name || r.value.id;
    const taints = routerTaints(api, r.value, label, routerPorts, gatewayPorts, (id) => netById.get(id)?.name, (id) => project(id));
    const leaveOut = (why: string) => {
      unmodelledRouters.add(r.value.id);
      say(CLOUD_NOTE.unmodelled, r.at, `router ${label}: ${why}; left out`, taints);
      for (const p of [...(routerPorts.get(r.value.id) ?? []), ...[gatewayPorts.get(r.value.id)].filter((x) => x !== undefined)]) {
        unmodelledPorts.set(p.value.id, `port of router ${label}, which is not modelled`);
      }
      return false;
    };
    if (r.value.distributed) return leaveOut('a distributed (DVR) router is not modelled');
    const why = drop.get(r.value.id);
    if (why !== undefined) return leaveOut(why);
    if (r.value.admin_state_up === false) return leaveOut('administratively down (the L3 agent removes its namespace)');
    if (hostsOfRouter(api, r.value.id, routerPorts, gatewayPorts).length === 0) return leaveOut('scheduled to no L3 agent');
    return true;
  });
  names.assign('router', keptRouters.map((r) => r.value));
  const routerName = new Map<string, string>();
  for (const r of keptRouters) {
    const name = names.get('router', r.value.id) as string;
    routerName.set(r.value.id, name);
    origins.set(`routers.${name}`, r.at);
    objectIds.set(`routers.${name}`, r.value.id);
    const hosts = hostsOfRouter(api, r.value.id, routerPorts, gatewayPorts);
    for (const h of hosts) routerHostsUsed.add(h);
    const router: Mut<Routers[string]> = { id: r.value.id, hosts };
    const proj = projectIdOf(r.value);
    if (proj !== '') router.project = project(proj);
    const gw = r.value.external_gateway_info;
    if (gw) {
      const net = netById.get(gw.network_id);
      const ip = (gw.external_fixed_ips ?? []).find((f) => isV4(f.ip_address));
      const port = gatewayPorts.get(r.value.id);
      if (!net) say(CLOUD_NOTE.dangling, r.at, `router ${name}'s gateway network ${gw.network_id} is not modelled; gateway left out`, [`router:${name}`]);
      else {
        router.gateway = { network: net.name, ...(ip ? { ip: ip.ip_address } : {}), ...(gw.enable_snat === false ? { snat: false } : {}), ...(port ? { id: port.value.id, mac: port.value.mac_address } : {}) };
        if (port) origins.set(`routers.${name}.gateway`, port.at);
        // The L3 agent SNATs to the first IPv4 address (router_info._add_snat_rules) but puts every one on
        // qg- and routes to each one's subnet, which the topology cannot say.
        const more = (gw.external_fixed_ips ?? []).filter((f) => isV4(f.ip_address) && f.ip_address !== ip?.ip_address).map((f) => f.ip_address);
        if (more.length > 0) say(CLOUD_NOTE.unmodelled, r.at, `router ${name}'s gateway has several IPv4 addresses; only ${ip?.ip_address} is modelled, not ${more.join(', ')}`, [`router:${name}`, `network:${net.name}`]);
      }
    }
    const itfs: Mut<NonNullable<Routers[string]['interfaces']>> = [];
    for (const p of [...(routerPorts.get(r.value.id) ?? [])].sort(byCreation)) {
      const v4 = subnetOfIp(p.value);
      if (!v4) {
        say(CLOUD_NOTE.ipv6, p.at, `router ${name}'s interface port ${p.value.id} has no IPv4 address: not modelled`);
        continue;
      }
      if (p.value.fixed_ips.filter((f) => isV4(f.ip_address)).length > 1) {
        say(CLOUD_NOTE.unmodelled, p.at, `router ${name}'s interface port ${p.value.id} has several IPv4 addresses; only ${v4.ip} is modelled`, [`router:${name}`]);
      }
      origins.set(`routers.${name}.interfaces[${itfs.length}]`, p.at);
      itfs.push({ subnet: v4.subnet.name, ip: v4.ip, id: p.value.id, mac: p.value.mac_address });
    }
    if (itfs.length > 0) router.interfaces = itfs;
    const routes = (r.value.routes ?? []).filter((rt) => isV4(rt.nexthop));
    if (routes.length > 0) router.routes = routes.map((rt) => ({ destination: rt.destination, nexthop: rt.nexthop }));
    if (r.value.ha || hosts.length > 1) {
      router.ha = {};
      const states: Record<string, 'active' | 'standby'> = {};
      for (const a of api.l3Agents.get(r.value.id) ?? []) if (a.value.ha_state === 'active' || a.value.ha_state === 'standby') states[a.value.host] = a.value.ha_state;
      if (Object.keys(states).length > 0) router.ha_state = states;
      say(CLOUD_NOTE.state, r.at, `router ${name} is an L3 HA router on ${hosts.join(', ')}: its HA network's segmentation id and its ha- ports are derived by netproof, not read from the API (the topology format does not carry them), so drift on them is expected`);
    }
    routers[name] = router;
  }

  // --- DHCP: every agent's port, in the order of the network's dhcp-agents list ------------------
  for (const [netId, ports] of dhcpPorts) {
    const net = netById.get(netId);
    if (!net) continue;
    const order = (api.dhcpAgents.get(netId) ?? []).map((a) => a.value.host);
    const rank = (h: string) => (order.includes(h) ? order.indexOf(h) : 1e9);
    const usable = ports.filter((p) => bound(p.value) !== null).sort((a, b) => rank(bound(a.value) as string) - rank(bound(b.value) as string) || (bound(a.value) as string).localeCompare(bound(b.value) as string));
    const target = networks[net.name] as Mut<Networks[string]>;
    const hosts: string[] = [];
    for (const p of usable) {
      const host = bound(p.value) as string;
      if (hosts.includes(host)) {
        unmodelledPorts.set(p.value.id, `a second DHCP port of network ${net.name} on ${host}`);
        say(CLOUD_NOTE.unmodelled, p.at, `network ${net.name} has a second DHCP port on ${host}: one per agent is modelled`, [`network:${net.name}`]);
        continue;
      }
      hosts.push(host);
      for (const f of p.value.fixed_ips) {
        const s = subnetById.get(f.subnet_id);
        const sub = s && target.subnets?.[s.name];
        if (!s || !sub || !isV4(f.ip_address)) continue;
        (sub as Mut<typeof sub>).dhcp_ports = { ...(sub.dhcp_ports ?? {}), [host]: { id: p.value.id, ip: f.ip_address, mac: p.value.mac_address } };
      }
    }
    if (hosts.length > 0) {
      target.dhcp_hosts = hosts;
      origins.set(`networks.${net.name}.dhcp_hosts`, (usable[0] as Located<PortApiT>).at);
    }
  }
  for (const [name, net] of Object.entries(networks)) {
    for (const [sname, sub] of Object.entries(net.subnets ?? {})) {
      if (sub.dhcp !== false && Object.keys(sub.dhcp_ports ?? {}).length === 0) {
        const s = [...subnetById.values()].find((x) => x.name === sname);
        say(CLOUD_NOTE.state, s?.api.at ?? { file: 'api', line: 1 }, `subnet ${sname} has DHCP enabled but no DHCP port: no DHCP agent serves network ${name}`, [`network:${name}`]);
        (sub as Mut<typeof sub>).dhcp = false;
      }
    }
  }

  // --- security groups ----------------------------------------------------------------------------
  const groups: Groups = {};
  const groupById = new Map<string, { project: string; name: string }>();
  const byProject = new Map<string, typeof api.securityGroups[number][]>();
  for (const g of api.securityGroups) push(byProject, project(projectIdOf(g.value)), g);
  for (const [proj, list] of byProject) {
    names.assign(`sg:${proj}`, list.map((g) => g.value));
    for (const g of list) groupById.set(g.value.id, { project: proj, name: names.get(`sg:${proj}`, g.value.id) as string });
  }
  const taintedGroups = new Map<string, string>();
  /** Group id → how many rules the topology writes for it (IPv4 rules netproof models). */
  const modelledRules = new Map<string, number>();
  for (const [proj, list] of byProject) {
    const out: Mut<Groups[string]> = {};
    for (const g of list) {
      const name = (groupById.get(g.value.id) as { name: string }).name;
      origins.set(`security_groups.${proj}.${name}`, g.at);
      objectIds.set(`security_groups.${proj}.${name}`, g.value.id);
      const dropped = drop.get(g.value.id);
      if (dropped !== undefined) {
        taintedGroups.set(g.value.id, dropped);
        say(CLOUD_NOTE.unmodelled, g.at, `security group ${name} (project ${proj}): ${dropped}; left out`);
        continue;
      }
      const rules: RuleFile[] = [];
      for (const r of g.value.security_group_rules) {
        const c = convertRule(r);
        if (c.kind === 'ipv6') continue;
        if (c.kind === 'unsupported') {
          taintedGroups.set(g.value.id, `rule ${r.id}: ${c.why} is not modelled`);
          continue;
        }
        if (c.remoteGroupId !== null) {
          const remote = groupById.get(c.remoteGroupId);
          if (!remote || remote.project !== proj) {
            taintedGroups.set(g.value.id, `rule ${r.id} names group ${c.remoteGroupId} of ${remote ? `project ${remote.project}` : 'no project the API shows'}, which the topology cannot refer to`);
            continue;
          }
          rules.push({ ...c.rule, remote_group: remote.name });
        } else rules.push(c.rule);
      }
      const why = taintedGroups.get(g.value.id);
      if (why !== undefined) say(CLOUD_NOTE.unmodelled, g.at, `security group ${name} (project ${proj}): ${why}; left out of the group`);
      modelledRules.set(g.value.id, rules.length);
      out[name] = { id: g.value.id, rules, auto_egress: false, ...(g.value.stateful === false ? { stateful: false } : {}) };
    }
    groups[proj] = out;
  }

  // --- VMs ----------------------------------------------------------------------------------------
  const vms: Vms = {};
  const apiGroups = new Map(api.securityGroups.map((g) => [g.value.id, g.value]));
  const hybrid = (opts.defaults?.firewall_driver ?? 'iptables_hybrid') === 'iptables_hybrid';
  const vmIds = [...vmPorts.keys()].filter((id) => {
    if (id === '') return false;
    const dropped = drop.get(id) ?? (hybrid ? untrackedMismatch(vmPorts.get(id) ?? [], apiGroups, modelledRules, (g) => groupById.get(g)?.name ?? g) : undefined);
    if (dropped === undefined) return true;
    const first = (vmPorts.get(id) ?? [])[0] as Located<PortApiT>;
    const nets = new Set((vmPorts.get(id) ?? []).map((p) => netById.get(p.value.network_id)?.name).filter((n): n is string => n !== undefined));
    say(CLOUD_NOTE.unmodelled, first.at, `server ${serverName.get(id) || id}: ${dropped}; left out`, [...[...nets].map((n) => `network:${n}`), ...allProjects()]);
    for (const p of vmPorts.get(id) ?? []) unmodelledPorts.set(p.value.id, `port of server ${serverName.get(id) || id}, which is left out`);
    return false;
  });
  names.assign('vm', vmIds.map((id) => ({ id, name: serverName.get(id) ?? `vm-${id.slice(0, 8)}` })));
  const vmPortIndex = new Map<string, { vm: string; index: number }>();
  for (const id of vmIds) {
    const name = names.get('vm', id) as string;
    const ports: Mut<Vms[string]['ports']> = [];
    let host: string | null = null;
    let proj = '';
    for (const p of [...(vmPorts.get(id) ?? [])].sort(byCreation)) {
      const h = bound(p.value);
      const v4 = subnetOfIp(p.value);
      if (h === null) {
        say(CLOUD_NOTE.state, p.at, `port ${p.value.id} of server ${name} is not bound to a host: nothing is plugged to verify`);
        continue;
      }
      const plug = pluggedElsewhere(p.value);
      if (plug !== null) {
        // Not on br-int through a hybrid qbr: neither the OVS agent's flows nor its firewall see it.
        const nets = [netById.get(p.value.network_id)?.name].filter((n): n is string => n !== undefined);
        // Every project: other projects' ports may reach its fixed address (their isolation), it may reach theirs.
        say(CLOUD_NOTE.unmodelled, p.at, `port ${p.value.id} of server ${name} is ${plug}: not modelled (no security group of the hybrid firewall applies to it); left out`, [...nets.map((n) => `network:${n}`), ...allProjects()]);
        unmodelledPorts.set(p.value.id, `port of server ${name}, ${plug}`);
        continue;
      }
      if (!v4) {
        say(CLOUD_NOTE.ipv6, p.at, `port ${p.value.id} of server ${name} has no IPv4 address: not modelled`);
        unmodelledPorts.set(p.value.id, `port of server ${name} without an IPv4 address`);
        continue;
      }
      if (host !== null && h !== host) {
        say(CLOUD_NOTE.dangling, p.at, `port ${p.value.id} of server ${name} is bound to ${h}, its other ports to ${host}: left out`);
        unmodelledPorts.set(p.value.id, `port of server ${name} bound to a second host`);
        continue;
      }
      host = h;
      if (proj === '') proj = projectIdOf(p.value);
      const index = ports.length;
      const subject = `port:${name}:${index}`;
      const port: Mut<Vms[string]['ports'][number]> = { id: p.value.id, network: v4.subnet.network, ip: v4.ip, mac: p.value.mac_address };
      if (p.value.fixed_ips.filter((f) => isV4(f.ip_address)).length > 1) {
        say(CLOUD_NOTE.unmodelled, p.at, `port ${name}:${index} has several IPv4 addresses; only ${v4.ip} is modelled`, [subject, `network:${v4.subnet.network}`]);
      }
      if (p.value.port_security_enabled === false) port.port_security = false;
      else {
        const sgs: string[] = [];
        for (const g of p.value.security_groups ?? []) {
          const ref = groupById.get(g);
          // Rules left out are allows left out: what gets into the port (from any project) or out of it
          // may be more than modelled, so every project's isolation is unknown as well as the port.
          const groupTaints = [subject, ...allProjects()];
          if (ref && drop.has(g)) {
            say(CLOUD_NOTE.unmodelled, p.at, `port ${name}:${index} is in security group ${ref.name}, which is left out`, groupTaints);
            continue;
          }
          if (!ref || ref.project !== project(projectIdOf(p.value))) {
            say(CLOUD_NOTE.unmodelled, p.at, `port ${name}:${index} is in security group ${g} of ${ref ? `project ${ref.project}` : 'no project the API shows'}: left out`, groupTaints);
            continue;
          }
          if (taintedGroups.has(g)) say(CLOUD_NOTE.unmodelled, p.at, `port ${name}:${index} is in security group ${ref.name}, part of which is not modelled`, groupTaints);
          sgs.push(ref.name);
        }
        port.security_groups = sgs;
      }
      const pairs = (p.value.allowed_address_pairs ?? []).filter((a) => isV4(a.ip_address.split('/')[0] ?? ''));
      if (pairs.length > 0) port.allowed_address_pairs = pairs.map((a) => ({ ip_address: a.ip_address, ...(a.mac_address ? { mac_address: a.mac_address } : {}) }));
      if (p.value.admin_state_up === false) say(CLOUD_NOTE.state, p.at, `port ${name}:${index} is administratively down: the OVS agent puts it on the dead VLAN, which the topology cannot say`, [subject]);
      else if (p.value.status === 'DOWN') say(CLOUD_NOTE.state, p.at, `port ${name}:${index} is bound but DOWN: the OVS agent has not wired it (or it is on the dead VLAN), which the topology cannot say`, [subject]);
      if (p.value.trunk_details) {
        const subs = p.value.trunk_details.sub_ports ?? [];
        say(CLOUD_NOTE.unmodelled, p.at, `port ${name}:${index} is the parent of trunk ${p.value.trunk_details.trunk_id ?? ''} (${subs.length} subport${subs.length === 1 ? '' : 's'}): its trunk bridge and subports are not modelled`, [subject, `network:${v4.subnet.network}`]);
      }
      origins.set(`vms.${name}.ports[${index}]`, p.at);
      vmPortIndex.set(p.value.id, { vm: name, index });
      ports.push(port);
    }
    if (host === null || ports.length === 0) continue;
    const first = (vmPorts.get(id) ?? [])[0] as Located<PortApiT>;
    origins.set(`vms.${name}`, first.at);
    objectIds.set(`vms.${name}`, id);
    vms[name] = { id, project: project(proj), host, ports };
    if (!groups[project(proj)]) groups[project(proj)] = {};
  }

  // --- floating IPs -------------------------------------------------------------------------------
  const fips: Mut<NonNullable<FileT['floating_ips']>> = [];
  const forwardings: Mut<NonNullable<FileT['port_forwardings']>> = [];
  for (const f of api.floatingips) {
    if (!isV4(f.value.floating_ip_address)) continue;
    const forwarded = drop.has(f.value.id)
      ? ({ kind: 'none' } as const)
      : forwardingsOf(f.value, (id) => {
          const at = vmPortIndex.get(id);
          return at ? { ...at, ip: vms[at.vm]?.ports[at.index]?.ip } : undefined;
        }, (api.portForwardings.get(f.value.id) ?? []).map((x) => x.value));
    if (forwarded.kind === 'modelled') {
      for (const pf of forwarded.forwardings) {
        origins.set(`port_forwardings[${forwardings.length}]`, f.at);
        objectIds.set(`port_forwardings[${forwardings.length}]`, pf.id ?? f.value.id);
        forwardings.push(pf);
      }
      continue;
    }
    if (forwarded.kind === 'unmodelled') {
      const note = portForwardingNote(f.value, forwarded.why, (id) => routerName.get(id), (id) => netById.get(id)?.name);
      say(CLOUD_NOTE.unmodelled, f.at, note.message, note.taints);
    }
    if (!f.value.port_id) continue;
    const target = vmPortIndex.get(f.value.port_id);
    const dropped = drop.get(f.value.id) ?? fixedIpElsewhere(f.value, target === undefined ? undefined : vms[target.vm]?.ports[target.index]?.ip);
    if (dropped !== undefined) {
      say(CLOUD_NOTE.unmodelled, f.at, `floating IP ${f.value.floating_ip_address}: ${dropped}; left out`, [`fip:${f.value.floating_ip_address}`]);
      continue;
    }
    if (!target) {
      const what = unmodelledPorts.get(f.value.port_id) ?? 'a port that is not modelled';
      say(CLOUD_NOTE.unmodelled, f.at, `floating IP ${f.value.floating_ip_address} is on ${what}`, [`fip:${f.value.floating_ip_address}`]);
      continue;
    }
    origins.set(`floating_ips[${fips.length}]`, f.at);
    objectIds.set(`floating_ips[${fips.length}]`, f.value.id);
    fips.push({ id: f.value.id, ip: f.value.floating_ip_address, vm: target.vm, ...(target.index > 0 ? { port: target.index } : {}) });
  }

  // --- hosts --------------------------------------------------------------------------------------
  const hostNames = new Set<string>([...ovsAgents.keys(), ...routerHostsUsed]);
  for (const vm of Object.values(vms)) hostNames.add(vm.host);
  for (const net of Object.values(networks)) for (const h of net.dhcp_hosts ?? []) hostNames.add(h);
  const hosts: Hosts = {};
  for (const h of [...hostNames].sort()) {
    const agent = ovsAgents.get(h);
    const compute = Object.values(vms).some((v) => v.host === h);
    const network = l3Hosts.has(h) || dhcpHosts.has(h) || routerHostsUsed.has(h) || Object.values(networks).some((n) => (n.dhcp_hosts ?? []).includes(h));
    const host: Mut<Hosts[string]> = { role: compute && network ? ['compute', 'network'] : network ? 'network' : 'compute' };
    const conf = (agent?.value.configurations ?? {}) as Record<string, unknown>;
    const tunnelTypes = Array.isArray(conf.tunnel_types) ? conf.tunnel_types : [];
    if (typeof conf.tunneling_ip === 'string' && conf.tunneling_ip !== '' && tunnelTypes.length > 0) host.tunnel_ip = conf.tunneling_ip;
    if (conf.bridge_mappings && typeof conf.bridge_mappings === 'object') {
      const m = Object.fromEntries(Object.entries(conf.bridge_mappings as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
      if (Object.keys(m).length > 0) host.bridge_mappings = m;
    }
    if (agent) origins.set(`hosts.${h}`, agent.at);
    else say(CLOUD_NOTE.coverage, { file: 'api/agents.json', line: 1 }, `host ${h} has ports bound to it but no Open vSwitch agent in the API; its bridges and tunnel address are unknown`, [`host:${h}`]);
    if (agent && conf.in_distributed_mode === true) say(CLOUD_NOTE.unmodelled, agent.at, `host ${h}'s OVS agent runs in DVR mode, which is not modelled`, [`host:${h}`]);
    hosts[h] = host;
  }

  const l2pop = [...ovsAgents.values()].map((a) => (a.value.configurations as Record<string, unknown> | null | undefined)?.l2_population);
  const arp = [...ovsAgents.values()].map((a) => (a.value.configurations as Record<string, unknown> | null | undefined)?.arp_responder_enabled);
  const defaults: Mut<NonNullable<TopologyFile['defaults']>> = { ...(opts.defaults ?? {}) };
  if (defaults.l2_population === undefined && l2pop.length > 0) defaults.l2_population = l2pop.every((v) => v === true);
  if (defaults.arp_responder === undefined && arp.length > 0) defaults.arp_responder = arp.every((v) => v === true);
  if (new Set(l2pop).size > 1 || new Set(arp).size > 1) {
    say(CLOUD_NOTE.unmodelled, (api.agents[0] as Located<AgentApiT>).at, 'the OVS agents differ in l2_population or arp_responder: one setting per cloud is modelled', ['*']);
  }

  // Taints named by port id (known before the VMs were named) become the ports' subjects.
  const resolved = notes.map((n) => ({
    ...n,
    taints: n.taints.flatMap((t) => {
      if (!t.startsWith('port-id:')) return [t];
      const at = vmPortIndex.get(t.slice('port-id:'.length));
      return at ? [`port:${at.vm}:${at.index}`] : [];
    }),
  }));

  const file: FileT = { defaults, hosts };
  if (Object.keys(networks).length > 0) file.networks = networks;
  if (Object.keys(routers).length > 0) file.routers = routers;
  if (Object.keys(groups).length > 0) file.security_groups = groups;
  if (Object.keys(vms).length > 0) file.vms = vms;
  if (fips.length > 0) file.floating_ips = fips;
  if (forwardings.length > 0) file.port_forwardings = forwardings;
  return { file, origins, notes: resolved, names, unmodelledPorts, objectIds, unmodelledRouters };
}

/**
 * How a bound VM port is plugged if not as the OVS agent's hybrid firewall plugs one (`binding:vif_type`
 * `ovs`, `binding:vnic_type` `normal`): an SR-IOV VF or macvtap (vnic_type direct, macvtap, direct-physical,
 * …; vif_type hw_veb, hostdev_physical, macvtap), a vhost-user socket of OVS-DPDK (vif_type vhostuser, which
 * iptables never sees), a Linux bridge agent's tap (vif_type bridge), …; null for a normal OVS port.
 */
function pluggedElsewhere(p: PortApiT): string | null {
  const vnic = p['binding:vnic_type'] ?? 'normal';
  const vif = p['binding:vif_type'] ?? 'ovs';
  if (vnic !== 'normal') return `a ${vnic} port (binding:vnic_type ${vnic}, vif_type ${vif})`;
  if (vif !== 'ovs') return `plugged as vif_type ${vif}`;
  return null;
}

/** Why a floating IP cannot be modelled on its port: it is bound to one of the port's fixed IPs that the topology does not carry. */
function fixedIpElsewhere(f: FloatingIpApiT, modelled: string | undefined): string | undefined {
  const fixed = f.fixed_ip_address ?? null;
  if (fixed === null || modelled === undefined || fixed === modelled) return undefined;
  return `bound to ${fixed} of its port, but only ${modelled} of that port is modelled`;
}

/**
 * The note for a floating IP whose port forwardings are not modelled (port-forwardings.ts says why): the L3
 * agent's port_forwarding extension puts the address on the router's qg- device and DNATs its external
 * ports to internal ports (neutron/agent/l3/extensions/port_forwarding.py), so the router, its external
 * network, the floating IP and the internal ports are made `unknown`.
 */
function portForwardingNote(
  f: FloatingIpApiT, why: string, routerName: (id: string) => string | undefined, networkName: (id: string) => string | undefined,
): { message: string; taints: string[] } {
  const router = f.router_id ? routerName(f.router_id) : undefined;
  const net = networkName(f.floating_network_id);
  const taints = [`fip:${f.floating_ip_address}`, ...(router ? [`router:${router}`] : []), ...(net ? [`network:${net}`] : [])];
  for (const pf of f.port_forwardings ?? []) if (pf.internal_port_id) taints.push(`port-id:${pf.internal_port_id}`);
  const at = router ? `router ${router}` : f.router_id ? `router ${f.router_id}` : 'no router';
  return { message: `floating IP ${f.floating_ip_address} on ${at}: ${why}; not modelled`, taints };
}

/**
 * Whether the hybrid firewall tracks a port in stateless groups (iptables_firewall.py
 * `_are_sg_rules_stateful`): by the first rule of its first group, a group without rules counting as
 * stateful, with the groups taken from a set. 'untracked' when every group has a rule, 'tracked' when
 * none has, 'either' when some have (which one the agent meets first is chance); null for a port in
 * no stateless group.
 */
function untrackedBy(groups: readonly { readonly stateful: boolean; readonly rules: number }[]): 'untracked' | 'tracked' | 'either' | null {
  if (!groups.some((g) => !g.stateful)) return null;
  const withRules = groups.filter((g) => g.rules > 0).length;
  return withRules === groups.length ? 'untracked' : withRules === 0 ? 'tracked' : 'either';
}

/**
 * Why a server whose port is in stateless groups cannot be modelled, if it cannot: the agent decides
 * from the groups' rules as the API holds them (IPv6 and not-modelled rules too), the topology from
 * the rules it writes (IPv4 only) — where the two decide differently, or the agent's decision is chance,
 * the rendered firewall would track connections the real one does not (or the reverse), so the server
 * is left out rather than answered for wrongly.
 */
function untrackedMismatch(
  ports: readonly Located<PortApiT>[], apiGroups: ReadonlyMap<string, SecurityGroupApiT>, modelledRules: ReadonlyMap<string, number>, nameOf: (id: string) => string,
): string | undefined {
  for (const p of ports) {
    if (p.value.port_security_enabled === false) continue;
    const ids = [...new Set(p.value.security_groups ?? [])];
    const api = ids.map((g) => apiGroups.get(g));
    const real = untrackedBy(api.map((g) => ({ stateful: g?.stateful !== false, rules: g?.security_group_rules.length ?? 0 })));
    if (real === null) continue;
    const names = ids.map(nameOf).join(', ');
    if (real === 'either' || api.some((g) => g === undefined)) {
      return `port ${p.value.id} is in stateless security groups (${names}) some of which have rules and some not (or not listed): the OVS agent's hybrid firewall leaves the port untracked only if the first group it is given has a rule, and it is given them in no set order (iptables_firewall.py _are_sg_rules_stateful)`;
    }
    const modelled = untrackedBy(ids.map((g) => ({ stateful: apiGroups.get(g)?.stateful !== false, rules: modelledRules.get(g) ?? 0 })));
    if (modelled !== real) {
      return `port ${p.value.id} is in stateless security groups (${names}) whose rules the agent sees ${real === 'untracked' ? 'leave it untracked' : 'keep it tracked'}, but the rules netproof models (IPv4 only) would ${modelled === 'untracked' ? 'leave it untracked' : modelled === 'tracked' ? 'keep it tracked' : 'not decide'}`;
    }
  }
  return undefined;
}

type Segment =
  | { readonly kind: 'ok'; readonly type: 'flat' | 'vlan' | 'vxlan' | 'gre'; readonly physnet: string | null; readonly segmentationId: number | null }
  | { readonly kind: 'unsupported'; readonly why: string };

function segmentOf(n: NetworkApiT): Segment {
  const segs = n.segments ?? null;
  const one = segs && segs.length > 0 ? segs : [n];
  if (one.length > 1) return { kind: 'unsupported', why: `a network of ${one.length} segments (multi-segment)` };
  const s = one[0] as NonNullable<typeof one[number]>;
  const type = s['provider:network_type'];
  if (type === undefined || type === null) return { kind: 'unsupported', why: 'a network without provider attributes (the API view needs admin credentials)' };
  if (type !== 'flat' && type !== 'vlan' && type !== 'vxlan' && type !== 'gre') return { kind: 'unsupported', why: `network type ${type}` };
  return { kind: 'ok', type, physnet: s['provider:physical_network'] ?? null, segmentationId: type === 'flat' ? null : s['provider:segmentation_id'] ?? null };
}

/** The L3 agents hosting a router: its l3-agents file, else where its ports are bound. */
function hostsOfRouter(api: ApiView, id: string, routerPorts: Map<string, Located<PortApiT>[]>, gatewayPorts: Map<string, Located<PortApiT>>): string[] {
  const listed = api.l3Agents.get(id);
  if (listed !== undefined) return [...new Set(listed.map((a) => a.value.host))];
  const fromPorts = [...(routerPorts.get(id) ?? []), ...[gatewayPorts.get(id)].filter((p): p is Located<PortApiT> => p !== undefined)]
    .map((p) => bound(p.value))
    .filter((h): h is string => h !== null);
  return [...new Set(fromPorts)].sort();
}

/**
 * What a router left out can change: its own subjects, the networks it attaches (their ports, segments
 * and DHCP), the floating IPs it serves, the hosts it runs on, and every project's isolation (a router
 * joins what it attaches, whoever owns it).
 */
function routerTaints(
  api: ApiView, r: RouterApiT, label: string, routerPorts: Map<string, Located<PortApiT>[]>, gatewayPorts: Map<string, Located<PortApiT>>,
  networkName: (id: string) => string | undefined, projectName: (id: string) => string,
): string[] {
  const ports = [...(routerPorts.get(r.id) ?? []), ...[gatewayPorts.get(r.id)].filter((p): p is Located<PortApiT> => p !== undefined)];
  const netIds = new Set([...ports.map((p) => p.value.network_id), ...(r.external_gateway_info ? [r.external_gateway_info.network_id] : [])]);
  const out = new Set<string>([`router:${label}`]);
  for (const id of netIds) {
    const n = networkName(id);
    if (n !== undefined) out.add(`network:${n}`);
  }
  for (const p of api.ports) if (netIds.has(p.value.network_id) && (p.value.device_owner ?? '').startsWith('compute:')) out.add(`port-id:${p.value.id}`);
  for (const f of api.floatingips) if (f.value.router_id === r.id) out.add(`fip:${f.value.floating_ip_address}`);
  for (const h of hostsOfRouter(api, r.id, routerPorts, gatewayPorts)) out.add(`host:${h}`);
  for (const p of new Set([...api.projects.map((x) => x.value.ID), ...api.ports.map((x) => x.value.project_id ?? x.value.tenant_id ?? '')])) {
    if (p !== '') out.add(`project:${projectName(p)}`);
  }
  return [...out];
}
