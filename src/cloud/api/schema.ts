// The shapes of the API files of a cloud directory (docs/cloud-directory.md), as zod schemas over the
// raw Neutron responses and the two OpenStack CLI listings. Only the fields netproof reads are checked;
// every other key a deployment adds (extensions, vendor fields) is allowed and ignored, since real
// clouds add many. A field netproof needs that is absent or of the wrong type is an error with its path.
import * as z from 'zod';

const id = z.string().transform((s) => s.trim());
const nullableString = z.string().nullable().optional();
const projectOf = { project_id: nullableString, tenant_id: nullableString };

export const FixedIpSchema = z.object({ subnet_id: id, ip_address: z.string() });

export const NetworkApi = z.looseObject({
  id,
  name: nullableString,
  ...projectOf,
  'router:external': z.boolean().optional(),
  shared: z.boolean().optional(),
  admin_state_up: z.boolean().optional(),
  'provider:network_type': nullableString,
  'provider:physical_network': nullableString,
  'provider:segmentation_id': z.number().int().nullable().optional(),
  segments: z.array(z.looseObject({
    'provider:network_type': nullableString,
    'provider:physical_network': nullableString,
    'provider:segmentation_id': z.number().int().nullable().optional(),
  })).nullable().optional(),
});

export const SubnetApi = z.looseObject({
  id,
  name: nullableString,
  network_id: id,
  ...projectOf,
  ip_version: z.number().int(),
  cidr: z.string(),
  gateway_ip: z.string().nullable().optional(),
  enable_dhcp: z.boolean().optional(),
  host_routes: z.array(z.looseObject({ destination: z.string(), nexthop: z.string() })).optional(),
});

export const PortApi = z.looseObject({
  id,
  name: nullableString,
  network_id: id,
  ...projectOf,
  mac_address: z.string(),
  fixed_ips: z.array(FixedIpSchema),
  device_owner: nullableString,
  device_id: nullableString,
  admin_state_up: z.boolean().optional(),
  status: nullableString,
  'binding:host_id': nullableString,
  'binding:vif_type': nullableString,
  /** normal (an OVS port), or direct/macvtap/direct-physical/baremetal/… (SR-IOV and friends, not modelled). */
  'binding:vnic_type': nullableString,
  'binding:vif_details': z.record(z.string(), z.unknown()).nullable().optional(),
  security_groups: z.array(id).optional(),
  port_security_enabled: z.boolean().nullable().optional(),
  allowed_address_pairs: z.array(z.looseObject({ ip_address: z.string(), mac_address: nullableString })).optional(),
  created_at: nullableString,
  /** A trunk's parent port (trunk-details extension): its trunk and subports. */
  trunk_details: z.looseObject({ trunk_id: nullableString, sub_ports: z.array(z.looseObject({ port_id: nullableString })).nullable().optional() }).nullable().optional(),
});

export const RouterApi = z.looseObject({
  id,
  name: nullableString,
  ...projectOf,
  admin_state_up: z.boolean().optional(),
  distributed: z.boolean().nullable().optional(),
  ha: z.boolean().nullable().optional(),
  external_gateway_info: z.looseObject({
    network_id: id,
    enable_snat: z.boolean().nullable().optional(),
    external_fixed_ips: z.array(FixedIpSchema).optional(),
  }).nullable().optional(),
  routes: z.array(z.looseObject({ destination: z.string(), nexthop: z.string() })).optional(),
});

/**
 * One port forwarding, as the floating IP lists it (id, protocol, internal_ip_address, internal_port,
 * external_port, internal_port_id: pf_plugin.py _extend_floatingip_dict, which keeps a port only when it is
 * one port) and as `GET /v2.0/floatingips/<id>/port_forwardings` lists it (with `external_port_range` and
 * `internal_port_range`, "N:M", since Zed).
 */
export const PortForwardingApi = z.looseObject({
  id: nullableString,
  internal_port_id: nullableString,
  internal_ip_address: nullableString,
  protocol: nullableString,
  internal_port: z.number().int().nullable().optional(),
  external_port: z.number().int().nullable().optional(),
  internal_port_range: nullableString,
  external_port_range: nullableString,
});

export const FloatingIpApi = z.looseObject({
  id,
  floating_ip_address: z.string(),
  floating_network_id: id,
  port_id: z.string().nullable().optional(),
  fixed_ip_address: nullableString,
  router_id: nullableString,
  ...projectOf,
  /**
   * The floating IP's port forwardings (port_forwarding service plugin, exposed in the floating IP
   * since Rocky: neutron d00a1558a5); absent where the plugin is not loaded.
   */
  port_forwardings: z.array(PortForwardingApi).nullable().optional(),
});

export const SecurityGroupRuleApi = z.looseObject({
  id,
  direction: z.enum(['ingress', 'egress']),
  ethertype: z.string().optional(),
  protocol: z.union([z.string(), z.number()]).nullable().optional(),
  port_range_min: z.number().int().nullable().optional(),
  port_range_max: z.number().int().nullable().optional(),
  remote_ip_prefix: nullableString,
  remote_group_id: nullableString,
  remote_address_group_id: nullableString,
});

export const SecurityGroupApi = z.looseObject({
  id,
  name: nullableString,
  ...projectOf,
  security_group_rules: z.array(SecurityGroupRuleApi),
  /** The stateful-security-group extension (Ussuri+); absent before it or without it: stateful. */
  stateful: z.boolean().nullable().optional(),
});

export const AgentApi = z.looseObject({
  id,
  agent_type: z.string(),
  binary: nullableString,
  host: z.string(),
  alive: z.boolean().optional(),
  admin_state_up: z.boolean().optional(),
  ha_state: nullableString,
  configurations: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** The `-f json` listings of the OpenStack CLI: a list of rows keyed by column title. */
export const OscRow = z.looseObject({ ID: id, Name: z.string().nullable().optional() });

/** Each API file: its schema, and the key holding the list (null: the body is the list itself). */
export const API_BODIES = {
  networks: { key: 'networks', item: NetworkApi },
  subnets: { key: 'subnets', item: SubnetApi },
  ports: { key: 'ports', item: PortApi },
  routers: { key: 'routers', item: RouterApi },
  floatingips: { key: 'floatingips', item: FloatingIpApi },
  securityGroups: { key: 'security_groups', item: SecurityGroupApi },
  agents: { key: 'agents', item: AgentApi },
  servers: { key: null, item: OscRow },
  projects: { key: null, item: OscRow },
} as const;

export type NetworkApiT = z.infer<typeof NetworkApi>;
export type SubnetApiT = z.infer<typeof SubnetApi>;
export type PortApiT = z.infer<typeof PortApi>;
export type RouterApiT = z.infer<typeof RouterApi>;
export type FloatingIpApiT = z.infer<typeof FloatingIpApi>;
export type PortForwardingApiT = z.infer<typeof PortForwardingApi>;
export type SecurityGroupApiT = z.infer<typeof SecurityGroupApi>;
export type SecurityGroupRuleApiT = z.infer<typeof SecurityGroupRuleApi>;
export type AgentApiT = z.infer<typeof AgentApi>;
export type OscRowT = z.infer<typeof OscRow>;
