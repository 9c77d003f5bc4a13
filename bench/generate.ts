// Generated topologies for the benchmark: a deterministic function from a size to a valid topology
// file (docs/topology.md), as the parsed object `loadTopologyText` would read and as YAML text.
// Guarantees: the same size always gives the same text; every generated topology loads without
// errors (addresses inside their subnets, unique segmentation IDs, one network node per router).
// Shape: one flat external network `public` on every network node's br-ex; per project, its VXLAN
// (or, with `tenant: vlan`, VLAN) networks (one /24 subnet each) spread over its routers, each router with a gateway on `public`
// (with `ha`, each an L3 HA router on two network nodes);
// VMs spread round-robin over all tenant networks and over the compute hosts; a floating IP on every
// `fipEvery`-th VM; the `ssh` group (besides `default`) on every `sshEvery`-th VM.
import { stringify } from 'yaml';
import type { TopologyFile } from '../src/topology/schema.ts';

export interface BenchSize {
  /** A short label for tables. */
  readonly name: string;
  readonly projects: number;
  readonly networksPerProject: number;
  readonly routersPerProject: number;
  /** VMs in total, spread over all tenant networks. */
  readonly vms: number;
  readonly computeHosts: number;
  readonly networkNodes: number;
  /** A floating IP on every n-th VM (default 10). */
  readonly fipEvery?: number;
  /** The ssh group on every n-th VM (default 3). */
  readonly sshEvery?: number;
  /**
   * How tenant networks are segmented (default vxlan): `vlan` puts them on physical network `tenant`
   * through br-vlan on every host, where a flood reaches every port of the segment on every host.
   */
  readonly tenant?: 'vxlan' | 'vlan';
  /**
   * Every router an L3 HA router on two network nodes (its own and the next), with one HA network per
   * project (default false: each router a legacy router on one network node).
   */
  readonly ha?: boolean;
}

/** The counts a generated topology must have: what the generator promises for a size. */
export interface BenchCounts {
  readonly hosts: number;
  readonly networks: number; // tenant networks plus the external one (plus the HA networks)
  readonly routers: number;
  readonly vms: number;
  readonly floatingIps: number;
}

export const SIZES: readonly BenchSize[] = [
  { name: 'tiny', projects: 1, networksPerProject: 2, routersPerProject: 1, vms: 4, computeHosts: 2, networkNodes: 1 },
  { name: 'small', projects: 5, networksPerProject: 2, routersPerProject: 1, vms: 50, computeHosts: 4, networkNodes: 2 },
  { name: 'medium', projects: 20, networksPerProject: 3, routersPerProject: 2, vms: 250, computeHosts: 10, networkNodes: 2 },
  { name: 'large', projects: 50, networksPerProject: 4, routersPerProject: 2, vms: 1000, computeHosts: 20, networkNodes: 2 },
];

/**
 * Larger sizes, measured only when asked for by name (`--sizes xlarge`): the pipeline's growth
 * shows between `large` and these; the solver layers take minutes here.
 */
export const EXTRA_SIZES: readonly BenchSize[] = [
  { name: 'xlarge', projects: 150, networksPerProject: 4, routersPerProject: 2, vms: 3000, computeHosts: 60, networkNodes: 6 },
  // The scale target's counts: 10,000 VMs, 1,000 routers, 200 compute hosts, 3 network nodes.
  { name: 'huge', projects: 500, networksPerProject: 4, routersPerProject: 2, vms: 10000, computeHosts: 200, networkNodes: 3 },
];

/** Sizes cheap enough for `--quick` and for tests. */
export const QUICK_SIZES: readonly BenchSize[] = SIZES.slice(0, 2);

const EXTERNAL = 'public';
// 198.18.0.0/15 is reserved for benchmarks (RFC 2544); a /16 of it holds every gateway and floating IP.
const EXT_BASE = ipNum(198, 18, 0, 0);
const ROUTER_GW_BASE = EXT_BASE + 256; // 198.18.1.0 …
const FIP_BASE = EXT_BASE + 128 * 256; // 198.18.128.0 …
// Tenant subnets 10.X.Y.0/24 from 10.1.0.0 on; host tunnel addresses in 172.16.0.0/16.
const TENANT_BASE = ipNum(10, 1, 0, 0);
const TUNNEL_BASE = ipNum(172, 16, 0, 0);
const VNI_BASE = 1000;
const VLAN_BASE = 100;

/**
 * Network node `i`'s tunnel address: .101 on while there are at most 100 compute hosts (172.16.0.1 …
 * .100; the addresses every size had before), else right after the last compute host's, so no two
 * hosts share one at any size.
 */
export function networkNodeTunnel(computeHosts: number, i: number): number {
  if (computeHosts + i + 2 > 65535) throw new Error(`bench: more hosts than tunnel addresses in ${ipStr(TUNNEL_BASE)}/16`);
  return TUNNEL_BASE + (computeHosts <= 100 ? 101 : computeHosts + 1) + i;
}

export function countsOf(size: BenchSize): BenchCounts {
  const fipEvery = size.fipEvery ?? 10;
  return {
    hosts: size.computeHosts + size.networkNodes,
    // Tenant networks, the external one, and an HA network per project with HA routers.
    networks: size.projects * size.networksPerProject + 1 + (size.ha ? size.projects : 0),
    routers: size.projects * size.routersPerProject,
    vms: size.vms,
    floatingIps: Math.ceil(size.vms / fipEvery),
  };
}

/** The topology file of `size` as the object the loader reads. Throws on a size it cannot lay out. */
export function generateTopology(size: BenchSize): TopologyFile {
  const fipEvery = size.fipEvery ?? 10;
  const sshEvery = size.sshEvery ?? 3;
  const totalNets = size.projects * size.networksPerProject;
  const totalRouters = size.projects * size.routersPerProject;
  if (size.projects < 1 || size.networksPerProject < 1 || size.computeHosts < 1 || size.networkNodes < 1) {
    throw new Error(`bench size ${size.name}: projects, networks, compute hosts and network nodes must be at least 1`);
  }
  // 250 VMs fit in a /24 after the gateway and the DHCP ports; the external /16 limits the rest.
  if (Math.ceil(size.vms / totalNets) > 240) throw new Error(`bench size ${size.name}: more than 240 VMs per network`);
  if (totalRouters > 127 * 256 || Math.ceil(size.vms / fipEvery) > 127 * 256) throw new Error(`bench size ${size.name}: too many routers or floating IPs`);
  if (size.tenant === 'vlan' && VLAN_BASE + totalNets > 4094) throw new Error(`bench size ${size.name}: more tenant networks than VLAN IDs`);
  if (size.ha && size.networkNodes < 2) throw new Error(`bench size ${size.name}: HA routers need two network nodes`);

  const computeName = (i: number) => `compute${i + 1}`;
  const networkNodeName = (i: number) => `network${i + 1}`;
  const hosts: TopologyFile['hosts'] = {};
  const vlan = size.tenant === 'vlan';
  const tenantMapping: Record<string, string> = vlan ? { tenant: 'br-vlan' } : {};
  for (let i = 0; i < size.computeHosts; i++) {
    hosts[computeName(i)] = { role: 'compute', tunnel_ip: ipStr(TUNNEL_BASE + 1 + i), ...(vlan ? { bridge_mappings: tenantMapping } : {}) };
  }
  for (let i = 0; i < size.networkNodes; i++) {
    hosts[networkNodeName(i)] = { role: 'network', tunnel_ip: ipStr(networkNodeTunnel(size.computeHosts, i)), bridge_mappings: { external: 'br-ex', ...tenantMapping } };
  }

  const projectName = (p: number) => `p${p + 1}`;
  // Global network index k = p * networksPerProject + n; its subnet is the k-th /24 from TENANT_BASE.
  const netName = (k: number) => `net${k + 1}`;
  const subnetName = (k: number) => `subnet${k + 1}`;
  const subnetBase = (k: number) => TENANT_BASE + k * 256;
  const networks: NonNullable<TopologyFile['networks']> = {
    [EXTERNAL]: {
      external: true,
      type: 'flat',
      physical_network: 'external',
      subnets: { [`${EXTERNAL}-v4`]: { cidr: `${ipStr(EXT_BASE)}/16`, gateway: ipStr(EXT_BASE + 1) } },
    },
  };
  for (let k = 0; k < totalNets; k++) {
    networks[netName(k)] = {
      project: projectName(Math.floor(k / size.networksPerProject)),
      ...(vlan ? { type: 'vlan' as const, physical_network: 'tenant', segmentation_id: VLAN_BASE + k } : { type: 'vxlan' as const, segmentation_id: VNI_BASE + k }),
      subnets: { [subnetName(k)]: { cidr: `${ipStr(subnetBase(k))}/24` } },
    };
  }

  // A project's network n is on its router n mod routersPerProject; routers alternate network nodes.
  const routers: NonNullable<TopologyFile['routers']> = {};
  for (let p = 0; p < size.projects; p++) {
    for (let r = 0; r < size.routersPerProject; r++) {
      const g = p * size.routersPerProject + r;
      const interfaces: string[] = [];
      for (let n = r; n < size.networksPerProject; n += size.routersPerProject) interfaces.push(subnetName(p * size.networksPerProject + n));
      routers[`router${g + 1}`] = {
        project: projectName(p),
        hosts: size.ha ? [networkNodeName(g % size.networkNodes), networkNodeName((g + 1) % size.networkNodes)] : [networkNodeName(g % size.networkNodes)],
        gateway: { network: EXTERNAL, ip: ipStr(ROUTER_GW_BASE + g) },
        interfaces,
        routes: [],
      };
    }
  }

  const securityGroups: NonNullable<TopologyFile['security_groups']> = {};
  for (let p = 0; p < size.projects; p++) {
    securityGroups[projectName(p)] = {
      ssh: [
        { direction: 'ingress', protocol: 'tcp', port: 22 },
        { direction: 'ingress', protocol: 'icmp' },
      ],
    };
  }

  // VM v sits on network v mod totalNets (so every network gets VMs before any gets two) and on
  // compute host v mod computeHosts; its address is 10 + its rank on that network.
  const vms: NonNullable<TopologyFile['vms']> = {};
  const floatingIps: NonNullable<TopologyFile['floating_ips']> = [];
  for (let v = 0; v < size.vms; v++) {
    const k = v % totalNets;
    const rank = Math.floor(v / totalNets);
    const name = `vm${v + 1}`;
    vms[name] = {
      project: projectName(Math.floor(k / size.networksPerProject)),
      host: computeName(v % size.computeHosts),
      ports: [
        {
          network: netName(k),
          ip: ipStr(subnetBase(k) + 10 + rank),
          ...(v % sshEvery === 0 ? { security_groups: ['default', 'ssh'] } : {}),
        },
      ],
    };
    if (v % fipEvery === 0) floatingIps.push({ ip: ipStr(FIP_BASE + floatingIps.length), vm: name });
  }

  return {
    defaults: { release: '2024.1', firewall_driver: 'iptables_hybrid', l2_population: true },
    hosts,
    networks,
    routers,
    security_groups: securityGroups,
    vms,
    floating_ips: floatingIps,
  };
}

/** The topology of `size` as YAML text, with a header naming the size. */
export function generateTopologyText(size: BenchSize): string {
  const header = `# generated by bench/generate.ts: ${describeSize(size)}\n`;
  return header + stringify(generateTopology(size), { lineWidth: 0 });
}

export function describeSize(s: BenchSize): string {
  const c = countsOf(s);
  const tenantNets = s.projects * s.networksPerProject;
  return `${s.projects} projects × ${tenantNets} ${s.tenant === 'vlan' ? 'VLAN ' : ''}networks × ${c.routers} ${s.ha ? 'HA ' : ''}routers × ${c.vms} VMs × ${s.computeHosts}+${s.networkNodes} hosts`;
}

function ipNum(a: number, b: number, c: number, d: number): number {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

function ipStr(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
