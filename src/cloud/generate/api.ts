// A topology as the Neutron API would show it: the bodies of `CLOUD/api/` (docs/cloud-directory.md), in
// the shapes of the Networking API reference (the neutron-lib samples), with every id, MAC, address and
// binding the topology resolved. Used to build test clouds and as a fixture generator for anything that
// reads API views; an extension (L3 HA's ha- ports and HA network, say) adds its objects here.
// Deterministic: the same topology always gives the same bodies, byte for byte.
import { createHash } from 'node:crypto';
import type { FloatingIpT, NetworkT, PortForwardingT, PortT, RouterT, SecurityGroupT, SgRuleT, Topology } from '../../topology/model.ts';
import { API_FILES, API_DIRS } from '../layout.ts';
import { ordinalOf, releaseOrdinal } from '../../topology/release.ts';

/** Keystone-style project ids (32 hex digits), stable per project name. */
export function projectId(name: string | null): string {
  return createHash('sha1').update(`netproof:project:${name ?? 'admin'}`).digest('hex').slice(0, 32);
}

/** A UUID for objects the topology has no id for (agents), stable per name. */
function uuidOf(kind: string, name: string): string {
  const x = createHash('sha1').update(`netproof:${kind}:${name}`).digest('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-5${x.slice(13, 16)}-a${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

const STAMP = '2024-04-03T10:00:00Z';
/** created_at in topology order, so that readers ordering a server's ports by creation keep the topology's order. */
const createdAt = (i: number) => new Date(Date.parse(STAMP) + i * 1000).toISOString().replace('.000Z', 'Z');

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 112: 'vrrp', 132: 'sctp' };

/** Neutron's name for a project's HA network (neutron/db/l3_hamode_db.py): `HA network tenant <project id>`. */
const haName = (kind: 'network' | 'subnet', t: Topology, n: NetworkT): string => {
  const r = t.routers.find((x) => x.ha?.network === n.name);
  return `HA ${kind} tenant ${projectId(r?.project ?? null)}`;
};

function network(topo: Topology, n: NetworkT): Record<string, unknown> {
  // The HA network belongs to no project.
  const project = n.ha ? '' : projectId(n.project);
  return {
    id: n.id, name: n.ha ? haName('network', topo, n) : n.name, project_id: project, tenant_id: project, admin_state_up: true, status: 'ACTIVE',
    'router:external': n.external, shared: n.shared, mtu: n.type === 'vxlan' ? 1450 : n.type === 'gre' ? 1458 : 1500,
    'provider:network_type': n.type, 'provider:physical_network': n.physicalNetwork, 'provider:segmentation_id': n.segmentationId,
    subnets: n.subnets.map((s) => s.id), port_security_enabled: true, availability_zones: ['nova'], availability_zone_hints: [],
    ipv4_address_scope: null, ipv6_address_scope: null, description: '', tags: [], revision_number: 1, created_at: STAMP, updated_at: STAMP,
    is_default: false, l2_adjacency: true, qos_policy_id: null,
  };
}

function subnets(topo: Topology): Record<string, unknown>[] {
  return topo.networks.flatMap((n) => n.subnets.map((s) => {
    const project = n.ha ? '' : projectId(n.project);
    const first = s.networkAddress.split('.').map(Number);
    const last = (first[3] ?? 0) + 2 ** (32 - s.prefixLen) - 2;
    return {
      id: s.id, name: n.ha ? haName('subnet', topo, n) : s.name, network_id: n.id, project_id: project, tenant_id: project, ip_version: 4, cidr: s.cidr, gateway_ip: s.gateway,
      enable_dhcp: s.dhcp, allocation_pools: [{ start: `${first.slice(0, 3).join('.')}.${(first[3] ?? 0) + 2}`, end: `${first.slice(0, 3).join('.')}.${Math.min(last, 254)}` }],
      host_routes: [], dns_nameservers: [], ipv6_address_mode: null, ipv6_ra_mode: null, subnetpool_id: null, segment_id: null,
      service_types: [], description: '', tags: [], revision_number: 0, created_at: STAMP, updated_at: STAMP,
    };
  }));
}

function deviceId(topo: Topology, p: PortT): string {
  switch (p.deviceOwner) {
    case 'compute:nova': return topo.vms.find((v) => v.name === p.deviceName)?.id ?? '';
    case 'network:router_interface':
    case 'network:ha_router_replicated_interface':
    case 'network:router_ha_interface':
    case 'network:router_gateway': return topo.routers.find((r) => r.name === p.deviceName)?.id ?? '';
    // Neutron names a DHCP port's device after the agent's host and the network: dhcp<uuid5(host)>-<network id>.
    case 'network:dhcp': return `dhcp${uuidOf('dhcp-host', p.host)}-${topo.networks.find((n) => n.name === p.network)?.id ?? ''}`;
    case 'network:floatingip': return topo.floatingIps.find((f) => f.ip === p.ip)?.id ?? topo.portForwardings.find((f) => f.floatingIp === p.ip)?.floatingIpId ?? '';
    default: {
      const never: never = p.deviceOwner;
      return String(never);
    }
  }
}

function port(topo: Topology, p: PortT, i: number): Record<string, unknown> {
  const net = topo.networks.find((n) => n.name === p.network);
  const subnet = net?.subnets.find((s) => s.name === p.subnet);
  // The gateway and ha- ports belong to no project; the others to their device's.
  const project = p.deviceOwner === 'network:router_gateway' || p.deviceOwner === 'network:router_ha_interface' ? '' : projectId(p.project);
  return {
    id: p.id, name: '', network_id: net?.id ?? '', project_id: project, tenant_id: project, mac_address: p.mac,
    fixed_ips: [{ subnet_id: subnet?.id ?? '', ip_address: p.ip }], device_owner: p.deviceOwner, device_id: deviceId(topo, p),
    admin_state_up: true, status: 'ACTIVE', 'binding:host_id': p.host, 'binding:vif_type': 'ovs', 'binding:vnic_type': 'normal', 'binding:profile': {},
    'binding:vif_details': { connectivity: 'l2', port_filter: true, ovs_hybrid_plug: topo.firewallDriver === 'iptables_hybrid', datapath_type: 'system', bridge_name: 'br-int' },
    security_groups: [...p.securityGroups], port_security_enabled: p.portSecurity,
    allowed_address_pairs: p.allowedAddressPairs.map((a) => ({ ip_address: a.ipAddress, mac_address: a.macAddress ?? p.mac })),
    extra_dhcp_opts: [], dns_assignment: [], dns_name: '', description: '', tags: [], revision_number: 3, created_at: createdAt(i), updated_at: createdAt(i),
    ip_allocation: 'immediate', propagate_uplink_status: false, qos_policy_id: null, qos_network_policy_id: null,
  };
}

/** The port Neutron creates for each floating IP (device_owner network:floatingip, bound nowhere). */
function floatingIpPort(topo: Topology, f: Pick<FloatingIpT, 'ip' | 'id' | 'network'>, i: number): Record<string, unknown> {
  const net = topo.networks.find((n) => n.name === f.network);
  const subnet = net?.subnets.find((s) => s.networkAddress && inCidr(f.ip, s.cidr));
  const id = uuidOf('floatingip-port', f.ip);
  return {
    id, name: '', network_id: net?.id ?? '', project_id: '', tenant_id: '', mac_address: `fa:16:3e:${createHash('sha1').update(id).digest('hex').slice(0, 6).replace(/(..)(..)(..)/, '$1:$2:$3')}`,
    fixed_ips: [{ subnet_id: subnet?.id ?? '', ip_address: f.ip }], device_owner: 'network:floatingip', device_id: f.id,
    admin_state_up: true, status: 'N/A', 'binding:host_id': '', 'binding:vif_type': 'unbound', 'binding:vnic_type': 'normal', 'binding:profile': {}, 'binding:vif_details': {},
    security_groups: [], port_security_enabled: false, allowed_address_pairs: [], description: '', tags: [], revision_number: 1, created_at: createdAt(i), updated_at: createdAt(i),
  };
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, len] = cidr.split('/');
  const n = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(len));
  return Math.floor(n(ip) / size) === Math.floor(n(net ?? '') / size);
}

function router(topo: Topology, r: RouterT): Record<string, unknown> {
  const project = projectId(r.project);
  const gwSubnet = r.gateway ? topo.networks.find((n) => n.name === r.gateway?.network)?.subnets.find((s) => s.name === r.gateway?.subnet) : undefined;
  return {
    id: r.id, name: r.name, project_id: project, tenant_id: project, admin_state_up: true, status: 'ACTIVE',
    distributed: false, ha: r.ha !== null, availability_zones: ['nova'], availability_zone_hints: [], flavor_id: null, service_type_id: null,
    external_gateway_info: r.gateway
      ? { network_id: topo.networks.find((n) => n.name === r.gateway?.network)?.id ?? '', enable_snat: r.gateway.snat, external_fixed_ips: [{ subnet_id: gwSubnet?.id ?? '', ip_address: r.gateway.port.ip }] }
      : null,
    routes: r.routes.map((x) => ({ destination: x.destination, nexthop: x.nexthop })),
    description: '', tags: [], revision_number: 4, created_at: STAMP, updated_at: STAMP,
  };
}

function floatingIp(topo: Topology, f: FloatingIpT): Record<string, unknown> {
  const net = topo.networks.find((n) => n.name === f.network);
  const vm = topo.vms.find((v) => v.name === f.vm);
  const p = vm?.ports[f.portIndex];
  const project = projectId(vm?.project ?? null);
  return {
    id: f.id, floating_ip_address: f.ip, floating_network_id: net?.id ?? '', port_id: f.portId, fixed_ip_address: f.fixedIp,
    router_id: topo.routers.find((r) => r.name === f.router)?.id ?? null, project_id: project, tenant_id: project, status: 'ACTIVE',
    port_details: p ? { name: '', network_id: topo.networks.find((n) => n.name === p.network)?.id ?? '', mac_address: p.mac, admin_state_up: true, status: 'ACTIVE', device_id: vm?.id ?? '', device_owner: 'compute:nova' } : null,
    description: '', dns_domain: '', dns_name: '', port_forwardings: [], tags: [], revision_number: 1, created_at: STAMP, updated_at: STAMP, qos_policy_id: null,
  };
}

/** A floating IP held for port forwardings: no port, its router, and the forwardings as pf_plugin.py lists them in it. */
function forwardedIp(topo: Topology, pfs: readonly PortForwardingT[]): Record<string, unknown> {
  const f = pfs[0]!;
  const net = topo.networks.find((n) => n.name === f.network);
  const project = projectId(topo.vms.find((v) => v.name === f.vm)?.project ?? null);
  return {
    id: f.floatingIpId, floating_ip_address: f.floatingIp, floating_network_id: net?.id ?? '', port_id: null, fixed_ip_address: null,
    router_id: topo.routers.find((r) => r.name === f.router)?.id ?? null, project_id: project, tenant_id: project, status: 'ACTIVE', port_details: null,
    description: '', dns_domain: '', dns_name: '',
    // _extend_floatingip_dict: a port only where it is one port (modify_fields_from_db), never the range fields.
    port_forwardings: pfs.map((pf) => ({
      id: pf.id, protocol: pf.protocol, internal_ip_address: pf.internalIp,
      ...(pf.internalPortEnd === pf.internalPort ? { internal_port: pf.internalPort } : {}),
      ...(pf.externalPortEnd === pf.externalPort ? { external_port: pf.externalPort } : {}),
      internal_port_id: pf.portId,
    })),
    tags: [], revision_number: 1, created_at: STAMP, updated_at: STAMP, qos_policy_id: null,
  };
}

/**
 * GET /v2.0/floatingips/<id>/port_forwardings (Zed+): each forwarding with its single ports where it has one and
 * its ranges always ("N:M", a single port as "N:N", as modify_fields_from_db gives both).
 */
function forwardingListing(pfs: readonly PortForwardingT[]): Record<string, unknown> {
  return {
    port_forwardings: pfs.map((pf) => ({
      id: pf.id, external_port: pf.externalPortEnd === pf.externalPort ? pf.externalPort : null,
      internal_port: pf.internalPortEnd === pf.internalPort ? pf.internalPort : null,
      internal_ip_address: pf.internalIp, protocol: pf.protocol, internal_port_id: pf.portId, description: '',
      external_port_range: `${pf.externalPort}:${pf.externalPortEnd}`, internal_port_range: `${pf.internalPort}:${pf.internalPortEnd}`,
    })),
  };
}

/** The port forwardings by floating IP, in order of each floating IP's first forwarding. */
function forwardedIps(topo: Topology): PortForwardingT[][] {
  const by = new Map<string, PortForwardingT[]>();
  for (const pf of topo.portForwardings) by.set(pf.floatingIp, [...(by.get(pf.floatingIp) ?? []), pf]);
  return [...by.values()];
}

function rule(g: SecurityGroupT, r: SgRuleT): Record<string, unknown> {
  const project = projectId(g.project);
  const icmp = r.protocol === 1;
  return {
    id: r.id, security_group_id: g.id, project_id: project, tenant_id: project, direction: r.direction, ethertype: r.ethertype,
    // A protocol given as a number is stored as one (a string), as the API keeps it.
    protocol: r.protocol === null ? null : r.protocolNumbered ? String(r.protocol) : (PROTOCOL_NAMES[r.protocol] ?? String(r.protocol)),
    port_range_min: icmp ? r.icmpType : r.portMin, port_range_max: icmp ? r.icmpCode : r.portMax,
    remote_ip_prefix: r.remoteIpPrefix, remote_group_id: r.remoteGroup, remote_address_group_id: null,
    normalized_cidr: r.remoteIpPrefix, description: '', tags: [], revision_number: 0, created_at: STAMP, updated_at: STAMP, belongs_to_default_sg: g.name === 'default',
  };
}

function securityGroup(g: SecurityGroupT): Record<string, unknown> {
  const project = projectId(g.project);
  return {
    id: g.id, name: g.name, project_id: project, tenant_id: project, description: g.name === 'default' ? 'Default security group' : '',
    security_group_rules: g.rules.map((r) => rule(g, r)), stateful: g.stateful, shared: false, tags: [], revision_number: 1, created_at: STAMP, updated_at: STAMP,
  };
}

function agent(type: string, binary: string, topic: string, host: string, configurations: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uuidOf(`agent:${type}`, host), agent_type: type, binary, topic, host, alive: true, admin_state_up: true, availability_zone: binary === 'neutron-openvswitch-agent' ? null : 'nova',
    description: null, heartbeat_timestamp: '2024-04-03 10:10:00', started_at: '2024-04-03 09:00:00', created_at: '2024-04-03 09:00:00',
    resources_synced: true, resource_versions: {}, configurations, ...extra,
  };
}

function tunnelTypes(topo: Topology): string[] {
  const used = new Set(topo.networks.map((n) => n.type));
  return (['vxlan', 'gre'] as const).filter((t) => used.has(t));
}

function agents(topo: Topology): { all: Record<string, unknown>[]; l3: (host: string, haState: string | null) => Record<string, unknown>; dhcp: (host: string) => Record<string, unknown> } {
  const l3 = (host: string, haState: string | null) => agent('L3 agent', 'neutron-l3-agent', 'l3_agent', host, {
    agent_mode: 'legacy', gateway_external_network_id: '', handle_internal_only_routers: true, interface_driver: 'openvswitch', log_agent_heartbeats: false,
    routers: topo.routers.filter((r) => r.hosts.includes(host)).length, ex_gw_ports: topo.routers.filter((r) => r.hosts.includes(host) && r.gateway).length,
  }, { ha_state: haState });
  const dhcp = (host: string) => agent('DHCP agent', 'neutron-dhcp-agent', 'dhcp_agent', host, {
    dhcp_driver: 'neutron.agent.linux.dhcp.Dnsmasq', dhcp_lease_duration: 86400, log_agent_heartbeats: false,
    networks: Object.values(topo.dhcpHosts).filter((hosts) => hosts.includes(host)).length,
  }, { ha_state: null });
  const all: Record<string, unknown>[] = [];
  for (const h of topo.hosts) {
    const tunnels = h.tunnelIp !== null ? tunnelTypes(topo) : [];
    all.push(agent('Open vSwitch agent', 'neutron-openvswitch-agent', 'N/A', h.name, {
      arp_responder_enabled: topo.arpResponder, bridge_mappings: { ...h.bridgeMappings }, datapath_type: 'system', devices: new Set(topo.ports.filter((p) => p.host === h.name).map((p) => p.id)).size,
      enable_distributed_routing: false, extensions: [], in_distributed_mode: false, integration_bridge: 'br-int', l2_population: topo.l2Population,
      log_agent_heartbeats: false, ovs_hybrid_plug: topo.firewallDriver === 'iptables_hybrid', tunnel_types: tunnels, tunneling_ip: h.tunnelIp ?? '', vhostuser_socket_dir: '/var/run/openvswitch',
    }));
    if (h.network) {
      all.push(l3(h.name, null), dhcp(h.name));
      all.push(agent('Metadata agent', 'neutron-metadata-agent', 'N/A', h.name, { log_agent_heartbeats: false, metadata_proxy_socket: '/var/lib/neutron/metadata_proxy', nova_metadata_host: 'controller', nova_metadata_port: 8775 }));
    }
  }
  return { all, l3, dhcp };
}

/** Path under `CLOUD/` → body, for every API file of the topology. */
export function topologyToApi(topo: Topology): Map<string, string> {
  const json = (v: unknown) => `${JSON.stringify(v, null, 4)}\n`;
  const ag = agents(topo);
  const files = new Map<string, string>();
  const api = (name: string, body: unknown) => files.set(`api/${name}`, json(body));
  api(API_FILES.networks, { networks: topo.networks.map((n) => network(topo, n)) });
  api(API_FILES.subnets, { subnets: subnets(topo) });
  // A DHCP port's addresses (an entry each in the topology) are one API port with a fixed IP per subnet.
  const ports: Record<string, unknown>[] = [];
  const dhcpById = new Map<string, Record<string, unknown>>();
  topo.ports.forEach((p, i) => {
    const body = port(topo, p, i);
    const dhcp = p.deviceOwner === 'network:dhcp';
    const had = dhcp ? dhcpById.get(p.id) : undefined;
    if (had !== undefined) {
      (had.fixed_ips as unknown[]).push(...(body.fixed_ips as unknown[]));
      return;
    }
    if (dhcp) dhcpById.set(p.id, body);
    ports.push(body);
  });
  ports.push(...topo.floatingIps.map((f, i) => floatingIpPort(topo, f, topo.ports.length + i)));
  ports.push(...forwardedIps(topo).map(([f], i) => floatingIpPort(topo, { ip: f!.floatingIp, id: f!.floatingIpId, network: f!.network }, topo.ports.length + topo.floatingIps.length + i)));
  api(API_FILES.ports, { ports });
  api(API_FILES.routers, { routers: topo.routers.map((r) => router(topo, r)) });
  api(API_FILES.floatingips, { floatingips: [...topo.floatingIps.map((f) => floatingIp(topo, f)), ...forwardedIps(topo).map((pfs) => forwardedIp(topo, pfs))] });
  api(API_FILES.securityGroups, { security_groups: topo.securityGroups.map(securityGroup) });
  api(API_FILES.agents, { agents: ag.all });
  for (const r of topo.routers) {
    api(`${API_DIRS.l3Agents}/${r.id}.json`, { agents: r.hosts.map((h) => ag.l3(h, r.ha === null ? null : (r.ha.observed[h] ?? (h === r.ha.master ? 'active' : 'standby')))) });
  }
  for (const n of topo.networks) {
    api(`${API_DIRS.dhcpAgents}/${n.id}.json`, { agents: (topo.dhcpHosts[n.name] ?? []).map((h) => ag.dhcp(h)) });
  }
  // The collect script saves these where Neutron has the port-ranges extension (Zed+).
  if ((releaseOrdinal(topo.release) ?? 0) >= ordinalOf('zed')) {
    for (const pfs of forwardedIps(topo)) api(`${API_DIRS.portForwardings}/${pfs[0]!.floatingIpId}.json`, forwardingListing(pfs));
  }
  api(API_FILES.servers, topo.vms.map((v) => ({
    ID: v.id, Name: v.name, Status: 'ACTIVE',
    Networks: Object.fromEntries([...new Set(v.ports.map((p) => p.network))].map((n) => [n, v.ports.filter((p) => p.network === n).map((p) => p.ip)])),
    Image: 'cirros-0.6.2-x86_64-disk', Flavor: 'm1.small',
  })));
  const projects = [...new Set([...topo.vms.map((v) => v.project), ...topo.securityGroups.map((g) => g.project), ...topo.networks.map((n) => n.project ?? 'admin'), ...topo.routers.map((r) => r.project ?? 'admin')])].sort();
  api(API_FILES.projects, projects.map((p) => ({ ID: projectId(p), Name: p })));
  return files;
}
