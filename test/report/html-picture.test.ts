// The HTML report's picture without a browser: on every shipped topology (VXLAN, VLAN, provider networks,
// L3 HA), traces between VMs, out to the internet and in through floating IPs are drawn whole — every hop
// on an element of the picture, every move between two devices on an edge of it, every underlay hop on a
// tunnel — read from the page `trace --format html` prints (its SVG and its embedded paths). The page is
// self-contained: no external URL is referred to.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../cli/run.ts';

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
