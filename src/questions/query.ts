// The `query` question (docs/cli.md, netproof query): is there ANY packet from one endpoint to another with the given
// fields? Unset fields are free. Reachable answers carry the solver's witness replayed through the
// evaluator; unreachable answers carry the trace of a representative packet (built as `trace` builds
// it) showing the rule that stops it. `bidirectional` also replays the reply in the same conntrack
// session and requires it back at the sender with the original addresses (un-NATed); see
// bidirectional.ts for what a failed reply means.
// Guarantees: a reachable/unreachable verdict is never given on a solver/evaluator disagreement
// (`error` is set and the verdict is `unknown`).
import type { Dataplane } from '../ir/dataplane.ts';
import type { Ipv4 } from '../ir/packet.ts';
import type { Topology } from '../topology/model.ts';
import type { InputError, Result } from '../errors.ts';
import type { Evaluator } from '../evaluate/index.ts';
import type { Trace } from '../evaluate/trace.ts';
import { resolveFromTo, type Endpoint } from './endpoints.ts';
import { packetFieldsError, protoNumber, type PacketFields, type ProtoArg } from './packet.ts';
import { traceBetween } from './trace.ts';
import { findPacket, traceHits, type Dest, type FieldConstraint, type SourceGroup } from './reach-set.ts';
import { roundTrip } from './bidirectional.ts';
import { contradiction, traceCopies } from './guard.ts';
import { floatingIpPort, namespaceHolding, nextHopPorts, portSender } from './senders.ts';

export interface QueryParams {
  readonly from: string;
  readonly to: string;
  readonly via: string | null;
  /** Absent or `any`: the protocol is free. */
  readonly proto?: ProtoArg | 'any';
  readonly sport?: number;
  readonly dport?: number;
  readonly icmpType?: number;
  readonly bidirectional?: boolean;
}

export type Sender = Exclude<Endpoint, { kind: 'address' }>;

export interface QueryPlan {
  readonly from: Sender;
  readonly group: SourceGroup;
  /** Where the packet may end to count as there (several for an address some VMs forward for). */
  readonly dests: readonly Dest[];
  /** The address a packet is sent to (for the representative packet). */
  readonly dstIp: Ipv4;
  readonly fields: FieldConstraint;
}

export type Direction = 'request' | 'reply';

export interface QueryAnswer {
  readonly plan: QueryPlan;
  readonly verdict: 'reachable' | 'unreachable' | 'unknown';
  /** The witness's replay, or (unreachable) the representative packet's trace. */
  readonly trace: Trace;
  /** bidirectional: the reply's trace, when the request got there. */
  readonly reply: Trace | null;
  /** Which direction failed (unreachable; bidirectional `unknown` when only replies failed), or null. */
  readonly failed: Direction | null;
  readonly reason: string;
  readonly error?: string;
}

function notFound(topo: Topology, flag: string, message: string): InputError {
  return { code: 'NP405', file: topo.file, position: null, path: flag, message };
}

/**
 * Where a `--to` endpoint must be reached: a port, a floating IP's port, the outside, a namespace; an
 * address a router sends to a VM as its next hop counts as reached at that VM too.
 */
export function destsOf(topo: Topology, dp: Dataplane, ep: Endpoint, flag = '--to'): Dest[] | InputError {
  const forwarders = (ip: Ipv4): Dest[] => nextHopPorts(topo, dp, ip).map((station) => ({ kind: 'port', station, ipDst: ip, finalDst: ip }));
  switch (ep.kind) {
    case 'port':
      return [{ kind: 'port', station: ep.station, ipDst: ep.ip, finalDst: ep.station.ip }];
    case 'outside':
      return [...forwarders(ep.ip), { kind: 'external', network: ep.station.network, ipDst: [{ ip: ep.ip, prefixLen: 32 }] }];
    case 'address': {
      const fip = floatingIpPort(topo, dp, ep.ip);
      if (fip) return [{ kind: 'port', station: fip, ipDst: ep.ip, finalDst: fip.ip }];
      const ns = namespaceHolding(dp, ep.ip);
      if (ns) return [{ kind: 'namespace', host: ns.host, namespace: ns.namespace, ip: ep.ip }];
      const behind = forwarders(ep.ip);
      if (behind.length > 0) return behind;
      return notFound(topo, flag, `no port, namespace or floating IP holds ${ep.ip}, and no router sends it to a VM`);
    }
    default: {
      const never: never = ep;
      throw new Error(`unknown endpoint ${JSON.stringify(never)}`);
    }
  }
}

/** Who sends: a VM port by its own sending rules, or the outside world from that address. */
export function groupOf(topo: Topology, from: Sender): SourceGroup {
  return from.kind === 'port'
    ? { sources: [portSender(topo, from.station)] }
    : { sources: [{ station: from.station }], ipSrc: [{ ip: from.ip, prefixLen: 32 }] };
}

export function fieldsOf(p: { proto?: ProtoArg | 'any'; sport?: number | readonly [number, number]; dport?: number | readonly [number, number]; icmpType?: number }): FieldConstraint {
  return {
    ...(p.proto !== undefined && p.proto !== 'any' ? { proto: protoNumber(p.proto) } : {}),
    ...(p.sport !== undefined ? { sport: p.sport } : {}),
    ...(p.dport !== undefined ? { dport: p.dport } : {}),
    ...(p.icmpType !== undefined ? { icmpType: p.icmpType } : {}),
  };
}

/** The representative packet's fields: the query's, with `trace`'s defaults (TCP when ports are given). */
export function representativeFields(p: { proto?: ProtoArg | 'any'; sport?: number; dport?: number; icmpType?: number }): PacketFields {
  const proto: ProtoArg = p.proto !== undefined && p.proto !== 'any' ? p.proto : p.sport !== undefined || p.dport !== undefined ? 'tcp' : p.icmpType !== undefined ? 'icmp' : 'icmp';
  return { proto, ...(p.sport !== undefined ? { sport: p.sport } : {}), ...(p.dport !== undefined ? { dport: p.dport } : {}), ...(p.icmpType !== undefined ? { icmpType: p.icmpType } : {}) };
}

export function planQuery(topo: Topology, dp: Dataplane, p: QueryParams): Result<QueryPlan> {
  const impossible = packetFieldsError(topo, p);
  if (impossible !== null) return { ok: false, errors: [impossible] };
  const ends = resolveFromTo(topo, dp, p.from, p.to, p.via);
  if (!ends.ok) return ends;
  const { from, to } = ends.value;
  if (from.kind === 'address') return { ok: false, errors: [notFound(topo, '--from', `${p.from} is not a sender: give a VM port or an address outside the cloud`)] };
  const dests = destsOf(topo, dp, to);
  if ('code' in dests) return { ok: false, errors: [dests] };
  if (p.bidirectional && dests.some((d) => d.kind === 'namespace')) {
    return { ok: false, errors: [{ code: 'NP601', file: topo.file, position: null, path: '--bidirectional', message: `--bidirectional needs a VM port or an outside address as --to (a namespace sends no replies here)` }] };
  }
  return { ok: true, value: { from, group: groupOf(topo, from), dests, dstIp: to.ip, fields: fieldsOf(p) } };
}

/**
 * The answer as it may be printed: a reachable answer's trace must get there, an unreachable one's
 * must not; an answer its own trace contradicts is `unknown`, with both shown (guard.ts).
 */
function guarded(a: QueryAnswer): QueryAnswer {
  if (a.verdict === 'unknown') return a;
  const reaches = (t: Trace) => traceCopies(t).some((c) => a.plan.dests.some((d) => traceHits(c, d)));
  const to = a.plan.dstIp;
  const claim = a.verdict === 'reachable' ? { says: `gets to ${to}`, shownBy: reaches } : { says: `does not get to ${to}`, shownBy: (t: Trace) => !reaches(t) };
  const why = contradiction(a.verdict.toUpperCase(), claim, a.trace, null);
  return why === null ? a : { ...a, verdict: 'unknown', failed: null, reason: `not answered: ${a.verdict} (${a.reason}), contradicted by its own trace`, error: why };
}

export async function runQuery(topo: Topology, dp: Dataplane, ev: Evaluator, p: QueryParams, timeoutMs: number): Promise<Result<QueryAnswer>> {
  const planned = planQuery(topo, dp, p);
  if (!planned.ok) return planned;
  const a = await answer(topo, dp, ev, p, planned.value, timeoutMs);
  return { ok: true, value: guarded(a) };
}

async function answer(topo: Topology, dp: Dataplane, ev: Evaluator, p: QueryParams, plan: QueryPlan, timeoutMs: number): Promise<QueryAnswer> {
  const f = await findPacket(dp, ev, [plan.group], plan.dests, plan.fields, timeoutMs);
  const representative = () => traceBetween(topo, ev, plan.from, plan.dstIp, representativeFields(p));
  if (f.verdict !== 'reachable' || f.witness === null || f.trace === null) {
    const base = { plan, verdict: f.verdict, trace: f.trace ?? representative(), reply: null, reason: f.reason };
    return { ...base, failed: f.verdict === 'unreachable' ? 'request' : null, ...(f.error ? { error: f.error } : {}) };
  }
  if (!p.bidirectional) return { plan, verdict: 'reachable', trace: f.trace, reply: null, failed: null, reason: f.reason };
  // The reply comes from where the witness got to.
  const reached = plan.dests.find((d) => traceHits(f.trace!, d)) ?? plan.dests[0]!;
  const r = await roundTrip(topo, dp, ev, plan.from, plan.group, reached, plan.fields, f.witness, timeoutMs);
  if (r.ok) return { plan, verdict: 'reachable', trace: r.check.request, reply: r.check.reply, failed: null, reason: `${f.reason}; ${r.check.reason}` };
  return { plan, verdict: 'unknown', trace: r.first.request, reply: r.first.reply, failed: 'reply', reason: r.reason };
}

