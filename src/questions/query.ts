// The `query` question (docs/cli.md, netproof query): is there ANY packet from one endpoint to another with the given
// fields? Unset fields are free. Endpoints are those of `trace` or the property language's sets
// (`project:`, `network:`, a CIDR, `external[:NETWORK]`): then any sender of the one, any destination of the other. Reachable answers carry the solver's witness replayed through the
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
import { arrivalNetwork, checkVia, resolveEndpoint, type OutsideStation } from './endpoints.ts';
import { destsOf } from './destinations.ts';
import { resolveSet, senderEntry, type SenderEntry } from './user-properties/endpoints.ts';
import { inPrefix } from '../net/ipv4.ts';
import { packetFieldsError, protoNumber, type PacketFields, type ProtoArg } from './packet.ts';
import { traceBetween } from './trace.ts';
import { findPacket, traceHits, type Dest, type FieldConstraint } from './reach-set.ts';
import { roundTrip } from './bidirectional.ts';
import { contradiction, traceCopies } from './guard.ts';
import { representativeAddress } from './canonical-witness.ts';

/** The address a representative packet to a destination is sent to (one definition, shared with the witness's canonical fields). */
export { representativeAddress };

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
  /** When `to` is a VIP: the port (`VM:N`) that holds it in this question (src/questions/vip.ts). */
  readonly holder?: string;
}

export type { Sender } from './destinations.ts';
export { destsOf, groupOf } from './destinations.ts';

export interface QueryPlan {
  /** Who may send: one entry per sending station (one for a VM, VM:N or IP; several for a set endpoint). */
  readonly senders: readonly SenderEntry[];
  /** Where the packet may end to count as there (several for a set, or an address some VMs forward for). */
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

/** A set endpoint (a project, a network, a prefix, the outside world) rather than one port or address. */
export function isSetEndpoint(text: string): boolean {
  return /^(project|network|external):/.test(text) || text === 'external' || /^[0-9.]+\/\d+$/.test(text);
}

/** Senders and destinations of `--from`/`--to`: a point endpoint as `trace` resolves it, or a set; `--via` checked once. */
function endsOf(topo: Topology, dp: Dataplane, p: QueryParams): Result<{ senders: SenderEntry[]; dests: Dest[]; dstIp: Ipv4 }> {
  const viaError = checkVia(topo, dp, p.via);
  if (viaError !== null) return { ok: false, errors: [viaError] };
  const senders = sendersOf(topo, dp, p.from, p.via, p.via === null ? preferredArrival(topo, dp, p.to) : null);
  const to = destinationsOf(topo, dp, p.to, p.via, p.holder);
  const errors = [senders, to].filter((x): x is InputError => 'code' in x);
  if ('code' in senders || 'code' in to) return { ok: false, errors };
  return { ok: true, value: { senders, ...to } };
}

/** Without `--via`, the network an outside sender reaches a point `--to` through (`arrivalNetwork`). */
function preferredArrival(topo: Topology, dp: Dataplane, to: string): string | null {
  if (isSetEndpoint(to)) return null;
  const r = resolveEndpoint(topo, dp, to, '--to', null);
  return r.ok ? arrivalNetwork(topo, dp, r.endpoint) : null;
}

function sendersOf(topo: Topology, dp: Dataplane, text: string, via: string | null, prefer: string | null): SenderEntry[] | InputError {
  if (isSetEndpoint(text)) {
    const r = resolveSet(topo, dp, text, 'from');
    return r.ok ? [...r.set.senders] : notFound(topo, '--from', `${text}: ${r.message}`);
  }
  const r = resolveEndpoint(topo, dp, text, '--from', via, prefer);
  if (!r.ok) return r.error;
  const ep = r.endpoint;
  if (ep.kind === 'address') return notFound(topo, '--from', `${text} is not a sender: give a VM port, a project, a network, a prefix or an address outside the cloud`);
  if (ep.kind === 'outside' && via === null && !inPrefix(ep.ip, ep.station.cidr.ip, ep.station.cidr.prefixLen)) {
    // An address out on the internet may arrive through any external network's upstream router (docs/cli.md:
    // `--via` defaults to any): one sender per network, the one the destination is reached through first.
    const others = dp.stations.filter((s): s is OutsideStation => s.kind === 'outside' && s !== ep.station);
    return [ep.station, ...others].map((station) => senderEntry(topo, { kind: 'outside', station, ip: ep.ip }));
  }
  return [senderEntry(topo, ep)];
}

function destinationsOf(topo: Topology, dp: Dataplane, text: string, via: string | null, holder?: string): { dests: Dest[]; dstIp: Ipv4 } | InputError {
  if (isSetEndpoint(text)) {
    const r = resolveSet(topo, dp, text, 'to');
    return r.ok ? { dests: [...r.set.dests], dstIp: representativeAddress(r.set.dests[0]!) } : notFound(topo, '--to', `${text}: ${r.message}`);
  }
  const r = resolveEndpoint(topo, dp, text, '--to', via);
  if (!r.ok) return r.error;
  const dests = destsOf(topo, dp, r.endpoint, '--to', holder);
  return 'code' in dests ? dests : { dests, dstIp: r.endpoint.ip };
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
  const ends = endsOf(topo, dp, p);
  if (!ends.ok) return ends;
  const { senders, dests, dstIp } = ends.value;
  // A reply is sent by a station (a VM port or the outside world); namespaces and bare prefixes send none here.
  if (p.bidirectional && dests.some((d) => d.kind === 'namespace' || d.kind === 'prefix')) {
    return { ok: false, errors: [{ code: 'NP601', file: topo.file, position: null, path: '--bidirectional', message: `--bidirectional needs VM ports or the outside world as --to (a namespace or a bare prefix sends no replies here)` }] };
  }
  return { ok: true, value: { senders, dests, dstIp, fields: fieldsOf(p) } };
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
  const f = await findPacket(dp, ev, plan.senders.map((s) => s.group), plan.dests, plan.fields, timeoutMs);
  // Unreachable from a set: the representative packet is the first sender's, to the first destination.
  const representative = () => traceBetween(topo, ev, plan.senders[0]!.rep, plan.dstIp, representativeFields(p));
  if (f.verdict !== 'reachable' || f.witness === null || f.trace === null) {
    const base = { plan, verdict: f.verdict, trace: f.trace ?? representative(), reply: null, reason: f.reason };
    return { ...base, failed: f.verdict === 'unreachable' ? 'request' : null, ...(f.error ? { error: f.error } : {}) };
  }
  if (!p.bidirectional) return { plan, verdict: 'reachable', trace: f.trace, reply: null, failed: null, reason: f.reason };
  // The reply comes from where the witness got to, back to the sender that sent it.
  const reached = plan.dests.find((d) => traceHits(f.trace!, d)) ?? plan.dests[0]!;
  const sender = plan.senders.find((s) => s.group.sources.some((x) => x.station === f.source)) ?? plan.senders[0]!;
  const r = await roundTrip(topo, dp, ev, sender.rep, sender.group, reached, plan.fields, f.witness, timeoutMs);
  if (r.ok) return { plan, verdict: 'reachable', trace: r.check.request, reply: r.check.reply, failed: null, reason: `${f.reason}; ${r.check.reason}` };
  return { plan, verdict: 'unknown', trace: r.first.request, reply: r.first.reply, failed: 'reply', reason: r.reason };
}
