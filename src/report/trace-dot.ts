// `trace --format dot`: the path as a Graphviz digraph (trace-graph.ts) — a cluster per host, a box per
// device visit with what happened there, an edge per move labelled with the port it left by, and a
// last node for how it ended (red when it stopped). Paste it into a wiki or `dot -Tsvg`.
import type { Trace } from '../evaluate/trace.ts';
import type { Labels } from './labels.ts';
import { traceGraph, type GraphNode, type NodeKind } from './trace-graph.ts';

/** A DOT double-quoted string: backslashes and quotes escaped, lines joined by `\l` (left-justified). */
function quote(lines: readonly string[], join = '\\l'): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n]+/g, ' ');
  return `"${lines.map(esc).join(join)}${join === '\\l' ? '\\l' : ''}"`;
}

const STYLE: Readonly<Record<NodeKind, string>> = {
  endpoint: 'shape=box, style="rounded,filled", fillcolor="#e8f0fe"',
  bridge: 'shape=box, style="rounded"',
  namespace: 'shape=box, style="rounded,filled", fillcolor="#fff4d6"',
  link: 'shape=box, style="rounded,dashed"',
  'end-ok': 'shape=box, style="rounded,filled,bold", fillcolor="#d9f2d9"',
  'end-stop': 'shape=box, style="rounded,filled,bold", fillcolor="#f8d0d0", color="#b00020"',
};

export function traceDot(t: Trace, labels: Labels): string {
  const g = traceGraph(t, labels);
  const node = (n: GraphNode, indent: string) => `${indent}${n.id} [label=${quote(n.lines)}, ${STYLE[n.kind]}];`;
  const out = [
    'digraph trace {',
    `  label=${quote([g.title], '')}; labelloc=t; rankdir=LR; fontname="Helvetica";`,
    '  node [fontname="Helvetica", fontsize=10]; edge [fontname="Helvetica", fontsize=9];',
  ];
  g.hosts.forEach((host, i) => {
    out.push(`  subgraph cluster_${i} {`, `    label=${quote([host], '')}; style="rounded"; color="#888888";`);
    for (const n of g.nodes.filter((x) => x.host === host)) out.push(node(n, '    '));
    out.push('  }');
  });
  for (const n of g.nodes.filter((x) => x.host === null)) out.push(node(n, '  '));
  for (const e of g.edges) out.push(`  ${e.from} -> ${e.to}${e.label ? ` [label=${quote([e.label], '')}]` : ''};`);
  out.push('}');
  return out.join('\n');
}
