// The shape of a topology file (docs/topology.md) as a zod 4 schema. Objects are strict, so a misspelt field
// is an error (NP101), never silently ignored. The schema checks shapes and primitive types only;
// meaning (references, addresses, ranges, support) is checked in checks.ts, with its own codes.
// Written with zod/mini: the same schemas and issues as zod's classic API, without the methods each classic
// schema installs when built — loading, building and applying these took three times the CPU with the
// classic API, a twentieth of a trace's start-up.
import * as z from 'zod/mini';
import { SAFE_NAME, SAFE_NAME_RULE } from './names.ts';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const id = z.optional(z.string().check(z.regex(UUID, 'expected a UUID (8-4-4-4-12 hex digits)')));
/** A name of the topology's own (names.ts): checked everywhere one is defined or referred to. */
const name = z.string().check(z.regex(SAFE_NAME, SAFE_NAME_RULE));
/** An integer (classic zod's `z.number().int()`), optionally within [min, max]. */
const int = (min?: number, max?: number) =>
  z.number().check(z.int(), ...(min === undefined ? [] : [z.minimum(min)]), ...(max === undefined ? [] : [z.maximum(max)]));
const optional = z.optional;
const nullable = z.nullable;

const Role = z.enum(['compute', 'network']);

export const HostSchema = z.strictObject({
  role: z.union([Role, z.array(Role).check(z.minLength(1))]),
  tunnel_ip: optional(z.string()),
  bridge_mappings: optional(z.record(name, name)),
});

export const SubnetSchema = z.strictObject({
  id,
  cidr: z.string(),
  /** null: a subnet without a gateway (Neutron's `gateway_ip: null`). */
  gateway: optional(nullable(z.string())),
  dhcp: optional(z.boolean()),
  /** The DHCP agents' ports on this subnet, by host (one of the network's `dhcp_hosts`), as the API shows them (`netproof import` writes them). */
  dhcp_ports: optional(z.record(name, z.strictObject({ id, ip: optional(z.string()), mac: optional(z.string()) }))),
});

export const NetworkSchema = z.strictObject({
  id,
  project: optional(name),
  external: optional(z.boolean()),
  shared: optional(z.boolean()),
  type: z.enum(['flat', 'vlan', 'vxlan', 'gre']),
  physical_network: optional(name),
  segmentation_id: optional(int()),
  subnets: optional(z.record(name, SubnetSchema)),
  /** The network nodes whose DHCP agents serve it (default: `defaults.dhcp_agents_per_network` of them, least loaded first). */
  dhcp_hosts: optional(z.array(name)),
});

/** A router interface: a subnet name, or the interface port written out (`id` and `mac` as the API shows them). */
export const RouterInterfaceSchema = z.union([name, z.strictObject({ subnet: name, ip: optional(z.string()), id, mac: optional(z.string()) })]);

export const RouterSchema = z.strictObject({
  id,
  project: optional(name),
  hosts: optional(z.array(name)),
  /** Accepted only to be rejected with NP501: DVR is not modelled. */
  distributed: optional(z.boolean()),
  /** `id` and `mac` are the gateway port's, as the API shows them. */
  gateway: optional(nullable(z.strictObject({ network: name, ip: optional(z.string()), snat: optional(z.boolean()), id, mac: optional(z.string()) }))),
  interfaces: optional(z.array(RouterInterfaceSchema)),
  routes: optional(z.array(z.strictObject({ destination: z.string(), nexthop: z.string() }))),
  /** L3 HA settings; a router with several hosts is an HA router with or without them. `vrid` pins its VRRP router id. */
  ha: optional(z.strictObject({ vrid: optional(int()) })),
  /** An observed HA state per host (`openstack network agent list --router R --long`): checked against what VRRP allows. */
  ha_state: optional(z.record(name, z.enum(['active', 'standby']))),
});

export const RuleSchema = z.strictObject({
  id,
  direction: z.enum(['ingress', 'egress']),
  protocol: optional(nullable(z.union([z.enum(['tcp', 'udp', 'icmp', 'sctp', 'dccp', 'udplite', 'any']), int(0, 255)]))),
  port: optional(z.union([int(), z.string()])),
  icmp_type: optional(int(0, 255)),
  icmp_code: optional(int(0, 255)),
  remote_ip_prefix: optional(z.string()),
  remote_group: optional(name),
  ethertype: optional(z.enum(['IPv4', 'IPv6'])),
});

export const GroupSchema = z.union([
  z.array(RuleSchema),
  z.strictObject({
    id,
    rules: z.array(RuleSchema),
    auto_egress: optional(z.boolean()),
    /** `false`: a stateless group (Neutron's stateful-security-group extension, Ussuri+). */
    stateful: optional(z.boolean()),
  }),
]);

export const PortSchema = z.strictObject({
  id,
  network: name,
  ip: optional(z.string()),
  mac: optional(z.string()),
  security_groups: optional(z.array(name)),
  port_security: optional(z.boolean()),
  allowed_address_pairs: optional(z.array(z.strictObject({ ip_address: z.string(), mac_address: optional(z.string()) }))),
});

export const VmSchema = z.strictObject({ id, project: name, host: name, ports: z.array(PortSchema) });

export const FloatingIpSchema = z.strictObject({ id, ip: z.string(), vm: name, port: optional(int(0)) });

/**
 * A floating IP port forwarding (Neutron's port_forwarding service plugin, Rocky+): the floating IP `floating_ip`,
 * held by no port, forwards `protocol` traffic to its `external_port` on to `internal_ip`:`internal_port` of a VM port.
 */
const PortForwardingFields = z.strictObject({
  id,
  floating_ip: z.string(),
  /** The floating IP's own id (default: derived from its address, as for `floating_ips`). */
  floating_ip_id: id,
  protocol: z.enum(['tcp', 'udp']),
  /** One of `external_port` and `external_port_range` (Zed+, `"N:M"` or `"N"`) is written; the same for `internal_`. */
  external_port: optional(int(1, 65535)),
  external_port_range: optional(z.string()),
  vm: name,
  port: optional(int(0)),
  /** Default: the port's fixed IP; when written, it must be that address. */
  internal_ip: optional(z.string()),
  internal_port: optional(int(1, 65535)),
  internal_port_range: optional(z.string()),
});
type PortForwardingShape = z.output<typeof PortForwardingFields>;
export const PortForwardingSchema = PortForwardingFields.check(...(['external', 'internal'] as const).flatMap((side) => [
  // A side's port is written once: as a port or as a range (validate.ts reports `params.code` when given).
  z.refine<PortForwardingShape>((pf) => pf[`${side}_port`] !== undefined || pf[`${side}_port_range`] !== undefined,
    { message: `missing field "${side}_port" (or "${side}_port_range")`, path: [`${side}_port`], params: { code: 'NP103' } }),
  z.refine<PortForwardingShape>((pf) => pf[`${side}_port`] === undefined || pf[`${side}_port_range`] === undefined,
    { message: `write ${side}_port or ${side}_port_range, not both (Neutron's API takes one of them)`, path: [`${side}_port_range`] }),
]));

export const DefaultsSchema = z.strictObject({
  release: optional(z.string()),
  /** `openvswitch` is accepted only to be rejected with NP502: the native OVS firewall is not modelled. */
  firewall_driver: optional(z.enum(['iptables_hybrid', 'noop', 'openvswitch'])),
  l2_population: optional(z.boolean()),
  arp_responder: optional(z.boolean()),
  /** keepalived's advert_int for HA routers (Neutron's ha_vrrp_advert_int, default 2 s). */
  ha_vrrp_advert_int: optional(int()),
  /** How many DHCP agents serve each network (Neutron's dhcp_agents_per_network, default 1). */
  dhcp_agents_per_network: optional(int()),
  /** The type of the per-project HA networks (Neutron's l3_ha_network_type; default: the tenant networks' type). */
  l3_ha_network_type: optional(z.enum(['vxlan', 'gre', 'vlan'])),
  /** The physical network of VLAN HA networks (Neutron's l3_ha_network_physical_name). */
  l3_ha_network_physical_name: optional(name),
});

export const TopologyFileSchema = z.strictObject({
  defaults: optional(DefaultsSchema),
  hosts: z.record(name, HostSchema),
  networks: optional(z.record(name, NetworkSchema)),
  routers: optional(z.record(name, RouterSchema)),
  security_groups: optional(z.record(name, z.record(name, GroupSchema))),
  vms: optional(z.record(name, VmSchema)),
  floating_ips: optional(z.array(FloatingIpSchema)),
  port_forwardings: optional(z.array(PortForwardingSchema)),
});

export type TopologyFile = z.infer<typeof TopologyFileSchema>;
export type HostFile = z.infer<typeof HostSchema>;
export type NetworkFile = z.infer<typeof NetworkSchema>;
export type SubnetFile = z.infer<typeof SubnetSchema>;
export type RouterFile = z.infer<typeof RouterSchema>;
export type RuleFile = z.infer<typeof RuleSchema>;
export type GroupFile = z.infer<typeof GroupSchema>;
export type PortFile = z.infer<typeof PortSchema>;
export type VmFile = z.infer<typeof VmSchema>;
export type FloatingIpFile = z.infer<typeof FloatingIpSchema>;
export type PortForwardingFile = z.infer<typeof PortForwardingSchema>;
