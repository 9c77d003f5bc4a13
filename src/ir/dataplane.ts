// The dataplane IR: every device of every host, how devices are wired together, the physical
// networks and the tunnel underlay, and the stations (VM ports, the outside world) that send and
// receive packets. Plain readonly data, `kind`-tagged; the evaluator and the SMT encoder both read it.
import type { Ipv4, Mac } from './packet.ts';
import type { OvsBridge } from './openflow.ts';
import type { NetfilterRuleset } from './netfilter.ts';
import type { Origin, Warning } from './origin.ts';
import type { VrrpInstance } from './vrrp.ts';

export interface Address { readonly ip: Ipv4; readonly prefixLen: number }

/** A Linux network interface inside a namespace (`ip addr`). */
export interface NsInterface {
  readonly name: string;
  readonly mac: Mac;
  readonly addresses: readonly Address[];
}

/** One `ip route` entry; `via` null is a connected (link) route. */
export interface Route {
  readonly dst: Address; // 0.0.0.0/0 for default
  readonly via: Ipv4 | null;
  readonly dev: string;
  readonly src: Ipv4 | null;
  readonly origin: Origin;
}

/** The IPv4 sysctls the kernel's input path depends on (src/semantics/martian.ts says what each does). */
export interface NamespaceSysctls {
  /** net.ipv4.conf.*.rp_filter: 0 off, 1 strict, 2 loose (the effective value, max of all and the interface). */
  readonly rpFilter: 0 | 1 | 2;
  readonly acceptLocal: boolean;
  readonly routeLocalnet: boolean;
  readonly sendRedirects: boolean;
  /** arp_ignore: 0 answer for any local address, 1 only for one on the receiving interface. */
  readonly arpIgnore: 0 | 1;
}

/**
 * A network namespace: a qrouter-, qdhcp- namespace, or the host's root namespace (name `root`),
 * whose netfilter holds the hybrid firewall that filters bridged traffic on the qbr bridges.
 */
export interface Namespace {
  readonly kind: 'namespace';
  readonly name: string;
  readonly interfaces: readonly NsInterface[];
  readonly routes: readonly Route[];
  readonly netfilter: NetfilterRuleset;
  /** IPv4 forwarding on (a router namespace) or off (a DHCP namespace). */
  readonly forwarding: boolean;
  /**
   * The keepalived instances of an L3 HA router's namespace (its keepalived.conf); absent or empty
   * without one. The interfaces and routes above are the namespace's state as collected or rendered.
   */
  readonly vrrp?: readonly VrrpInstance[];
  /** Sysctls known to differ from what the agent that creates the namespace leaves (src/semantics/martian.ts). */
  readonly sysctls?: Partial<NamespaceSysctls>;
}

/** A Linux bridge (`brctl show`), e.g. `qbr<port>` with its `tap<port>` and `qvb<port>`. */
export interface LinuxBridge {
  readonly kind: 'linux-bridge';
  readonly name: string;
  readonly ports: readonly string[];
  /** br_netfilter: bridged IPv4 goes through the root namespace's iptables (physdev matches). */
  readonly netfilter: boolean;
  /** Spanning tree on (`brctl show`'s STP column); absent means off, as Neutron creates qbr bridges. */
  readonly stp?: boolean;
}

export interface HostDataplane {
  readonly name: string;
  readonly tunnelIp: Ipv4 | null;
  readonly ovsBridges: readonly OvsBridge[];
  readonly linuxBridges: readonly LinuxBridge[];
  /** Includes the root namespace, named `root`. */
  readonly namespaces: readonly Namespace[];
}

/**
 * One end of a link: a port of a device on a host. `device` is an OVS bridge, a Linux bridge, a
 * namespace (then `port` is the interface name), or `vm:<name>` (then `port` is the VM's NIC index).
 */
export interface Endpoint {
  readonly host: string;
  readonly device: string;
  readonly port: string;
}

/**
 * A point-to-point link between two endpoints of one host:
 * - `patch`: OVS patch ports (`patch-int`↔`patch-tun`, `int-br-X`↔`phy-br-X`);
 * - `veth`: a veth pair (`qvb`↔`qvo`);
 * - `internal`: an OVS internal port whose interface lives in a namespace (`qr-`, `qg-`, `tap` of qdhcp);
 * - `vif`: a VM's NIC and its `tap` device.
 */
export interface Link {
  readonly kind: 'patch' | 'veth' | 'internal' | 'vif';
  readonly a: Endpoint;
  readonly b: Endpoint;
}

/** A physical network (`physical_network`): every bridge port plugged into it, on every host. */
export interface Wire {
  readonly physnet: string;
  readonly members: readonly Endpoint[];
}

/** Something that sends and receives packets at the edge of the dataplane. */
/** The device of a VM port's attachment when no bridge of its host holds its tap (`brctl show`, `ovs-vsctl show`). */
export const UNPLUGGED = '(unplugged)';

export type Station =
  | {
      readonly kind: 'vm-port';
      readonly vm: string;
      readonly index: number;
      readonly host: string;
      readonly project: string | null;
      readonly network: string;
      readonly portId: string;
      readonly mac: Mac;
      readonly ip: Ipv4;
      readonly prefixLen: number;
      readonly gateway: Ipv4 | null;
      /** Where the VM's NIC is plugged: the `vif` link's far end (the tap on qbr, or on br-int; device UNPLUGGED on none). */
      readonly attachment: Endpoint;
      /**
       * Addresses besides its own the VM answers ARP for: VIPs (allowed address pairs) it holds in the
       * question's choice of holders (src/questions/vip.ts). Absent: none, as rendered or collected.
       */
      readonly vips?: readonly Ipv4[];
    }
  | {
      /**
       * The outside world beyond an external or provider network: the upstream router at the subnet's
       * gateway address, which may send any packet and through which packets leave the cloud.
       */
      readonly kind: 'outside';
      readonly network: string;
      readonly physnet: string;
      readonly vlan: number | null;
      readonly mac: Mac;
      readonly gateway: Ipv4;
      readonly cidr: Address;
      /**
       * The upstream router's routes into the cloud: each router with its gateway on this network (in
       * any of its subnets) takes its interfaces' subnets, via its gateway address, in the topology's
       * order of routers (docs/topology.md, Conventions: The outside world). The trace's first hop
       * takes the first that holds the destination, the solver's sender model each. Absent: none.
       */
      readonly routes?: readonly UpstreamRoute[];
    };

/** A route of the outside world's upstream router into the cloud: `dst` via a router's gateway address. */
export interface UpstreamRoute {
  readonly dst: Address;
  readonly via: Ipv4;
}

/**
 * A failure scenario applied to the dataplane: hosts that are down (their devices, VMs, DHCP servers
 * and router instances gone from the IR) and underlay connections cut between two hosts (tunnel
 * packets between them are lost, and neither hears the other on a physical network's wire).
 */
export interface Failures {
  readonly down: readonly string[];
  readonly cuts: readonly (readonly [string, string])[];
}

export interface Dataplane {
  readonly hosts: readonly HostDataplane[];
  readonly links: readonly Link[];
  readonly wires: readonly Wire[];
  readonly stations: readonly Station[];
  readonly warnings: readonly Warning[];
  /** The failure scenario this dataplane is under; absent: none. */
  readonly failures?: Failures;
}
