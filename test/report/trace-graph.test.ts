// `trace --format dot|mermaid`: the path as a picture for wikis. DOT is rendered by Graphviz itself
// (its WebAssembly build, @viz-js/viz): it must lay out without errors, with a node per hop plus one for
// the ending, an edge per move, and a cluster per host. Mermaid is checked for the same structure here
// and parsed by Mermaid itself in the browser suite (test/browser/).
import { instance } from '@viz-js/viz';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.ts';

const seed = 'topologies/seed.yaml';
const eastWest = ['--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22'];
const dropped = ['--from', '198.51.100.7', '--to', '203.0.113.101', '--proto', 'tcp', '--dport', '22'];

async function hopsOf(...argv: string[]): Promise<{ host: string }[]> {
  return (JSON.parse((await runCli('trace', seed, ...argv, '--format', 'json')).stdout) as { hops: { host: string }[] }).hops;
}

describe('trace --format dot', async () => {
  const viz = await instance();
  for (const [name, argv] of [['east-west, delivered', eastWest], ['from outside, dropped by a rule whose text has quotes', dropped]] as const) {
    it(`${name}: Graphviz lays it out, a node per hop and for the ending, an edge per move, a cluster per host`, async () => {
      const r = await runCli('trace', seed, ...argv, '--format', 'dot');
      expect(r.code).toBe(0);
      const hops = await hopsOf(...argv);
      const svg = viz.render(r.stdout, { format: 'svg' });
      expect(svg.status).toBe('success');
      expect(svg.errors.filter((e) => e.level === 'error')).toEqual([]);
      const out = svg.output!;
      expect(out.match(/<g id="node\d+" class="node">/g)).toHaveLength(hops.length + 1);
      expect(out.match(/<g id="edge\d+" class="edge">/g)).toHaveLength(hops.length);
      expect(out.match(/<g id="clust\d+" class="cluster">/g)).toHaveLength(new Set(hops.map((h) => h.host)).size);
    });
  }
  it('the ending names the rule that dropped the packet', async () => {
    const r = await runCli('trace', seed, ...dropped, '--format', 'dot');
    expect(r.stdout).toMatch(/result \[label="DROPPED on compute2 at qbr[0-9a-f-]+ by: .*--comment \\"Default drop rule for unmatched traffic\.\\" -j DROP/);
  });
});

describe('trace --format mermaid', () => {
  it('a flowchart: a subgraph per host, a node per hop and for the ending, an edge per move, labels escaped', async () => {
    const r = await runCli('trace', seed, ...dropped, '--format', 'mermaid');
    expect(r.code).toBe(0);
    const hops = await hopsOf(...dropped);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines.filter((l) => /^ {2}subgraph host\d+\["[^"]+"\]$/.test(l))).toHaveLength(new Set(hops.map((h) => h.host)).size);
    expect(lines.filter((l) => /^\s+(h\d+|result)\["[^"]*"\]:::\w+$/.test(l))).toHaveLength(hops.length + 1);
    expect(lines.filter((l) => /^ {2}(h\d+) -->(\|"[^"|]*"\|)? (h\d+|result)$/.test(l))).toHaveLength(hops.length);
    // The quotes of the rule's comment are written as Mermaid's entity codes, never raw inside a label.
    expect(r.stdout).toContain('#34;Default drop rule for unmatched traffic.#34;');
  });
});
