// The shape of a topology file (docs/topology.md) as a zod 4 schema. Objects are strict, so a misspelt field
// is an error (NP101), never silently ignored. The schema checks shapes and primitive types only;
// meaning (references, addresses, ranges, support) is checked in checks.ts, with its own codes.
import * as z from 'zod';
import { SAFE_NAME, SAFE_NAME_RULE } from './names.ts';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const id = z.string().regex(UUID, 'expected a UUID (8-4-4-4-12 hex digits)').optional();
/** A name of the topology's own (names.ts): checked everywhere one is defined or referred to. */
const name = z.string().regex(SAFE_NAME, SAFE_NAME_RULE);

const Role = z.enum(['compute', 'network']);

export const HostSchema = z
  .object({
    role: z.union([Role, z.array(Role).min(1)]),
    tunnel_ip: z.string().optional(),
    bridge_mappings: z.record(name, name).optional(),
  })
  .strict();

export const SubnetSchema = z
  .object({
    id,
    cidr: z.string(),
    /** null: a subnet without a gateway (Neutron's `gateway_ip: null`). */
    gateway: z.string().nullable().optional(),
    dhcp: z.boolean().optional(),
    /** The DHCP agents' ports on this subnet, by host (one of the network's `dhcp_hosts`), as the API shows them (`netproof import` writes them). */
    dhcp_ports: z.record(name, z.object({ id, ip: z.string().optional(), mac: z.string().optional() }).strict()).optional(),
  })
  .strict();

export const NetworkSchema = z
  .object({
    id,
    project: name.optional(),
    external: z.boolean().optional(),
    shared: z.boolean().optional(),
    type: z.enum(['flat', 'vlan', 'vxlan', 'gre']),
    physical_network: name.optional(),
    segmentation_id: z.number().int().optional(),
    subnets: z.record(name, SubnetSchema).optional(),
    /** The network nodes whose DHCP agents serve it (default: `defaults.dhcp_agents_per_network` of them, least loaded first). */
    dhcp_hosts: z.array(name).optional(),
  })
  .strict();

/** A router interface: a subnet name, or the interface port written out (`id` and `mac` as the API shows them). */
export const RouterInterfaceSchema = z.union([name, z.object({ subnet: name, ip: z.string().optional(), id, mac: z.string().optional() }).strict()]);

export const RouterSchema = z
  .object({
    id,
    project: name.optional(),
    hosts: z.array(name).optional(),
    /** Accepted only to be rejected with NP501: DVR is not modelled. */
    distributed: z.boolean().optional(),
    /** `id` and `mac` are the gateway port's, as the API shows them. */
    gateway: z.object({ network: name, ip: z.string().optional(), snat: z.boolean().optional(), id, mac: z.string().optional() }).strict().nullable().optional(),
    interfaces: z.array(RouterInterfaceSchema).optional(),
    routes: z.array(z.object({ destination: z.string(), nexthop: z.string() }).strict()).optional(),
    /** L3 HA settings; a router with several hosts is an HA router with or without them. `vrid` pins its VRRP router id. */
    ha: z.object({ vrid: z.number().int().optional() }).strict().optional(),
    /** An observed HA state per host (`openstack network agent list --router R --long`): checked against what VRRP allows. */
    ha_state: z.record(name, z.enum(['active', 'standby'])).optional(),
  })
  .strict();

export const RuleSchema = z
  .object({
    id,
    direction: z.enum(['ingress', 'egress']),
    protocol: z.union([z.enum(['tcp', 'udp', 'icmp', 'any']), z.number().int().min(0).max(255)]).nullable().optional(),
    port: z.union([z.number().int(), z.string()]).optional(),
    icmp_type: z.number().int().min(0).max(255).optional(),
    icmp_code: z.number().int().min(0).max(255).optional(),
    remote_ip_prefix: z.string().optional(),
    remote_group: name.optional(),
    ethertype: z.enum(['IPv4', 'IPv6']).optional(),
  })
  .strict();

export const GroupSchema = z.union([
  z.array(RuleSchema),
  z.object({ id, rules: z.array(RuleSchema), auto_egress: z.boolean().optional() }).strict(),
]);

export const PortSchema = z
  .object({
    id,
    network: name,
    ip: z.string().optional(),
    mac: z.string().optional(),
    security_groups: z.array(name).optional(),
    port_security: z.boolean().optional(),
    allowed_address_pairs: z.array(z.object({ ip_address: z.string(), mac_address: z.string().optional() }).strict()).optional(),
  })
  .strict();

export const VmSchema = z
  .object({ id, project: name, host: name, ports: z.array(PortSchema) })
  .strict();

export const FloatingIpSchema = z
  .object({ id, ip: z.string(), vm: name, port: z.number().int().min(0).optional() })
  .strict();

export const DefaultsSchema = z
  .object({
    release: z.string().optional(),
    /** `openvswitch` is accepted only to be rejected with NP502: the native OVS firewall is not modelled. */
    firewall_driver: z.enum(['iptables_hybrid', 'noop', 'openvswitch']).optional(),
    l2_population: z.boolean().optional(),
    arp_responder: z.boolean().optional(),
    /** keepalived's advert_int for HA routers (Neutron's ha_vrrp_advert_int, default 2 s). */
    ha_vrrp_advert_int: z.number().int().optional(),
    /** How many DHCP agents serve each network (Neutron's dhcp_agents_per_network, default 1). */
    dhcp_agents_per_network: z.number().int().optional(),
    /** The type of the per-project HA networks (Neutron's l3_ha_network_type; default: the tenant networks' type). */
    l3_ha_network_type: z.enum(['vxlan', 'gre', 'vlan']).optional(),
    /** The physical network of VLAN HA networks (Neutron's l3_ha_network_physical_name). */
    l3_ha_network_physical_name: name.optional(),
  })
  .strict();

export const TopologyFileSchema = z
  .object({
    defaults: DefaultsSchema.optional(),
    hosts: z.record(name, HostSchema),
    networks: z.record(name, NetworkSchema).optional(),
    routers: z.record(name, RouterSchema).optional(),
    security_groups: z.record(name, z.record(name, GroupSchema)).optional(),
    vms: z.record(name, VmSchema).optional(),
    floating_ips: z.array(FloatingIpSchema).optional(),
  })
  .strict();

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
