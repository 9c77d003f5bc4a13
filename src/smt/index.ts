// The public surface of netproof's symbolic back end: questions over ALL packets a source may send,
// answered with Z3 over the dataplane IR (the symbolic counterpart of src/evaluate/).
//
// - `reach`   — can some packet from the sources get to the target? A verdict and a witness packet.
// - `exists`  — is there a packet whose final state (per end of its path) satisfies a predicate?
//               (properties: "some packet exits with a source outside {fip, snat ip}").
// - `explore` — the raw material: every end of every path, with its symbolic final packet and path
//               condition, for questions the two above do not cover.
//
// Guarantees: `unknown` is returned (never `unreachable`/no) when the solver times out (Z3's own
// `timeout`), when a path crossing something netproof does not model could satisfy the question, or
// when a path exceeds the depth bound. Witnesses are decoded with preferences (TCP, a well-known port,
// the sender's subnet) and replayable by the evaluator. Call `shutdownZ3()` when done.
import type { Dataplane, Station } from '../ir/dataplane.ts';
import type { Packet } from '../ir/packet.ts';
import type { Cidr } from '../ir/openflow.ts';
import type { ConvergedState } from '../semantics/converged.ts';
import type { Delivery } from '../semantics/delivery.ts';
import { getZ3 } from './z3.ts';
import type { Cond, Enc } from './cond.ts';
import type { SymPacket } from './headers.ts';
import { ipToNum, macToNum } from './headers.ts';
import type { End, EndDisposition } from './path.ts';
import { pathCond } from './path.ts';
import { mergeEnds } from './merge.ts';
import type { SourceSpec } from './sources.ts';
import { senderStarts, sentGuard, walkerFor, type WalkScope } from './starts.ts';
import { checkSat } from './solve.ts';
import { defaultPreferences, holds, witnessAmong, witnessShortcuts, type FixedFields } from './witness.ts';

export { CHECK_CHANNEL, getZ3, perInstance, renewZ3IfOver, setZ3RenewalLimit, shutdownZ3, z3AllocatedBytes, z3Generation } from './z3.ts';
export { dhcpClientRequest, ownAddresses, type AddressPair, type SourceSpec } from './sources.ts';
export type { SymPacket } from './headers.ts';
export type { Cond, Val } from './cond.ts';
export { Enc } from './cond.ts';
export { checkSat, satIndices, unsatIndices, type Check } from './solve.ts';
export { anyOf, type Conjunction } from './factor.ts';
export { decodeWitness, defaultPreferences, holds, witnessAmong, witnessShortcuts, type FixedFields, type Preference, type WitnessHit } from './witness.ts';
export type { End, EndDisposition } from './path.ts';
export { telling } from './path.ts';

/** Constraints on the packet as sent; absent fields are free. */
export interface SentConstraint {
  /** IP protocol number (6 tcp, 17 udp, 1 icmp). */
  readonly proto?: number;
  readonly sport?: number | readonly [number, number];
  readonly dport?: number | readonly [number, number];
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** The destination lies in one of these prefixes. */
  readonly ipDst?: readonly Cidr[];
  readonly ipSrc?: readonly Cidr[];
  /** The whole packet fixed (a trace replayed symbolically). */
  readonly packet?: Packet;
}

/** Where a packet must end for a `reach` question. */
export type Target =
  | { readonly kind: 'station'; readonly station: Station }
  | { readonly kind: 'namespace'; readonly host: string; readonly namespace: string }
  /** Leaves the cloud to an external network's outside world (any when `network` is absent). */
  | { readonly kind: 'external'; readonly network?: string }
  /** Delivered anywhere or exited. */
  | { readonly kind: 'any' };

export interface QueryOptions {
  /** Z3's timeout per check, in milliseconds (default 10 000). Hitting it gives `unknown`. */
  readonly timeoutMs?: number;
  /** The evaluator's converged learning state (MAC tables, learned flows). */
  readonly converged?: ConvergedState;
  /** Device visits per path before it is `unknown` (default MAX_DEVICE_VISITS, src/semantics/limits.ts). */
  readonly maxHops?: number;
  /** A destination address the witness should have when it can (tried before the default preferences). */
  readonly preferDst?: number;
}

export type Verdict = 'reachable' | 'unreachable' | 'unknown';

export interface ReachResult {
  readonly verdict: Verdict;
  /** A packet as sent that reaches the target (reachable only). */
  readonly witness: Packet | null;
  /** The station that sends the witness. */
  readonly source: Station | null;
  /** How the verdict was reached, in words (the unknown's cause, the end's place). */
  readonly reason: string;
}

/** One end of one path of a source's packets, symbolic. */
export interface SymOutcome {
  readonly source: SourceSpec;
  /** The packet as sent (its variables). */
  readonly sent: SymPacket;
  readonly end: End;
  /** The final packet (after NAT, VLAN and tunnel changes). */
  readonly final: SymPacket;
  /** Sender, sent-constraint and path conditions together. */
  readonly cond: Cond;
}

export interface Exploration {
  readonly enc: Enc;
  readonly outcomes: readonly SymOutcome[];
  /**
   * How many of the sources' packet cases were followed from the sender (a next hop resolved or not):
   * 0 when no packet within what was asked leaves any source, and every "no such end" over it is empty.
   */
  readonly followed: number;
}

/** Normalises `Station[]` to source specs (VM ports with port security on). */
export function asSources(sources: readonly (Station | SourceSpec)[]): SourceSpec[] {
  return sources.map((s) => ('station' in s ? s : { station: s }));
}

export interface ExploreOptions extends WalkScope {
  /** Only the ends this accepts are kept in the outcomes (the walk itself is the same). It must decide by
   * what `endKey` reads (kind, disposition, place, delivery), never by the packet or the path condition. */
  readonly keep?: (end: End) => boolean;
}

/**
 * Explores every path of the packets each source may send (within `sent`), without calling the solver.
 * Variables of source i are named `s<i>.<field>`.
 */
export async function explore(dp: Dataplane, sources: readonly (Station | SourceSpec)[], sent: SentConstraint = {}, opts: QueryOptions & ExploreOptions = {}): Promise<Exploration> {
  const ctx = await getZ3();
  const w = walkerFor(ctx, dp, opts);
  const e = w.e;
  const outcomes: SymOutcome[] = [];
  let followed = 0;
  asSources(sources).forEach((src, i) => {
    const { sent: p, starts, unresolved } = senderStarts(w, src, `s${i}`, sent);
    followed += starts.length + unresolved.length;
    const ends: End[] = [...unresolved];
    // One by one: a source's ends may be many (a spread into `push` passes each on the stack).
    for (const start of starts) for (const end of w.fromStation(src.station, start)) ends.push(end);
    // The path condition as one term is built when first asked for: most ends are ruled out by a
    // question's predicate alone, and a term per end is a Z3 call per end.
    // Kept first, then merged: `keep` reads what makes ends mergeable (their kind, disposition and
    // place), so the order does not change the result, and ends not kept are never merged.
    const kept = opts.keep === undefined ? ends : ends.filter(opts.keep);
    for (const end of mergeEnds(e, kept)) {
      let cond: Cond | null = null;
      outcomes.push({ source: src, sent: p, end, final: end.path.packet, get cond() { return (cond ??= pathCond(e, end.path)); } });
    }
  });
  return { enc: e, outcomes, followed };
}

function hitsTarget(end: End, t: Target): boolean {
  if (end.kind !== 'end' || end.arpOwner !== null) return false;
  const d = end.delivery;
  switch (t.kind) {
    case 'any':
      return end.disposition === 'delivered' || end.disposition === 'exited';
    case 'external':
      return end.disposition === 'exited' && d?.kind === 'external' && (t.network === undefined || d.network === t.network);
    case 'namespace':
      return end.disposition === 'delivered' && d?.kind === 'namespace' && d.host === t.host && d.namespace === t.namespace;
    case 'station': {
      const s = t.station;
      if (s.kind === 'outside') return end.disposition === 'exited' && d?.kind === 'external' && d.network === s.network;
      return end.disposition === 'delivered' && d?.kind === 'vm' && d.vm === s.vm && d.port === s.index;
    }
    default: {
      const never: never = t;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Is there a packet, among those `sources` may send within `sent`, that ends at `target`?
 * Reachable comes with a witness (as sent) and its source; unreachable is a proof over all such
 * packets; unknown when the solver timed out or an unmodelled path could reach it.
 */
export async function reach(dp: Dataplane, q: { readonly sources: readonly (Station | SourceSpec)[]; readonly sent?: SentConstraint; readonly target: Target }, opts: QueryOptions = {}): Promise<ReachResult> {
  // A person reaching a VM port addresses it by its own address (not a floating IP that leads back).
  const direct = q.target.kind === 'station' && q.target.station.kind === 'vm-port' ? ipToNum(q.target.station.ip) : null;
  return exists(dp, q.sources, q.sent ?? {}, (_e, _final, end) => hitsTarget(end, q.target), { ...opts, ...(direct !== null ? { preferDst: direct } : {}) }).then((r) => ({
    verdict: r.verdict === 'yes' ? 'reachable' : r.verdict === 'no' ? 'unreachable' : 'unknown',
    witness: r.witness,
    source: r.source,
    reason: r.reason,
  }));
}

/** The fields `sent` sets to one value in every packet it allows (its guard's pins: the same for every sender). */
function fixedBy(e: Enc, p: SymPacket, sent: SentConstraint): FixedFields {
  return Object.fromEntries(sentGuard(e, p, sent).binds.map((b) => [b.field, b.value]));
}

export interface ExistsResult {
  readonly verdict: 'yes' | 'no' | 'unknown';
  readonly witness: Packet | null;
  readonly source: Station | null;
  /** The end the witness reaches (`host/device: rule`) or the cause of unknown. */
  readonly reason: string;
  /** The witness's end, for callers that replay it. */
  readonly disposition: EndDisposition | null;
  /** Yes: where the witness's end delivers it (as the evaluator's traces say), and the witness's fields the question or a kept preference pins (every other field is free). */
  readonly delivery?: Delivery | null;
  readonly pinned?: FixedFields;
}

/**
 * Is there a packet whose path ends in a state satisfying `predicate(enc, final, end)`? The predicate
 * is called once per end (a JavaScript boolean means "every"/"no" packet of that end); e.g. for NAT
 * egress: `(e, f, end) => end.kind === 'end' && end.disposition === 'exited' ? e.not(e.or(...allowed.map(ip => e.eq(f.ip_src, ip, 32)))) : false`.
 * Unknown ends (unmodelled constructs, depth bound) count against a "no": if one is feasible the
 * verdict is unknown.
 */
export async function exists(
  dp: Dataplane,
  sources: readonly (Station | SourceSpec)[],
  sent: SentConstraint,
  predicate: (e: Enc, final: SymPacket, end: End) => Cond,
  opts: QueryOptions = {},
): Promise<ExistsResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const ctx = await getZ3();
  const { enc: e, outcomes } = await explore(dp, sources, sent, opts);
  const hits = outcomes.filter((o) => o.end.kind === 'end').flatMap((o) => {
    const p = predicate(e, o.final, o.end);
    return p === false ? [] : [{ o, c: e.and(o.cond, p), sender: o.source, sent: o.sent, pc: o.end.path.pc, last: p }];
  }).filter((x) => x.c !== false);
  // One check over every end at once; the model then says which end it took. The values the kernel
  // draws at random (--random-fully ports) are asked at the values a replay gives them in the same
  // check: the witness needs them there (decodeWitness), and asked apart they cost a check of their own
  // on nearly every question that crosses such a rule. Only when that fails is the question asked
  // without them, to tell "no packet" from "packets that depend on the draw".
  const any = e.or(...hits.map((h) => h.c));
  const replayed = witnessShortcuts.replayInFirstCheck ? e.choicesAsReplayed() : true;
  let r = await checkSat(ctx, e, replayed === true ? any : e.and(any, replayed), timeoutMs);
  if (r.status !== 'sat' && replayed !== true) r = await checkSat(ctx, e, any, timeoutMs);
  if (r.status === 'unknown') return { verdict: 'unknown', witness: null, source: null, reason: r.reason, disposition: null };
  if (r.status === 'sat') {
    // The source the model took; preferences then range over every end of that source at once, so
    // a more natural packet to another end (the target's own address rather than a floating IP
    // leading back to it) is preferred, and the refined model says which end it takes.
    const { packet: witness, hit, reliesOnRandom, pinned } = await witnessAmong(e, r.solver, r.model, hits, (first) => {
      const st = first.o.source.station;
      const subnet = st.kind === 'vm-port' ? { ip: ipToNum(st.ip), prefixLen: st.prefixLen, mac: macToNum(st.mac) } : null;
      return [
        ...(opts.preferDst !== undefined ? [{ name: 'the target\'s own address', cond: e.eq(first.sent.ip_dst, opts.preferDst, 32) }] : []),
        ...defaultPreferences(e, first.sent, subnet),
      ];
    }, fixedBy(e, hits[0]!.sent, sent));
    if (reliesOnRandom) {
      return { verdict: 'unknown', witness: null, source: null, reason: 'the packets found depend on the source port --random-fully SNAT draws at random, not on the one a replay shows', disposition: null };
    }
    const end = hit.o.end;
    return { verdict: 'yes', witness, source: hit.o.source.station, reason: end.kind === 'unknown' ? end.reason : end.where, disposition: end.kind === 'end' ? end.disposition : null, delivery: end.kind === 'end' ? end.delivery : null, pinned };
  }
  // Unknown: a path not followed to its end (something not modelled, the depth bound) could be one.
  const unknowns = outcomes.filter((o) => o.end.kind === 'unknown').map((o) => ({ o, c: o.cond, why: o.end.kind === 'unknown' ? o.end.reason : '' }));
  const u = await checkSat(ctx, e, e.or(...unknowns.map((x) => x.c)), timeoutMs);
  if (u.status === 'unknown') return { verdict: 'unknown', witness: null, source: null, reason: u.reason, disposition: null };
  if (u.status === 'sat') {
    const which = unknowns.find((x) => holds(e, u.model, x.c)) ?? unknowns[0]!;
    return { verdict: 'unknown', witness: null, source: null, reason: `not modelled: ${which.why}`, disposition: null };
  }
  return { verdict: 'no', witness: null, source: null, reason: `no packet: ${outcomes.length} path ends checked`, disposition: null };
}
export { exploreDevice, type DeviceExploration, type DeviceOutcome, type DeviceStart } from './local.ts';
