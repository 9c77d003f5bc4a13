// A trace laid onto the picture of the cloud: for each hop, the element it is drawn on (a device's
// node; the tunnel edge for a hop through the underlay) and the edge it arrived by, with the step's
// text from the same trace graph the DOT and Mermaid printers draw (trace-graph.ts), and the hop whose
// rule decided the packet's fate (decisive.ts). The copies the dataplane made of the packet (a flood,
// a broadcast: the trace's branches) are drawn too, apart from the path: the elements they crossed.
import type { Hop, Trace } from '../../evaluate/trace.ts';
import { decidingRule } from '../decisive.ts';
import { originText } from '../packet-json.ts';
import type { Labels } from '../labels.ts';
import { traceGraph } from '../trace-graph.ts';
import { deviceKey, outsideKey, physnetKey, type CloudEdge, type CloudGraph } from './cloud-graph.ts';

export interface PathHop {
  /** 1-based, as the text trace numbers its steps. */
  readonly n: number;
  /** The picture element the hop is drawn on (a node's or the tunnel edge's key), or null when none is. */
  readonly key: string | null;
  /** The edge it came over from the previous hop, or null. */
  readonly via: string | null;
  readonly lines: readonly string[];
  /** Set on the hop whose rule decided the packet's fate: the rule and where it came from. */
  readonly decisive: string | null;
}

export interface PicturePath {
  /** The packet as sent, in one line. */
  readonly title: string;
  readonly hops: readonly PathHop[];
  /** How it ended: the trace graph's last node. */
  readonly outcome: readonly string[];
  readonly ok: boolean;
  /** The copies: how many, and the elements (nodes, tunnels, edges) they crossed that the path did not. */
  readonly copies: { readonly count: number; readonly keys: readonly string[] };
}

/** The node a hop's device is drawn as; null for the underlay (an edge, found by its ports). */
export function hopNode(h: Hop): string | null {
  switch (h.deviceKind) {
    case 'vm':
    case 'linux-bridge':
    case 'ovs-bridge':
    case 'namespace':
      return deviceKey(h.host, h.device);
    case 'outside':
      return outsideKey(h.device);
    case 'wire':
      return physnetKey(h.device.replace(/^physnet:/, ''));
    case 'underlay':
      return null;
  }
}

function touches(e: CloudEdge, node: string, port: string | null): boolean {
  return (e.from === node && (port === null || e.fromPort === port)) || (e.to === node && (port === null || e.toPort === port));
}

/** The edge between two nodes, the one with these ports when there are several. */
function edgeBetween(g: CloudGraph, a: string, aPort: string | null, b: string, bPort: string | null): string | null {
  const between = g.edges.filter((e) => (e.from === a && e.to === b) || (e.from === b && e.to === a));
  return (between.find((e) => touches(e, a, aPort) && touches(e, b, bPort)) ?? between[0])?.key ?? null;
}

/** The tunnel edge a hop through the underlay crossed: out of `host`'s port `inPort` to `HOST/BRIDGE/PORT`. */
function tunnelOf(g: CloudGraph, h: Hop): string | null {
  const [farHost, farBridge, farPort] = (h.outPort ?? '').split('/');
  const far = farHost && farBridge ? deviceKey(farHost, farBridge) : null;
  const near = `n:${h.host}/`;
  const e = g.edges.find((x) => x.kind === 'tunnel' && (
    (x.from.startsWith(near) && x.fromPort === h.inPort && x.to === far && x.toPort === farPort) ||
    (x.to.startsWith(near) && x.toPort === h.inPort && x.from === far && x.fromPort === farPort)));
  return e?.key ?? null;
}

/** The element each hop of `t` is drawn on, and the edge it came over. */
function drawnHops(t: Trace, g: CloudGraph, nodes: ReadonlySet<string>): { key: string | null; via: string | null }[] {
  const keys = t.hops.map((h) => {
    const k = hopNode(h);
    if (k !== null) return nodes.has(k) ? k : null;
    return tunnelOf(g, h);
  });
  return t.hops.map((h, i) => {
    const prev = i > 0 ? t.hops[i - 1]! : null;
    const [a, b] = [i > 0 ? keys[i - 1]! : null, keys[i]!];
    // An underlay hop is itself an edge: the moves into and out of it are the tunnel's ends.
    const via = prev === null || a === null || b === null || prev.deviceKind === 'underlay' || h.deviceKind === 'underlay'
      ? null : edgeBetween(g, a, prev.outPort, b, h.inPort);
    return { key: b, via };
  });
}

/** Every copy of a trace other than the main path (each branch lists its own hops from the sender). */
function copiesOf(t: Trace): Trace[] {
  return t.branches.flatMap((b) => [b, ...copiesOf(b)]);
}

export function picturePath(t: Trace, g: CloudGraph, labels: Labels): PicturePath {
  const tg = traceGraph(t, labels);
  const decision = decidingRule(t);
  const nodes = new Set(g.nodes.map((n) => n.key));
  const drawn = drawnHops(t, g, nodes);
  const hops = drawn.map(({ key, via }, i): PathHop => {
    const decisive = decision !== null && decision.hop === i ? `${decision.rule} (${originText(decision.origin)})` : null;
    return { n: i + 1, key, via, lines: tg.nodes[i]!.lines, decisive };
  });
  const onPath = new Set(drawn.flatMap((d) => [d.key, d.via]));
  const copies = copiesOf(t);
  const copyKeys = new Set<string>();
  for (const c of copies) for (const d of drawnHops(c, g, nodes)) for (const k of [d.key, d.via]) if (k !== null && !onPath.has(k)) copyKeys.add(k);
  const last = tg.nodes.at(-1)!;
  return { title: tg.title, hops, outcome: last.lines, ok: last.kind === 'end-ok', copies: { count: copies.length, keys: [...copyKeys] } };
}
