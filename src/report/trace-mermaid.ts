// `trace --format mermaid`: the path as a Mermaid flowchart (trace-graph.ts), for wikis and Markdown
// that render Mermaid — a subgraph per host, a node per device visit, an edge per move labelled with the
// port it left by, and a last node for how it ended (red when it stopped).
import type { Trace } from '../evaluate/trace.ts';
import type { Labels } from './labels.ts';
import { traceGraph, type GraphNode, type NodeKind } from './trace-graph.ts';

/** Text inside a quoted Mermaid label: characters Mermaid reads as syntax written as its entity codes. */
function text(s: string): string {
  return s.replace(/[#"<>|[\]{}();`]/g, (c) => `#${c.codePointAt(0)};`).replace(/[\r\n]+/g, ' ');
}

const CLASS: Readonly<Record<NodeKind, string>> = {
  endpoint: 'fill:#e8f0fe,stroke:#5f6368',
  bridge: 'fill:#ffffff,stroke:#5f6368',
  namespace: 'fill:#fff4d6,stroke:#5f6368',
  link: 'fill:#ffffff,stroke:#5f6368,stroke-dasharray: 4 3',
  'end-ok': 'fill:#d9f2d9,stroke:#1e7d32,stroke-width:2px',
  'end-stop': 'fill:#f8d0d0,stroke:#b00020,stroke-width:2px',
};

export function traceMermaid(t: Trace, labels: Labels): string {
  const g = traceGraph(t, labels);
  const node = (n: GraphNode, indent: string) => `${indent}${n.id}["${n.lines.map(text).join('<br/>')}"]:::${n.kind.replace('-', '_')}`;
  const out = ['flowchart LR', `  %% ${g.title}`];
  g.hosts.forEach((host, i) => {
    out.push(`  subgraph host${i}["${text(host)}"]`);
    for (const n of g.nodes.filter((x) => x.host === host)) out.push(node(n, '    '));
    out.push('  end');
  });
  for (const n of g.nodes.filter((x) => x.host === null)) out.push(node(n, '  '));
  for (const e of g.edges) out.push(`  ${e.from} -->${e.label ? `|"${text(e.label)}"|` : ''} ${e.to}`);
  for (const [k, style] of Object.entries(CLASS)) out.push(`  classDef ${k.replace('-', '_')} ${style}`);
  return out.join('\n');
}
