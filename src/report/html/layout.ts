// Places the picture of the cloud (cloud-graph.ts) with ELK, the Eclipse Layout Kernel (elkjs): its
// layered algorithm lays out compound graphs — devices inside host boxes, edges between devices of
// different hosts routed across the boxes — which is what a cloud is. Runs when the report is
// generated, in Node; the page only carries the SVG it gives. Node sizes come from their text in a
// monospace font, so what ELK reserves is what the SVG draws.
import ElkModule from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { CloudGraph, CloudNode, CloudEdge } from './cloud-graph.ts';

/** Font metrics the SVG uses (svg.ts): a monospace font at this size, this many pixels per character. */
export const FONT_SIZE = 11;
export const CHAR_WIDTH = 6.7;
export const LINE_HEIGHT = 14;
export const PAD = 6;
/** Room for a host box's title above its devices. */
const HOST_HEAD = 3 * LINE_HEIGHT + PAD;

export interface Box { readonly x: number; readonly y: number; readonly width: number; readonly height: number }
export interface PlacedNode extends CloudNode { readonly box: Box }
export interface PlacedEdge extends CloudEdge { readonly points: readonly { x: number; y: number }[] }
export interface CloudLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

// elkjs is CommonJS whose module.exports is the constructor: Node's default import is that constructor,
// where TypeScript's NodeNext typing sees the module object.
const ELK = ElkModule as unknown as typeof ElkModule.default;

function sizeOf(n: CloudNode): { width: number; height: number } {
  const longest = Math.max(...n.lines.map((l) => l.length));
  return { width: Math.ceil(longest * CHAR_WIDTH + 2 * PAD), height: n.lines.length * LINE_HEIGHT + 2 * PAD };
}

/** Lays the graph out; coordinates are absolute (the top-left of the picture is 0,0). */
export async function layoutCloud(g: CloudGraph): Promise<CloudLayout> {
  const elk = new ELK();
  const children = new Map<string | null, ElkNode[]>();
  for (const n of g.nodes) {
    const list = children.get(n.parent) ?? [];
    list.push({ id: n.key, ...(n.kind === 'host' ? {} : sizeOf(n)) });
    children.set(n.parent, list);
  }
  const hostHead = { 'elk.padding': `[top=${HOST_HEAD},left=${PAD * 2},bottom=${PAD * 2},right=${PAD * 2}]` };
  const nest = (list: ElkNode[]): ElkNode[] =>
    list.map((c) => {
      const inner = children.get(c.id);
      return inner ? { ...c, children: nest(inner), layoutOptions: hostHead } : c;
    });
  const edges: ElkExtendedEdge[] = g.edges.map((e) => ({ id: e.key, sources: [e.from], targets: [e.to] }));
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      // Left to right: hosts side by side (a tunnel between two is one layer to the next), and in each
      // host its devices in the order a VM's packet crosses them (VM, qbr, br-int, br-tun).
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '28',
      'elk.spacing.nodeNode': '18',
      'elk.spacing.edgeNode': '10',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
    },
    children: nest(children.get(null) ?? []),
    edges,
  };
  const laid = await elk.layout(root);
  const boxes = new Map<string, Box>();
  const walk = (list: readonly ElkNode[] | undefined) => {
    for (const c of list ?? []) {
      boxes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
      walk(c.children);
    }
  };
  walk(laid.children);
  const routes = new Map<string, { x: number; y: number }[]>();
  const collect = (n: ElkNode) => {
    for (const e of n.edges ?? []) {
      const s = (e as ElkExtendedEdge).sections?.[0];
      if (s) routes.set(e.id, [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
    }
    for (const c of n.children ?? []) collect(c);
  };
  collect(laid);
  return {
    width: Math.ceil(laid.width ?? 0),
    height: Math.ceil(laid.height ?? 0),
    nodes: g.nodes.map((n) => ({ ...n, box: boxes.get(n.key) ?? { x: 0, y: 0, width: 0, height: 0 } })),
    edges: g.edges.map((e) => ({ ...e, points: routes.get(e.key) ?? [] })),
  };
}
