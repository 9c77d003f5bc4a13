// A trace as a graph, for the pictures of a path: a node per hop (a device visit, grouped by host), an
// edge per move from one device to the next, and a last node saying how it ended. The DOT and Mermaid
// printers (`trace --format dot|mermaid`) and the HTML report draw from this one model.
import type { Hop, Trace } from '../evaluate/trace.ts';
import type { Packet } from '../ir/packet.ts';
import { deviceWords, eventPhrases } from './explain.ts';
import type { Labels } from './labels.ts';
import { outcome, packetSummary } from './trace-text.ts';

export type NodeKind = 'endpoint' | 'bridge' | 'namespace' | 'link' | 'end-ok' | 'end-stop';

export interface GraphNode {
  readonly id: string;
  /** The host the device is on (`outside` for the world beyond an external network), null for the last node. */
  readonly host: string | null;
  readonly kind: NodeKind;
  /** Lines of text: the step's number and device, then what happened there. */
  readonly lines: readonly string[];
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** The port it left by, when there is one. */
  readonly label: string;
}

export interface TraceGraph {
  /** The packet as sent, in one line. */
  readonly title: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Hosts in the order the path first reaches them. */
  readonly hosts: readonly string[];
}

const FIELDS = ['eth_src', 'eth_dst', 'vlan', 'tun_id', 'ip_src', 'ip_dst', 'sport', 'dport'] as const;

/** What a device changed in the packet: `vlan – → 1`, `ip_dst 203.0.113.101 → 192.168.2.14`. */
export function packetDelta(a: Packet, b: Packet): string[] {
  const show = (v: string | number | null) => (v === null ? '–' : String(v));
  return FIELDS.filter((f) => a[f] !== b[f]).map((f) => `${f} ${show(a[f])} → ${show(b[f])}`);
}

function kindOf(h: Hop): NodeKind {
  switch (h.deviceKind) {
    case 'vm':
    case 'outside':
      return 'endpoint';
    case 'linux-bridge':
    case 'ovs-bridge':
      return 'bridge';
    case 'namespace':
      return 'namespace';
    case 'wire':
    case 'underlay':
      return 'link';
  }
}

/** The id of the last node (how the packet ended); `end` would be a keyword in Mermaid. */
export const RESULT = 'result';

/** The first line of a hop's node: its number is added by the caller. */
function headOf(h: Hop, labels: Labels): string {
  switch (h.deviceKind) {
    case 'vm':
      return `VM ${h.device.replace(/^vm:/, '')}`;
    case 'wire':
      return `physical network ${h.device.replace(/^physnet:/, '')}${h.in.vlan !== null ? ` (VLAN ${h.in.vlan})` : ' (untagged)'}`;
    case 'underlay':
      return `underlay ${h.host} → ${h.outPort?.split('/')[0] ?? '?'}`;
    default:
      return deviceWords(h, labels);
  }
}

/** What an edge says: the port the packet left a device by (a VM's NIC by its index). */
function leftBy(h: Hop): string {
  if (h.outPort === null) return '';
  return h.deviceKind === 'vm' ? `port ${h.outPort}` : h.outPort;
}

export function traceGraph(t: Trace, labels: Labels): TraceGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const hosts: string[] = [];
  t.hops.forEach((h, i) => {
    if (!hosts.includes(h.host)) hosts.push(h.host);
    const head = headOf(h, labels);
    const delta = h.out === null ? [] : packetDelta(h.in, h.out);
    nodes.push({ id: `h${i + 1}`, host: h.host, kind: kindOf(h), lines: [`${i + 1}. ${head}`, ...eventPhrases(h, labels), ...delta] });
    if (i > 0) edges.push({ from: `h${i}`, to: `h${i + 1}`, label: leftBy(t.hops[i - 1]!) });
  });
  const ok = t.disposition === 'delivered' || t.disposition === 'exited';
  const [first = '', ...rest] = outcome(t).split('\n').map((l) => l.trim());
  nodes.push({ id: RESULT, host: null, kind: ok ? 'end-ok' : 'end-stop', lines: [first, ...rest] });
  if (t.hops.length > 0) edges.push({ from: `h${t.hops.length}`, to: RESULT, label: leftBy(t.hops.at(-1)!) });
  return { title: packetSummary(t.packet), nodes, edges, hosts };
}
