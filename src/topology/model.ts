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
}

export type DeviceOwner =
  | 'compute:nova'
  | 'network:dhcp'
  | 'network:router_interface'
  | 'network:router_gateway'
  | 'network:floatingip';

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
  /** The host it is bound to (routers: their first host; DHCP: the chosen network node). */
  readonly host: string;
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
}

export interface RouterInterfaceT { readonly subnet: string; readonly network: string; readonly port: PortT }
export interface RouterGatewayT { readonly network: string; readonly subnet: string; readonly port: PortT; readonly snat: boolean }
export interface ExtraRouteT { readonly destination: string; readonly nexthop: Ipv4 }

export interface RouterT {
  readonly name: string;
  readonly id: string;
  readonly project: string | null;
  readonly hosts: readonly string[];
  readonly gateway: RouterGatewayT | null;
  readonly interfaces: readonly RouterInterfaceT[];
  readonly routes: readonly ExtraRouteT[];
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

export interface Topology {
  /** The file it was loaded from, for messages. */
  readonly file: string;
  readonly release: string;
  readonly firewallDriver: 'iptables_hybrid' | 'noop';
  readonly l2Population: boolean;
  readonly arpResponder: boolean;
  readonly hosts: readonly HostT[];
  readonly networks: readonly NetworkT[];
  readonly routers: readonly RouterT[];
  readonly securityGroups: readonly SecurityGroupT[];
  readonly vms: readonly VmT[];
  /** Every port: DHCP ports first, then router interfaces and gateways, then VM ports, each in file order. */
  readonly ports: readonly PortT[];
  readonly floatingIps: readonly FloatingIpT[];
  /** Network name → the network node whose DHCP agent serves it (DHCP-enabled networks only). */
  readonly dhcpHosts: Readonly<Record<string, string>>;
  /** Host → network name → local VLAN, numbered 1, 2, … in the order of the host's ports above. */
  readonly localVlans: Readonly<Record<string, Readonly<Record<string, number>>>>;
}
