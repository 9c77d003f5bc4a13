// The `trace` question: follow one concrete packet from one endpoint to another. The source's first
// hop is resolved as the sender would: ARP for the destination on its own subnet, else for its
// gateway (a VM) or for the router that owns the destination (the outside world's upstream router).
import type { Dataplane } from '../ir/dataplane.ts';
import type { Ipv4, Packet } from '../ir/packet.ts';
import type { Topology } from '../topology/model.ts';
import type { Result } from '../errors.ts';
import type { Trace } from '../evaluate/trace.ts';
import type { Evaluator } from '../evaluate/index.ts';
import { resolveFromTo, type Endpoint } from './endpoints.ts';
import { firstPacket, packetFieldsError, type PacketFields } from './packet.ts';
import { inPrefix } from '../net/ipv4.ts';

export interface TraceParams extends PacketFields {
  readonly from: string;
  readonly to: string;
  readonly via: string | null;
}

export interface TraceAnswer {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly trace: Trace;
}

export function traceQuestion(topo: Topology, dp: Dataplane, ev: Evaluator, p: TraceParams): Result<TraceAnswer> {
  const impossible = packetFieldsError(topo, p);
  if (impossible !== null) return { ok: false, errors: [impossible] };
  const ends = resolveFromTo(topo, dp, p.from, p.to, p.via);
  if (!ends.ok) return ends;
  const { from, to } = ends.value;
  if (from.kind === 'address') {
    return {
      ok: false,
      errors: [{ code: 'NP405', file: topo.file, position: null, path: '--from', message: `${p.from} is not a sender: give a VM port or an address outside the cloud` }],
    };
  }
  return { ok: true, value: { from, to, trace: traceBetween(topo, ev, from, to.ip, p) } };
}

/** The next hop a sender ARPs for, or null when it has no route. */
export function nextHopOf(from: Sender, dst: Ipv4): Ipv4 | null {
  if (from.kind === 'port') {
    const s = from.station;
    return inPrefix(dst, s.ip, s.prefixLen) ? dst : s.gateway;
  }
  const o = from.station;
  if (inPrefix(dst, o.cidr.ip, o.cidr.prefixLen)) return dst;
  // The upstream router's first route into the cloud that holds the destination (the station's routes:
  // src/dataplane/outside.ts; the solver's sender model offers each, src/smt/sources.ts).
  return (o.routes ?? []).find((r) => inPrefix(dst, r.dst.ip, r.dst.prefixLen))?.via ?? null;
}

export type Sender = Exclude<Endpoint, { kind: 'address' }>;

/**
 * The first packet of a flow as the sender puts it on the wire: its first hop resolved by ARP
 * through the dataplane. When there is no route or no ARP answer, the trace that says so instead.
 */
export function firstPacketOf(topo: Topology, ev: Evaluator, from: Sender, dst: Ipv4, fields: PacketFields): { packet: Packet } | { stopped: Trace } {
  const station = from.station;
  const vlan = station.kind === 'outside' ? station.vlan : null;
  const hop = nextHopOf(from, dst);
  const intended = (ethDst: string): Packet => firstPacket(fields, { src: station.mac, dst: ethDst, vlan }, { src: from.ip, dst });
  if (hop === null) return { stopped: stoppedAtSource(intended('00:00:00:00:00:00'), 'no-route') };
  const arp = ev.resolveArp(station, hop);
  // The ARP request's own trace shows where the dataplane stopped it.
  if (arp.mac === null) return { stopped: { ...arp.trace, disposition: 'no-arp', packet: intended('00:00:00:00:00:00'), deliveredTo: null } };
  return { packet: intended(arp.mac) };
}

/** Builds the first packet (ARP-resolving its first hop) and follows it; `outcomeOnly`: how it ends, no hops. */
export function traceBetween(topo: Topology, ev: Evaluator, from: Sender, dst: Ipv4, fields: PacketFields, opts?: { readonly outcomeOnly?: boolean }): Trace {
  const first = firstPacketOf(topo, ev, from, dst, fields);
  return 'stopped' in first ? first.stopped : ev.trace(from.station, first.packet, opts);
}

function stoppedAtSource(packet: Packet, disposition: 'no-route'): Trace {
  return { disposition, deliveredTo: null, droppedAt: null, packet, final: packet, hops: [], branches: [], uncertain: [] };
}
