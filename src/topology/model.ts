// The resolved topology: what the loader hands to the renderer once the user's file has been
// validated and every Neutron default derived (ids, MACs, DHCP and router ports, local VLANs).
// Everything here is explicit: nothing downstream derives a default again.
import type { Ipv4, Mac } from '../ir/packet.ts';

export type NetworkType = 'flat' | 'vlan' | 'vxlan' | 'gre';

export interface HostT {
  readonly name: string;
  readonly compute: boolean;
  readonly network: boolean;
  readonly tunnelIp: Ipv4 | null;
  /** physical_network → bridge, e.g. `{ external: 'br-ex', physnet1: 'br-vlan' }`. */
  readonly bridgeMappings: Readonly<Record<string, string>>;
}

export interface SubnetT {
  readonly name: string;
  readonly id: string;
  readonly network: string;
  readonly cidr: string; // canonical, e.g. 192.168.1.0/24
  readonly networkAddress: Ipv4;
  readonly prefixLen: number;
  readonly gateway: Ipv4 | null;
  readonly dhcp: boolean;
}

export interface NetworkT {
  readonly name: string;
  readonly id: string;
  readonly project: string | null;
  readonly external: boolean;
  readonly shared: boolean;
  readonly type: NetworkType;
  readonly physicalNetwork: string | null;
  readonly segmentationId: number | null;
  readonly subnets: readonly SubnetT[];
  /**
   * Neutron's HA network of one project's HA routers (`HA network project <project>`, 169.254.192.0/18, no
   * DHCP, owned by no project): it carries VRRP between the instances and is hidden from the properties.
   */
  readonly ha: boolean;
}

export type DeviceOwner =
  | 'compute:nova'
  | 'network:dhcp'
  | 'network:router_interface'
  /** An HA router's interface (qr-): one port, plugged by every instance of the router. */
  | 'network:ha_router_replicated_interface'
  | 'network:router_gateway'
  /** An HA router instance's port on its project's HA network (ha-). */
  | 'network:router_ha_interface'
  | 'network:floatingip';

/** A router's qr- or qg- port (legacy or HA; not an HA router's ha- port, which carries only VRRP). */
export const isRouterPort = (p: { readonly deviceOwner: DeviceOwner }): boolean =>
  p.deviceOwner === 'network:router_interface' || p.deviceOwner === 'network:ha_router_replicated_interface' || p.deviceOwner === 'network:router_gateway';

export interface AddressPairT { readonly ipAddress: string /* CIDR or IP */; readonly macAddress: Mac | null }

export interface PortT {
  readonly id: string;
  /** A readable name: `vm1:0`, `dhcp:net1`, `router1:subnet1`, `router1:gateway`. */
  readonly name: string;
  readonly network: string;
  readonly subnet: string;
  readonly ip: Ipv4;
  readonly mac: Mac;
  readonly deviceOwner: DeviceOwner;
  /** The VM, router or network (for DHCP) the port belongs to. */
  readonly deviceName: string;
  /**
   * The host it is bound to (binding:host_id): a VM's host, a DHCP port's agent, a legacy router's host,
   * an HA router instance's host for its ha- port, and for an HA router's qr-/qg- ports the host of the
   * instance that is master in the rendered state (Neutron binds them to the active instance).
   */
  readonly host: string;
  /**
   * Every host where the port has a device: `[host]`, except an HA router's qr-/qg- ports, which every
   * instance plugs into its br-int and namespace (only the VRRP master's namespace holds their addresses).
   */
  readonly hosts: readonly string[];
  readonly project: string | null;
  readonly portSecurity: boolean;
  /** Security group ids (empty without port security, and for network:* ports). */
  readonly securityGroups: readonly string[];
  readonly allowedAddressPairs: readonly AddressPairT[];
}

export interface SgRuleT {
  readonly id: string;
  readonly direction: 'ingress' | 'egress';
  readonly ethertype: 'IPv4' | 'IPv6';
  /** IP protocol number; null = any. */
  readonly protocol: number | null;
  /**
   * The protocol was given as a number (`6`, not `tcp`). Neutron stores it as given, and its agents
   * before Ocata wrote ports and ICMP types only for protocols given by name (render/linux/sg-rule.ts).
   */
  readonly protocolNumbered?: true;
  readonly portMin: number | null;
  readonly portMax: number | null;
  readonly icmpType: number | null;
  readonly icmpCode: number | null;
  readonly remoteIpPrefix: string | null;
  /** Remote security group id. */
  readonly remoteGroup: string | null;
}

export interface SecurityGroupT {
  readonly name: string;
  readonly id: string;
  readonly project: string;
  readonly rules: readonly SgRuleT[];
  /**
   * False for a stateless group (`stateful: false`, Neutron's stateful-security-group extension, since
   * Ussuri): the hybrid firewall does not track its ports' connections (render/linux/zones.ts).
   */
  readonly stateful: boolean;
}

export interface RouterInterfaceT { readonly subnet: string; readonly network: string; readonly port: PortT }
export interface RouterGatewayT { readonly network: string; readonly subnet: string; readonly port: PortT; readonly snat: boolean }
export interface ExtraRouteT { readonly destination: string; readonly nexthop: Ipv4 }

export type HaStateT = 'active' | 'standby';

/** What makes a router an L3 HA router: one keepalived (VRRP) instance per host, on its project's HA network. */
export interface RouterHaT {
  /** The VRRP router id, unique in the HA network (pinned with `ha: { vrid }`, else the lowest free one). */
  readonly vrid: number;
  /** The HA network (a NetworkT with `ha: true`). */
  readonly network: string;
  /** One ha- port per instance, in `hosts` order (`port.host` is the instance's host). */
  readonly ports: readonly PortT[];
  /** Observed states per host, as written (`ha_state`); the model checks them against what VRRP allows. */
  readonly observed: Readonly<Record<string, HaStateT>>;
  /**
   * The instance that is master in the rendered state: the one observed active, else the one VRRP elects
   * when the instances come up together (equal priorities: the highest ha- address).
   */
  readonly master: string;
}

export interface RouterT {
  readonly name: string;
  readonly id: string;
  readonly project: string | null;
  readonly hosts: readonly string[];
  readonly gateway: RouterGatewayT | null;
  readonly interfaces: readonly RouterInterfaceT[];
  readonly routes: readonly ExtraRouteT[];
  /** Null for a legacy router (one host); set for an L3 HA router. */
  readonly ha: RouterHaT | null;
}

export interface VmT {
  readonly name: string;
  readonly id: string;
  readonly project: string;
  readonly host: string;
  readonly ports: readonly PortT[];
}

export interface FloatingIpT {
  readonly id: string;
  readonly ip: Ipv4;
  readonly network: string; // the external network
  readonly portId: string;
  readonly vm: string;
  readonly portIndex: number;
  readonly fixedIp: Ipv4;
  /** The router that serves it: the one with a gateway on `network` and an interface on the port's subnet. */
  readonly router: string;
}

/**
 * A floating IP port forwarding: traffic of `protocol` to `floatingIp`:`externalPort` is sent on to
 * `internalIp`:`internalPort` of a VM port. The floating IP is associated with no port.
 */
export interface PortForwardingT {
  readonly id: string;
  readonly floatingIpId: string;
  readonly floatingIp: Ipv4;
  readonly network: string; // the external network
  readonly protocol: 'tcp' | 'udp';
  /** The external ports `externalPort`..`externalPortEnd` (one port: equal; a range since Zed). */
  readonly externalPort: number;
  readonly externalPortEnd: number;
  readonly portId: string;
  readonly vm: string;
  readonly portIndex: number;
  readonly internalIp: Ipv4;
  /**
   * The internal ports `internalPort`..`internalPortEnd`: one port (equal), which every external port is sent
   * on to, or a range as long as the external one, port for port (Neutron allows N-N or 1-N; forwardedPort).
   */
  readonly internalPort: number;
  readonly internalPortEnd: number;
  /** The router that serves the floating IP: one with a gateway on `network` and an interface on the subnet of every port it forwards to. */
  readonly router: string;
}

export interface Topology {
  /** The file it was loaded from, for messages. */
  readonly file: string;
  readonly release: string;
  readonly firewallDriver: 'iptables_hybrid' | 'noop';
  readonly l2Population: boolean;
  readonly arpResponder: boolean;
  /** keepalived's advert_int for HA routers, seconds (Neutron's ha_vrrp_advert_int). */
  readonly haVrrpAdvertInt: number;
  readonly hosts: readonly HostT[];
  readonly networks: readonly NetworkT[];
  readonly routers: readonly RouterT[];
  readonly securityGroups: readonly SecurityGroupT[];
  readonly vms: readonly VmT[];
  /**
   * Every port: DHCP ports first, then per router its ha- ports (HA routers), interfaces and gateway,
   * then VM ports, each in file order.
   */
  readonly ports: readonly PortT[];
  readonly floatingIps: readonly FloatingIpT[];
  /** Port forwardings of floating IPs held by no port, in file order. */
  readonly portForwardings: readonly PortForwardingT[];
  /**
   * Network name → the network nodes whose DHCP agents serve it (DHCP-enabled networks only): the written
   * `dhcp_hosts`, else `dhcp_agents_per_network` of the nodes that reach it, least loaded first.
   */
  readonly dhcpHosts: Readonly<Record<string, readonly string[]>>;
  /** Host → network name → local VLAN, numbered 1, 2, … in the order of the ports on the host above. */
  readonly localVlans: Readonly<Record<string, Readonly<Record<string, number>>>>;
}
