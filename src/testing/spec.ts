// The structural core of a generated topology: small choices (counts, flags, indices into pools)
// that `build.ts` turns into a valid topology file. Generating the core instead of the file is what
// makes the generator shrink well: fast-check shrinks arrays by dropping elements and numbers towards
// 0, and every index here is taken modulo what exists when it is built, so any shrunk core still
// builds into a valid topology — smaller, with the simplest choice (the first of each list) kept.
// Guarantees: every field is a plain value (no functions), so a core prints as JSON in a failure.
import fc from 'fast-check';

export type HostRole = 'compute' | 'network' | 'both';
export type TenantType = 'vxlan' | 'vlan' | 'flat' | 'gre';

/** Which written Neutron releases the generator picks from: every template boundary and each spelling. */
export const RELEASES = [
  '2024.1', 'mitaka', 'newton', 'ocata', 'pike', 'queens', 'rocky', 'stein', 'train', 'ussuri', 'victoria',
  'wallaby', 'xena', 'yoga', 'zed', '2023.1', '2023.2', '2024.2', '2025.1', 'caracal', 'Train', '24.0.0',
] as const;

export interface DefaultsSpec {
  readonly release: number | null;
  readonly firewallDriver: 'iptables_hybrid' | 'noop' | null;
  readonly l2Population: boolean | null;
  readonly arpResponder: boolean | null;
  /** L3 HA and DHCP agent settings (each null: not written). */
  readonly haAdvertInt: number | null;
  readonly dhcpAgents: number | null;
  readonly haNetworkType: 'vxlan' | 'gre' | 'vlan' | null;
  readonly haPhysical: boolean;
}

export interface SubnetSpec {
  /** Index into the CIDR pool (tenant or external). */
  readonly cidr: number;
  readonly gateway: 'default' | 'none' | 'last' | 'written-first';
  readonly dhcp: boolean | null;
  readonly id: boolean;
}

export interface NetworkSpec {
  /** Index of the owning project; null: no project (an admin network). */
  readonly project: number | null;
  readonly type: TenantType;
  readonly shared: boolean;
  /** A VLAN network on the external physical network instead of physnet1. */
  readonly vlanOnExternal: boolean;
  /** A written segmentation ID (offset from the type's base), or null to let it be allocated. */
  readonly segmentation: number | null;
  readonly subnets: readonly SubnetSpec[];
  /** Write the defaults out (`external: false`, `shared: false`). */
  readonly explicit: boolean;
  /** DHCP agents written out: indices among the network nodes; null: scheduled. */
  readonly dhcpHosts: readonly number[] | null;
  /** With written DHCP agents: their ports written too (`dhcp_ports`, as `netproof import` writes them), and which fields. */
  readonly dhcpPorts: { readonly id: boolean; readonly ip: boolean; readonly mac: boolean } | null;
  readonly id: boolean;
}

/** A router port's id and MAC written (as `netproof import` writes them from the API). */
export interface RouterPortSpec {
  readonly id: boolean;
  readonly mac: boolean;
}

export interface ExternalSpec {
  readonly type: 'flat' | 'vlan';
  readonly shared: boolean;
  readonly segmentation: number | null;
  readonly subnets: readonly SubnetSpec[];
  readonly id: boolean;
}

export interface InterfaceSpec {
  /** Index into the subnets the router may attach (own project's and shared networks'). */
  readonly subnet: number;
  /** Write an explicit address even where the subnet's gateway is free. */
  readonly writeIp: boolean;
  /** `{ subnet: X }` instead of the bare name `X` when no address is written. */
  readonly objectForm: boolean;
  readonly port: RouterPortSpec;
}

export interface RouteSpec {
  readonly destination: number;
  readonly nexthop: number;
}

export interface RouterSpec {
  readonly project: number | null;
  /** Index among the hosts with the network role. */
  readonly host: number;
  readonly writeHosts: boolean;
  readonly gateway: { readonly external: number; readonly writeIp: boolean; readonly snat: boolean | null; readonly subnet: number; readonly port: RouterPortSpec } | null;
  /** Written `gateway: null` rather than no gateway field. */
  readonly nullGateway: boolean;
  readonly interfaces: readonly InterfaceSpec[];
  readonly routes: readonly RouteSpec[];
  /** Write `distributed: false` (a centralized router, said out loud). */
  readonly explicit: boolean;
  /**
   * L3 HA: `hosts` on several network nodes (as many as `haHosts`, at least 2), `flag` an `ha: {}` router
   * (on the default hosts), `vrid` an `ha: { vrid }` one; `none` a router on one host.
   */
  readonly ha: 'none' | 'hosts' | 'flag' | 'vrid';
  readonly haHosts: number;
  readonly vrid: number;
  /** Observed states of the instances, in host order (null: not written). */
  readonly haState: readonly ('active' | 'standby')[] | null;
  readonly id: boolean;
}

export type RemoteSpec =
  | { readonly kind: 'prefix'; readonly index: number }
  | { readonly kind: 'group'; readonly index: number }
  | { readonly kind: 'port-address'; readonly index: number };

export interface RuleSpec {
  readonly direction: 'ingress' | 'egress';
  /** By name or by number: 33 dccp, 47 gre, 132 sctp, 136 udplite. */
  readonly protocol: 'tcp' | 'udp' | 'icmp' | 'sctp' | 'dccp' | 'udplite' | 'any' | 'absent' | 'null' | 33 | 47 | 132 | 136;
  /** A single port (index into the port pool) or a range (two indices), for the protocols with ports (tcp, udp, dccp, sctp, udplite). */
  readonly port: { readonly from: number; readonly to: number | null; readonly asString: boolean } | null;
  /** ICMP type and optionally code, for icmp. */
  readonly icmp: { readonly type: number; readonly code: number | null } | null;
  readonly remote: RemoteSpec | null;
  readonly ethertype: boolean;
  readonly id: boolean;
}

export interface GroupSpec {
  readonly project: number;
  /** Index into the group-name pool (its first name is Neutron's `default`, written out). */
  readonly name: number;
  readonly objectForm: boolean;
  readonly autoEgress: boolean | null;
  readonly rules: readonly RuleSpec[];
  readonly id: boolean;
}

export interface PairSpec {
  readonly ip: number;
  readonly mac: 'none' | 'own-new' | 'other-port';
}

export interface PortSpec {
  /** Index into the networks the VM's project may use (its own and shared ones). */
  readonly network: number;
  /** A written fixed IP: which subnet of the network, and how far below its top; null: allocated. */
  readonly ip: { readonly subnet: number; readonly offset: number } | null;
  readonly mac: boolean;
  /** Indices into the project's group names; null: the field is absent (Neutron's default group). */
  readonly groups: readonly number[] | null;
  readonly portSecurity: boolean | null;
  readonly pairs: readonly PairSpec[];
  readonly id: boolean;
}

export interface VmSpec {
  readonly project: number;
  /** Index among the hosts with the compute role. */
  readonly host: number;
  readonly ports: readonly PortSpec[];
  readonly id: boolean;
}

export interface FipSpec {
  readonly vm: number;
  readonly port: number;
  /** Write `port: N` even for port 0. */
  readonly writePort: boolean;
  /** Which external subnet the address comes from. */
  readonly subnet: number;
  readonly id: boolean;
}

export interface HostSpec {
  readonly role: HostRole;
  /** Map every physical network in use, not only those the host's ports need. */
  readonly mapAll: boolean;
}

/** The whole core. */
export interface TopologySpec {
  readonly defaults: DefaultsSpec;
  readonly hosts: readonly HostSpec[];
  readonly projects: number;
  readonly externals: readonly ExternalSpec[];
  readonly networks: readonly NetworkSpec[];
  readonly routers: readonly RouterSpec[];
  readonly groups: readonly GroupSpec[];
  readonly vms: readonly VmSpec[];
  readonly fips: readonly FipSpec[];
  /**
   * Groups (indices into `groups`) written `stateful: false` where the file may say so: a release
   * with stateless groups, and every port in the group in it alone (build.ts). Drawn last and rarely,
   * so the rest of a seed's topologies stay what they were.
   */
  readonly stateless: readonly number[] | null;
}

/** Bounds of a generated topology; the defaults are the ranges. */
export interface TopologyBounds {
  /** 1–6 hosts by default. */
  readonly maxHosts?: number;
  /** 1–4 projects by default. */
  readonly maxProjects?: number;
  readonly maxNetworks?: number;
  readonly maxExternals?: number;
  readonly maxRouters?: number;
  readonly maxGroups?: number;
  readonly maxRules?: number;
  readonly maxVms?: number;
  readonly maxPortsPerVm?: number;
  readonly maxFloatingIps?: number;
  /** Lower bounds (0 by default; 1 for networks): a generated core has at least this many of each. */
  readonly minExternals?: number;
  readonly minRouters?: number;
  readonly minGroups?: number;
  readonly minVms?: number;
  readonly minFloatingIps?: number;
}

/**
 * Between `min` and `max` items. Not `fc.array({ minLength })`: its shrinker removes items only from
 * the front once the array is down to `min + 1`, so a needless item at the end would stay; here the
 * first `min` items are fixed and every other one can go.
 */
function between<T>(arb: fc.Arbitrary<T>, min: number, max: number): fc.Arbitrary<T[]> {
  const lo = Math.max(0, Math.min(min, max));
  if (lo === 0) return fc.array(arb, { maxLength: max });
  return fc.tuple(fc.array(arb, { minLength: lo, maxLength: lo }), fc.array(arb, { maxLength: max - lo })).map(([head, rest]) => [...head, ...rest]);
}
const rare = (arb: fc.Arbitrary<boolean>): fc.Arbitrary<boolean> => fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(false), weight: 4 }, { arbitrary: arb, weight: 1 });
const rareTrue = rare(fc.constant(true));

function subnetSpec(poolSize: number, dhcpDefault: 'on' | 'off'): fc.Arbitrary<SubnetSpec> {
  return fc.record({
    cidr: fc.nat({ max: poolSize - 1 }),
    gateway: fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant('default' as const), weight: 6 }, { arbitrary: fc.constantFrom('none' as const, 'last' as const, 'written-first' as const), weight: 1 }),
    dhcp: dhcpDefault === 'on' ? fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fc.boolean(), weight: 1 }) : fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constantFrom(null, true), weight: 1 }),
    id: rareTrue,
  });
}

export const TENANT_CIDR_COUNT = 8;
export const EXTERNAL_CIDR_COUNT = 4;
export const PORT_POOL_COUNT = 12;
export const PREFIX_POOL_COUNT = 10;
export const GROUP_NAME_COUNT = 5;
export const ROUTE_DESTINATION_COUNT = 6;

const ruleSpec: fc.Arbitrary<RuleSpec> = fc.record({
  direction: fc.constantFrom('ingress' as const, 'egress' as const),
  protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'icmp' as const, 'any' as const, 'absent' as const, 'null' as const, 47 as const, 132 as const, 33 as const, 136 as const, 'sctp' as const, 'dccp' as const, 'udplite' as const),
  port: fc.option(fc.record({ from: fc.nat({ max: PORT_POOL_COUNT - 1 }), to: fc.option(fc.nat({ max: PORT_POOL_COUNT - 1 }), { freq: 2 }), asString: fc.boolean() }), { freq: 3 }),
  icmp: fc.option(fc.record({ type: fc.constantFrom(8, 0, 3, 11), code: fc.option(fc.constantFrom(0, 1, 4), { freq: 2 }) }), { freq: 4 }),
  remote: fc.option(
    fc.oneof(
      fc.record({ kind: fc.constant('prefix' as const), index: fc.nat({ max: PREFIX_POOL_COUNT - 1 }) }),
      fc.record({ kind: fc.constant('group' as const), index: fc.nat({ max: GROUP_NAME_COUNT - 1 }) }),
      fc.record({ kind: fc.constant('port-address' as const), index: fc.nat({ max: 15 }) }),
    ),
    { freq: 2 },
  ),
  ethertype: rareTrue,
  id: rareTrue,
});

/** Rarely a written id or MAC: most files leave them derived, an imported one writes both. */
const routerPortSpec: fc.Arbitrary<RouterPortSpec> = fc.record({ id: rareTrue, mac: rareTrue });

const pairSpec: fc.Arbitrary<PairSpec> = fc.record({ ip: fc.nat({ max: 5 }), mac: fc.constantFrom('none' as const, 'own-new' as const, 'other-port' as const) });

function portSpec(maxGroups: number): fc.Arbitrary<PortSpec> {
  return fc.record({
    network: fc.nat({ max: 7 }),
    ip: fc.option(fc.record({ subnet: fc.nat({ max: 1 }), offset: fc.nat({ max: 30 }) }), { freq: 2 }),
    mac: rareTrue,
    groups: fc.option(fc.array(fc.nat({ max: GROUP_NAME_COUNT - 1 }), { maxLength: Math.max(0, Math.min(3, maxGroups + 1)) }), { freq: 2 }),
    portSecurity: fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(null), weight: 5 }, { arbitrary: fc.constant(false), weight: 2 }, { arbitrary: fc.constant(true), weight: 1 }),
    pairs: fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant([] as PairSpec[]), weight: 4 }, { arbitrary: between(pairSpec, 1, 2), weight: 1 }),
    id: rareTrue,
  });
}

/** The arbitrary of topology cores within `bounds`. */
export function topologySpec(bounds: TopologyBounds = {}): fc.Arbitrary<TopologySpec> {
  const b = {
    maxHosts: bounds.maxHosts ?? 6, maxProjects: bounds.maxProjects ?? 4, maxNetworks: bounds.maxNetworks ?? 5,
    maxExternals: bounds.maxExternals ?? 2, maxRouters: bounds.maxRouters ?? 3, maxGroups: bounds.maxGroups ?? 4,
    maxRules: bounds.maxRules ?? 4, maxVms: bounds.maxVms ?? 6, maxPortsPerVm: bounds.maxPortsPerVm ?? 3, maxFloatingIps: bounds.maxFloatingIps ?? 3,
  };
  const min = (n: number | undefined, max: number) => Math.min(n ?? 0, max);
  const project = fc.nat({ max: Math.max(0, b.maxProjects - 1) });
  return fc.record({
    defaults: fc.record({
      release: fc.option(fc.nat({ max: RELEASES.length - 1 }), { freq: 2 }),
      firewallDriver: fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(null), weight: 6 }, { arbitrary: fc.constant('iptables_hybrid' as const), weight: 2 }, { arbitrary: fc.constant('noop' as const), weight: 1 }),
      l2Population: fc.option(fc.boolean(), { freq: 2 }),
      arpResponder: fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fc.boolean(), weight: 1 }),
      haAdvertInt: fc.option(fc.integer({ min: 1, max: 10 }), { freq: 6 }),
      dhcpAgents: fc.option(fc.integer({ min: 1, max: 3 }), { freq: 4 }),
      haNetworkType: fc.option(fc.constantFrom('vxlan' as const, 'gre' as const, 'vlan' as const), { freq: 4 }),
      haPhysical: rareTrue,
    }),
    hosts: between(fc.record({ role: fc.constantFrom('compute' as const, 'network' as const, 'both' as const), mapAll: rareTrue }), 1, Math.max(1, b.maxHosts)),
    projects: fc.integer({ min: 1, max: Math.max(1, b.maxProjects) }),
    externals: between(
      fc.record({
        type: fc.constantFrom('flat' as const, 'vlan' as const),
        shared: rareTrue,
        segmentation: fc.option(fc.nat({ max: 20 }), { freq: 2 }),
        subnets: between(subnetSpec(EXTERNAL_CIDR_COUNT, 'off'), 1, 2),
        id: rareTrue,
      }),
      min(bounds.minExternals, b.maxExternals),
      b.maxExternals,
    ),
    networks: between(
      fc.record({
        project: fc.oneof({ withCrossShrink: true }, { arbitrary: project, weight: 8 }, { arbitrary: fc.constant(null), weight: 1 }),
        type: fc.constantFrom('vxlan' as const, 'vlan' as const, 'flat' as const, 'gre' as const),
        shared: rareTrue,
        vlanOnExternal: rareTrue,
        segmentation: fc.option(fc.nat({ max: 20 }), { freq: 2 }),
        subnets: between(subnetSpec(TENANT_CIDR_COUNT, 'on'), 1, 2),
        explicit: rareTrue,
        dhcpHosts: fc.option(fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 2 }), { freq: 6 }),
        dhcpPorts: fc.option(fc.record({ id: fc.boolean(), ip: fc.boolean(), mac: fc.boolean() }), { freq: 2 }),
        id: rareTrue,
      }),
      1,
      Math.max(1, b.maxNetworks),
    ),
    routers: between(
      fc.record({
        project: fc.oneof({ withCrossShrink: true }, { arbitrary: project, weight: 8 }, { arbitrary: fc.constant(null), weight: 1 }),
        host: fc.nat({ max: 5 }),
        writeHosts: rareTrue,
        gateway: fc.option(fc.record({ external: fc.nat({ max: 1 }), writeIp: fc.boolean(), snat: fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.boolean(), weight: 2 }), subnet: fc.nat({ max: 1 }), port: routerPortSpec }), { freq: 5 }),
        nullGateway: rareTrue,
        interfaces: fc.array(fc.record({ subnet: fc.nat({ max: 9 }), writeIp: rareTrue, objectForm: fc.boolean(), port: routerPortSpec }), { maxLength: 3 }),
        routes: fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant([] as RouteSpec[]), weight: 3 }, { arbitrary: between(fc.record({ destination: fc.nat({ max: ROUTE_DESTINATION_COUNT - 1 }), nexthop: fc.nat({ max: 9 }) }), 1, 2), weight: 1 }),
        explicit: rareTrue,
        ha: fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant('none' as const), weight: 6 }, { arbitrary: fc.constantFrom('hosts' as const, 'flag' as const, 'vrid' as const), weight: 2 }),
        haHosts: fc.integer({ min: 2, max: 3 }),
        vrid: fc.nat({ max: 253 }),
        haState: fc.option(fc.array(fc.constantFrom('active' as const, 'standby' as const), { minLength: 1, maxLength: 3 }), { freq: 3 }),
        id: rareTrue,
      }),
      min(bounds.minRouters, b.maxRouters),
      b.maxRouters,
    ),
    groups: between(
      fc.record({ project, name: fc.nat({ max: GROUP_NAME_COUNT - 1 }), objectForm: rareTrue, autoEgress: fc.option(fc.boolean(), { freq: 3 }), rules: fc.array(ruleSpec, { maxLength: b.maxRules }), id: rareTrue }),
      min(bounds.minGroups, b.maxGroups),
      b.maxGroups,
    ),
    vms: between(
      fc.record({ project, host: fc.nat({ max: 5 }), ports: between(portSpec(b.maxGroups), 1, Math.max(1, b.maxPortsPerVm)), id: rareTrue }),
      min(bounds.minVms, b.maxVms),
      b.maxVms,
    ),
    fips: between(fc.record({ vm: fc.nat({ max: 5 }), port: fc.nat({ max: 2 }), writePort: rareTrue, subnet: fc.nat({ max: 1 }), id: rareTrue }), min(bounds.minFloatingIps, b.maxFloatingIps), b.maxFloatingIps),
    stateless: fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(null), weight: 3 }, { arbitrary: between(fc.nat({ max: Math.max(0, b.maxGroups - 1) }), 1, 4), weight: 1 }),
  });
}
