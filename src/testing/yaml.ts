// A topology file as YAML a person reads at a glance, in the style of topologies/seed.yaml: small
// objects (a host, a subnet, a rule, a port) on one line in flow style, the sections in block style.
// Guarantees: `loadTopologyText(topologyYaml(f))` reads back exactly `f`.
import { Document, isMap, isScalar, isSeq, visit, type Node } from 'yaml';
import type { TopologyFile } from '../topology/schema.ts';

/** A collection holding only scalars, or small collections of scalars: short enough for one line. */
function small(node: Node, depth = 0): boolean {
  if (isScalar(node)) return true;
  if (depth > 1) return false;
  if (isMap(node)) return node.items.every((p) => isScalar(p.key) && p.value !== null && small(p.value as Node, depth + 1));
  if (isSeq(node)) return node.items.every((x) => small(x as Node, depth + 1));
  return false;
}

/** `f` as YAML; `header` lines become a leading comment. */
export function topologyYaml(f: TopologyFile, header: readonly string[] = []): string {
  const doc = new Document(f);
  visit(doc, {
    Map(_key, node) {
      if (small(node) && node.items.length > 0 && node.items.length <= 8) node.flow = true;
    },
    Seq(_key, node) {
      if (small(node) && node.items.length > 0 && node.items.every((x) => isScalar(x))) node.flow = true;
    },
  });
  const text = doc.toString({ lineWidth: 0, flowCollectionPadding: true });
  return header.length === 0 ? text : `${header.map((l) => `# ${l}`).join('\n')}\n${text}`;
}
