// The benchmark's topology generator: every size it makes loads without errors, with the counts it
// promises, VMs spread over the compute hosts, routers over the network nodes, and the same text
// for the same size. Only small sizes here; the large ones are exercised by `npm run bench`.
import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { countsOf, EXTRA_SIZES, generateTopology, generateTopologyText, QUICK_SIZES, SIZES, type BenchSize } from '../../bench/generate.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import type { Topology } from '../../src/topology/model.ts';
import { growthExponent, median, percentile, samplePairs } from '../../bench/stats.ts';
import { formatTable } from '../../bench/table.ts';

const odd: BenchSize = { name: 'odd', projects: 3, networksPerProject: 3, routersPerProject: 2, vms: 37, computeHosts: 5, networkNodes: 2, fipEvery: 4, sshEvery: 5 };
const sizes: readonly BenchSize[] = [...QUICK_SIZES, odd];

function load(size: BenchSize): Topology {
  const r = loadTopologyText(generateTopologyText(size), `${size.name}.yaml`);
  if (!r.ok) throw new Error(`${size.name}: ${JSON.stringify(r.errors.slice(0, 5))}`);
  return r.value;
}

const tally = (xs: readonly string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());

describe('generateTopology', () => {
  for (const size of sizes) {
    describe(size.name, () => {
      const topo = load(size);
      const want = countsOf(size);

      it('loads with the promised counts', () => {
        expect(topo.hosts.length).toBe(want.hosts);
        expect(topo.networks.length).toBe(want.networks);
        expect(topo.routers.length).toBe(want.routers);
        expect(topo.vms.length).toBe(want.vms);
        expect(topo.floatingIps.length).toBe(want.floatingIps);
        expect(topo.networks.filter((n) => n.external).map((n) => n.type)).toEqual(['flat']);
        expect(topo.networks.filter((n) => !n.external).every((n) => n.type === 'vxlan')).toBe(true);
      });

      it('spreads VMs evenly over the compute hosts and every router over one network node', () => {
        const perHost = [...tally(topo.vms.map((v) => v.host)).values()];
        expect(perHost.length).toBe(Math.min(size.computeHosts, size.vms));
        expect(Math.max(...perHost) - Math.min(...perHost)).toBeLessThanOrEqual(1);
        const computes = new Set(topo.hosts.filter((h) => h.compute).map((h) => h.name));
        expect(topo.vms.every((v) => computes.has(v.host))).toBe(true);
        expect(topo.routers.every((r) => r.hosts.length === 1)).toBe(true);
        const perNode = [...tally(topo.routers.map((r) => r.hosts[0] ?? '')).values()];
        expect(perNode.length).toBe(Math.min(size.networkNodes, want.routers));
        expect(Math.max(...perNode) - Math.min(...perNode)).toBeLessThanOrEqual(1);
      });

      it('gives every router a gateway and every tenant network a router, in its own project', () => {
        expect(topo.routers.every((r) => r.gateway?.network === 'public')).toBe(true);
        const routed = topo.routers.flatMap((r) => r.interfaces.map((i) => ({ net: i.network, project: r.project })));
        const tenant = topo.networks.filter((n) => !n.external);
        expect(new Set(routed.map((x) => x.net)).size).toBe(tenant.length);
        for (const x of routed) expect(tenant.find((n) => n.name === x.net)?.project).toBe(x.project);
      });

      it('puts the floating IPs and the ssh group on every n-th VM', () => {
        const fipEvery = size.fipEvery ?? 10;
        const sshEvery = size.sshEvery ?? 3;
        const withFip = new Set(topo.floatingIps.map((f) => f.vm));
        const groupName = new Map(topo.securityGroups.map((g) => [g.id, g.name]));
        topo.vms.forEach((v, i) => {
          expect(withFip.has(v.name)).toBe(i % fipEvery === 0);
          const groups = (v.ports[0]?.securityGroups ?? []).map((id) => groupName.get(id));
          expect(groups).toEqual(i % sshEvery === 0 ? ['default', 'ssh'] : ['default']);
        });
      });
    });
  }

  it('is deterministic and its text is the object it describes', () => {
    const s = QUICK_SIZES[1] as BenchSize;
    expect(generateTopologyText(s)).toBe(generateTopologyText(s));
    expect(parse(generateTopologyText(s))).toEqual(generateTopology(s));
  });

  it('has a largest size at the scale target (1,000 VMs, 100 routers, 20 compute and 2 network nodes), generated but not loaded here', () => {
    const large = SIZES.at(-1) as BenchSize;
    expect({ ...countsOf(large), compute: large.computeHosts, network: large.networkNodes }).toMatchObject({ vms: 1000, routers: 100, compute: 20, network: 2, floatingIps: 100 });
    const file = generateTopology(large);
    expect(Object.keys(file.vms ?? {}).length).toBe(1000);
    expect(Object.keys(file.routers ?? {}).length).toBe(100);
    expect(Object.values(file.hosts).filter((h) => h.role === 'compute').length).toBe(20);
  });

  it('has a huge size at the pipeline\'s scale target (10,000 VMs, 1,000 routers, 200 compute and 3 network nodes, every host its own tunnel address), generated but not loaded here', () => {
    const huge = EXTRA_SIZES.find((s) => s.name === 'huge') as BenchSize;
    expect({ ...countsOf(huge), compute: huge.computeHosts, network: huge.networkNodes }).toMatchObject({ vms: 10000, routers: 1000, compute: 200, network: 3, floatingIps: 1000 });
    const file = generateTopology(huge);
    expect(Object.keys(file.vms ?? {}).length).toBe(10000);
    expect(Object.keys(file.routers ?? {}).length).toBe(1000);
    const tunnels = Object.values(file.hosts).map((h) => h.tunnel_ip);
    expect(tunnels.length).toBe(203);
    expect(new Set(tunnels).size).toBe(203);
  });

  it('gives every host a tunnel address of its own at any size (compute hosts past 100, network nodes after them)', () => {
    const tunnels = (s: BenchSize) => Object.values(generateTopology(s).hosts).map((h) => h.tunnel_ip);
    let checked = 0;
    for (const computeHosts of [1, 99, 100, 101, 200, 1000]) {
      const ips = tunnels({ name: `hosts${computeHosts}`, projects: 1, networksPerProject: 1, routersPerProject: 1, vms: 4, computeHosts, networkNodes: 3 });
      expect(ips.length).toBe(computeHosts + 3);
      expect(new Set(ips).size).toBe(ips.length);
      checked++;
    }
    expect(checked).toBe(6);
    // The sizes up to 100 compute hosts keep the addresses they always had: network nodes from .101.
    expect(generateTopology(SIZES.find((s) => s.name === 'large')!).hosts['network1']?.tunnel_ip).toBe('172.16.0.101');
  });

  it('refuses a size it cannot lay out', () => {
    expect(() => generateTopology({ ...odd, vms: 3 * 3 * 241 })).toThrow(/per network/);
    expect(() => generateTopology({ ...odd, networkNodes: 0 })).toThrow(/at least 1/);
  });
});

describe('generateTopology with VLAN tenant networks (--tenant vlan)', () => {
  const size: BenchSize = { ...odd, name: 'odd-vlan', tenant: 'vlan' };
  const topo = load(size);
  const tenants = topo.networks.filter((n) => !n.external);

  it('loads with the promised counts, every tenant network a VLAN of physical network tenant with its own ID', () => {
    const want = countsOf(size);
    expect([topo.hosts.length, topo.networks.length, topo.routers.length, topo.vms.length]).toEqual([want.hosts, want.networks, want.routers, want.vms]);
    expect(tenants.length).toBe(want.networks - 1);
    expect(tenants.every((n) => n.type === 'vlan' && n.physicalNetwork === 'tenant')).toBe(true);
    expect(new Set(tenants.map((n) => n.segmentationId)).size).toBe(tenants.length);
  });

  it('maps physical network tenant to br-vlan on every host, and keeps br-ex on the network nodes', () => {
    for (const h of topo.hosts) expect(h.bridgeMappings).toMatchObject({ tenant: 'br-vlan' });
    expect(topo.hosts.filter((h) => h.bridgeMappings.external === 'br-ex').length).toBe(size.networkNodes);
  });

  it('leaves the default (VXLAN) text unchanged by the option', () => {
    expect(generateTopologyText({ ...odd, tenant: 'vxlan' }).split('\n').slice(1)).toEqual(generateTopologyText(odd).split('\n').slice(1));
  });
});

describe('bench statistics and table', () => {
  it('medians and nearest-rank percentiles', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 95)).toBe(100);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 50)).toBe(50);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('samples distinct ordered pairs of different indices, the same every time', () => {
    const pairs = samplePairs(6, 100);
    expect(pairs.length).toBe(30);
    expect(new Set(pairs.map(([i, j]) => `${i},${j}`)).size).toBe(30);
    expect(pairs.every(([i, j]) => i !== j && i >= 0 && j >= 0 && i < 6 && j < 6)).toBe(true);
    expect(samplePairs(50, 10)).toEqual(samplePairs(50, 10));
  });

  it('fits the growth exponent on log-log: exact for powers, null for too few points or a missing figure', () => {
    expect(growthExponent([{ n: 1000, y: 2e6 }, { n: 3000, y: 18e6 }])).toBeCloseTo(2, 10);
    expect(growthExponent([{ n: 250, y: 5 * 250 ** 1.2 }, { n: 1000, y: 5 * 1000 ** 1.2 }, { n: 3000, y: 5 * 3000 ** 1.2 }])).toBeCloseTo(1.2, 10);
    expect(growthExponent([{ n: 1000, y: 7 }])).toBeNull();
    expect(growthExponent([{ n: 1000, y: 7 }, { n: 3000, y: NaN }])).toBeNull();
    expect(growthExponent([{ n: 1000, y: 7 }, { n: 1000, y: 9 }])).toBeNull();
  });

  it('aligns names left and figures right', () => {
    const t = formatTable(['size', 'ms'], [['tiny', '5'], ['large', '1234']]).split('\n');
    expect(t).toEqual(['size   ms', '-----  ----', 'tiny      5', 'large  1234']);
  });
});

describe('generateTopology with every router HA (--ha)', () => {
  const size: BenchSize = { ...odd, name: 'odd-ha', ha: true };
  const topo = load(size);
  it('puts every router on two network nodes, with one HA network per project, and keeps the promised counts', () => {
    const want = countsOf(size);
    expect(topo.networks.length).toBe(want.networks);
    expect(topo.networks.filter((n) => n.ha).length).toBe(size.projects);
    expect(topo.routers.every((r) => r.ha !== null && r.hosts.length === 2 && r.hosts[0] !== r.hosts[1])).toBe(true);
    expect(new Set(topo.routers.map((r) => r.hosts.join(','))).size).toBe(2);
  });
  it('refuses one network node', () => {
    expect(() => generateTopology({ ...size, networkNodes: 1 })).toThrow(/two network nodes/);
  });
});
