// `--format json` of `trace` and `query`: exactly the contract of docs/json.md (fields may be added).
import type { Delivery, DropPoint, Hop, Trace } from '../evaluate/trace.ts';
import { explainHop } from './explain.ts';
import type { Labels } from './labels.ts';
import { originText, packetJson, type PacketJson } from './packet-json.ts';

export interface TraceJson {
  disposition: Trace['disposition'];
  delivered_to: Record<string, string | number> | null;
  dropped_at: { host: string; device: string; rule: string; origin: string | null } | null;
  packet: PacketJson;
  final: PacketJson;
  hops: HopJson[];
  branches: TraceJson[];
  uncertain: readonly string[];
}

interface HopJson {
  host: string;
  device: string;
  kind: string;
  in_port: string | null;
  out_port: string | null;
  in: PacketJson;
  out: PacketJson | null;
  steps: { where: string; rule: string; action: string; origin: string | null }[];
  explain: string;
}

export function deliveryJson(d: Delivery | null): Record<string, string | number> | null {
  if (d === null) return null;
  switch (d.kind) {
    case 'vm':
      return { vm: d.vm, port: d.port, host: d.host };
    case 'namespace':
      return { namespace: d.namespace, host: d.host };
    case 'external':
      return { external: d.network };
  }
}

function dropJson(d: DropPoint | null): TraceJson['dropped_at'] {
  return d === null ? null : { host: d.host, device: d.device, rule: d.rule, origin: originText(d.origin) };
}

/**
 * A trace's branches carry the path they share with the main one as the same hop objects (walk.ts): each
 * such hop's sentence is made once per answer (explainHop reads nothing but the hop and the labels). A
 * flood on a physical network reaching every network node's br-ex made a branch per node, each
 * explaining the whole path again.
 */
function explained(h: Hop, labels: Labels, made: Map<Hop, string>): string {
  let text = made.get(h);
  if (text === undefined) {
    text = explainHop(h, labels);
    made.set(h, text);
  }
  return text;
}

export function traceJson(t: Trace, labels: Labels, made: Map<Hop, string> = new Map()): TraceJson {
  return {
    disposition: t.disposition,
    delivered_to: deliveryJson(t.deliveredTo),
    dropped_at: dropJson(t.droppedAt),
    packet: packetJson(t.packet),
    final: packetJson(t.final),
    hops: t.hops.map((h) => ({
      host: h.host,
      device: h.device,
      kind: h.deviceKind,
      in_port: h.inPort,
      out_port: h.outPort,
      in: packetJson(h.in),
      out: h.out === null ? null : packetJson(h.out),
      steps: h.steps.map((s) => ({ where: s.where, rule: s.rule, action: s.action, origin: originText(s.origin) })),
      explain: explained(h, labels, made),
    })),
    branches: t.branches.map((b) => traceJson(b, labels, made)),
    uncertain: t.uncertain,
  };
}
