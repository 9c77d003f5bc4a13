// The HTML report's picture without a browser: on every shipped topology (VXLAN, VLAN, provider networks,
// L3 HA), traces between VMs, out to the internet and in through floating IPs are drawn whole — every hop
// on an element of the picture, every move between two devices on an edge of it, every underlay hop on a
// tunnel — read from the page `trace --format html` prints (its SVG and its embedded paths). The page is
// self-contained: no external URL is referred to. A broadcast's flooded copies are drawn apart from its path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../cli/run.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { cloudGraph } from '../../src/report/html/cloud-graph.ts';
import { picturePath } from '../../src/report/html/path.ts';
import { labelsFor } from '../../src/report/labels.ts';

interface PathJson { hops: { n: number; key: string | null; via: string | null; lines: string[] }[]; ok: boolean }
interface HopJson { kind: string }

/** The element keys of the page's SVG and the paths its script draws. */
function readPage(html: string): { keys: Set<string>; tunnels: Set<string>; paths: PathJson[] } {
  const keys = new Set([...html.matchAll(/data-key="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')));
  const tunnels = new Set([...keys].filter((k) => k.startsWith('e:tunnel:')));
  const json = /<script type="application\/json" id="netproof-paths">(.*?)<\/script>/s.exec(html)![1]!;
  return { keys, tunnels, paths: JSON.parse(json) as PathJson[] };
}

/** The traces asked per topology: each VM to the next, the first VM to the internet, the outside to each floating IP. */
function askedOn(file: string): string[][] {
  const t = parse(readFileSync(file, 'utf8')) as { vms?: Record<string, unknown>; floating_ips?: { ip: string }[] };
  const vms = Object.keys(t.vms ?? {});
  return [
    ...vms.map((vm, i) => ['--from', vm, '--to', vms[(i + 1) % vms.length]!]),
    ...(vms.length > 0 ? [['--from', vms[0]!, '--to', '8.8.8.8', '--proto', 'tcp', '--dport', '443']] : []),
    ...(t.floating_ips ?? []).map((f) => ['--from', '198.51.100.7', '--to', f.ip, '--proto', 'tcp', '--dport', '22']),
  ];
}

describe('trace --format html draws every hop on the picture', () => {
  for (const file of ['topologies/seed.yaml', 'topologies/seed-vlan.yaml', 'topologies/provider.yaml', 'topologies/ha.yaml']) {
    it(file, async () => {
      const asked = askedOn(file);
      expect(asked.length).toBeGreaterThan(2);
      let hopsSeen = 0;
      for (const argv of asked) {
        const [html, json] = [await runCli('trace', file, ...argv, '--format', 'html'), await runCli('trace', file, ...argv, '--format', 'json')];
        expect(html.code, `${argv.join(' ')}: ${html.stderr}`).toBe(json.code);
        expect(html.stdout).not.toMatch(/(src|href)="(https?:)?\/\//);
        const hops = (JSON.parse(json.stdout) as { hops: HopJson[] }).hops;
        const { keys, tunnels, paths } = readPage(html.stdout);
        expect(paths).toHaveLength(1);
        const [path] = paths;
        expect(path!.hops.map((h) => h.n)).toEqual(hops.map((_, i) => i + 1));
        path!.hops.forEach((h, i) => {
          const where = `${file} ${argv.join(' ')} step ${h.n}`;
          expect(h.key, where).not.toBeNull();
          expect(keys.has(h.key!), where).toBe(true);
          if (hops[i]!.kind === 'underlay') expect(tunnels.has(h.key!), where).toBe(true);
          const movedFromDevice = i > 0 && hops[i]!.kind !== 'underlay' && hops[i - 1]!.kind !== 'underlay';
          if (movedFromDevice) expect(h.via !== null && keys.has(h.via), `${where}: the edge it came over`).toBe(true);
          else expect(h.via, where).toBeNull();
        });
        hopsSeen += hops.length;
      }
      expect(hopsSeen).toBeGreaterThan(asked.length * 3);
    }, 120_000);
  }
});

describe("a flood's copies are drawn apart from the path", () => {
  it('a broadcast from vm1: every copy on the picture, each element it crossed that the path did not', async () => {
    const t = loadTopologyText(readFileSync('topologies/seed.yaml', 'utf8'), 'seed.yaml');
    if (!t.ok) throw new Error('the seed does not load');
    const m = modelFromTopology(t.value);
    const vm1 = m.dataplane.stations.find((s) => s.kind === 'vm-port' && s.vm === 'vm1')!;
    if (vm1.kind !== 'vm-port') throw new Error('no vm1');
    // A DHCP discover: broadcast on net1, flooded to every port of the network on every host.
    const trace = createEvaluator(m.dataplane).session().trace(vm1, {
      eth_src: vm1.mac, eth_dst: 'ff:ff:ff:ff:ff:ff', vlan: null, tun_id: null, eth_type: 0x0800,
      ip_src: '0.0.0.0', ip_dst: '255.255.255.255', proto: 17, sport: 68, dport: 67, icmp_type: null, icmp_code: null,
    });
    expect(trace.branches.length).toBeGreaterThan(0);
    const graph = cloudGraph(m.dataplane, m.topology, labelsFor(m.topology));
    const p = picturePath(trace, graph, labelsFor(m.topology));
    const onPath = new Set(p.hops.flatMap((h) => [h.key, h.via]));
    const keys = new Set([...graph.nodes.map((n) => n.key), ...graph.edges.map((e) => e.key)]);
    expect(p.copies.count).toBe(trace.branches.length);
    // Every element a copy crossed is on the picture, and none is the path's own.
    for (const k of p.copies.keys) {
      expect(keys.has(k), k).toBe(true);
      expect(onPath.has(k), k).toBe(false);
    }
    // The copies reach the places the main path does not: the DHCP server of net1 among them.
    const delivered = trace.branches.flatMap((b) => (b.deliveredTo?.kind === 'namespace' ? [`n:${b.deliveredTo.host}/${b.deliveredTo.namespace}`] : []));
    expect(delivered.length).toBeGreaterThan(0);
    for (const d of delivered) if (!onPath.has(d)) expect(p.copies.keys).toContain(d);
  }, 60_000);
});
