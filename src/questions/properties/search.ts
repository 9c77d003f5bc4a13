// The symbolic search the solver-backed properties share: explorations per (sender, sent constraint)
// reused within one property's check while they are recent, and a
// "some packet whose end satisfies P?" check over it with the same meaning as the SMT core's
// `exists` (unfinished ends count against a "no"). Witnesses are decoded with
// preferences (TCP, a well-known port, the sender's subnet) and replayed through the evaluator: a
// disagreement becomes `unknown` with an error, never a verdict. A port-secured sender is explored with
// its own packets and DHCP client requests only where its anti-spoofing is proved (spoof-proof.ts),
// else with every source.
// Why not `exists` directly: it re-explores the sender's paths on every call, and one property may ask
// about the same sender twice (a batch's follow-up search, ingress after egress); this keeps the recent
// explorations of a check (speed at scale: bench/README.md).
import type { Station } from '../../ir/dataplane.ts';
import type { Packet } from '../../ir/packet.ts';
import { traceCopies } from '../guard.ts';
import type { Trace } from '../../evaluate/trace.ts';
import { telling, anyOf, checkSat, defaultPreferences, explore, getZ3, holds, unsatIndices, witnessAmong, type Cond, type Conjunction, type Enc, type End, type SentConstraint, type SourceSpec, type SymPacket } from '../../smt/index.ts';
import type { VerifyContext } from '../property.ts';
import { disagreementText, replayWitness } from '../witness-replay.ts';
import { checkedSources, proveSenders } from '../spoof-proof.ts';
import { firstSatisfiable } from '../../smt/first-sat.ts';
import { owned, sourceSpec, tick, vmStations } from './common.ts';
import { IP_PROTO } from '../../ir/packet.ts';
import { ipv4ToNumber } from '../../net/ipv4.ts';
import { macToNumber } from '../../net/mac.ts';
import { stationKey } from '../../semantics/station-key.ts';
import { noneBySites, noteSites, siteOf, type EndGuard } from './search-sites.ts';

type Exploration = Awaited<ReturnType<typeof explore>>;
type Outcome = Exploration['outcomes'][number];

/** A finished end: its disposition and where it was delivered. */
export type FinishedEnd = Extract<End, { kind: 'end' }>;

/** What a property asks of one end: the condition (on the sent and final packet) of a violation. */
export type EndPredicate = (e: Enc, sent: SymPacket, final: SymPacket, end: FinishedEnd) => Cond;

export type SearchResult =
  /**
   * No violating end; `followed` packet cases left the sender(s). `overNothing`: none did although the
   * question expects some (see `overNothing`), so "none" is a proof over no packet at all.
   */
  | { readonly kind: 'none'; readonly ends: number; readonly followed: number; readonly overNothing: boolean }
  | { readonly kind: 'unknown'; readonly reason: string }
  | { readonly kind: 'found'; readonly witness: Packet; readonly source: Station; readonly end: FinishedEnd };

const cache = new WeakMap<VerifyContext, Map<string, Promise<Exploration>>>();

/** Everything of a sender that decides what it is explored with (the station and how it may send). */
const senderKey = (s: SourceSpec) => `${stationKey(s.station)}|${s.anySource ?? false}|${s.portSecurity ?? false}|${s.dhcpClients ?? '-'}|${JSON.stringify(s.allowedAddressPairs ?? [])}`;

/**
 * Explorations a property's check keeps at once (the most recently used). Each check has a context of
 * its own, so nothing is shared across properties, and the bench sizes ask each key once per check
 * (no hits at large and xlarge: 460 and 840 keys a check): what is kept is memory only, each
 * exploration every telling end's packet and path terms (about 0.3 MB at xlarge). A few hundred keep
 * the reuse a check has (a batch's follow-up, ingress senders after egress) up to about as many senders.
 */
const KEPT = 256;

/**
 * How far a VM port's packets are followed: `near` stops a copy that a router has routed onto an
 * external network when it reaches another router there at that router's own address (a floating IP
 * or its gateway address) and that router can only deliver it locally or into its own subnets
 * (walk.ts `stopAcrossExternal`): beyond lies no exit to the outside world and no further router,
 * only the crossing of an external network through a floating IP, which nat-egress, project-isolation
 * and segment-isolation never ask about. A copy such a router would route on is followed. `whole`
 * follows every copy to its end. The outside world's packets are always followed whole.
 */
export type Scope = 'near' | 'whole';

/**
 * The exploration of `src`'s packets within `sent`, reused while it is among the most recently used
 * of the check (exploring again is cheap: the walker keeps the ends downstream of each router).
 */
export function explored(ctx: VerifyContext, src: SourceSpec, sent: SentConstraint = {}, scope: Scope = 'whole'): Promise<Exploration> {
  let m = cache.get(ctx);
  if (!m) cache.set(ctx, (m = new Map()));
  const k = exploredKey(ctx, src, sent, scope);
  let x = m.get(k);
  if (x) m.delete(k);
  else {
    const near = scope === 'near' && src.station.kind === 'vm-port';
    x = narrowed(ctx, src).then((s) => explore(ctx.dataplane, [s], sent, { converged: ctx.evaluator.converged, timeoutMs: ctx.timeoutMs, keep: telling, onlyTelling: true, ...(near ? { stopAcrossExternal: true } : {}) })).then((r) => {
      noteSites(ctx.dataplane, ctx.evaluator, k, r.outcomes, r.followed);
      return r;
    });
  }
  m.set(k, x);
  if (m.size > KEPT) m.delete(m.keys().next().value!);
  return x;
}

/** What an exploration depends on besides the dataplane and evaluator: the sender, the sent constraint, the scope, the timeout its sender's narrowing was proved under. */
function exploredKey(ctx: VerifyContext, src: SourceSpec, sent: SentConstraint, scope: Scope): string {
  const near = scope === 'near' && src.station.kind === 'vm-port';
  return `${senderKey(src)}|${JSON.stringify(sent)}|${near}|${ctx.timeoutMs}`;
}

/**
 * `none`, with the exploration's count of ends, when an earlier exploration of the same sender in this
 * run (by any property) shows that no end can satisfy a predicate `guard` stands for: none of its
 * ends is where the guard allows, none is unfinished (search-sites.ts). Else null: explore.
 */
function settledBySites(ctx: VerifyContext, src: SourceSpec, sent: SentConstraint, scope: Scope, guard: EndGuard | undefined): Extract<SearchResult, { kind: 'none' }> | null {
  if (guard === undefined) return null;
  const n = noneBySites(ctx.dataplane, ctx.evaluator, exploredKey(ctx, src, sent, scope), guard);
  return n === null ? null : { kind: 'none', ends: n.ends, followed: n.followed, overNothing: overNothing([src], sent, n.followed) };
}

/** The predicate, false wherever the guard says it cannot hold (so that the guard is exact about it). */
function guarded(pred: EndPredicate, guard: EndGuard | undefined): EndPredicate {
  return guard === undefined ? pred : (e, sent, final, end) => (guard(siteOf(end, sent)) ? pred(e, sent, final, end) : false);
}

/** Per run context: the batch of the ports the run owns, then (asked once a walk needs one) the batch of every other. */
const proving = new WeakMap<VerifyContext, { readonly own: Promise<void>; readonly mine: ReadonlySet<string>; rest?: Promise<void> }>();

/**
 * The sender as explored: a port-secured VM port whose anti-spoofing the solver proves sends its own
 * packets and DHCP client requests, any other as given (spoof-proof.ts). The ports whose subjects the
 * run owns (every port without a shard; with `verify --jobs N`, its part's projects) are proved on the
 * first call, in one batch: nearly every property asks about most of them. The first time a walk asks
 * about a port outside them, every other port is proved in a second batch, as the whole run's would
 * be: a question that asks about one sender of another part (ingress, from every sender) asks about
 * most. A port's proof is the same question in either batch, so the narrowing, and the results, do not
 * depend on which ports a run owns.
 */
async function narrowed(ctx: VerifyContext, src: SourceSpec): Promise<SourceSpec> {
  let p = proving.get(ctx);
  if (!p) {
    const specs = vmStations(ctx).map((s) => sourceSpec(ctx.topology, s));
    const own = ctx.owns === undefined ? specs : specs.filter((sp) => sp.station.kind === 'vm-port' && owned(ctx, `port:${sp.station.vm}:${sp.station.index}`));
    const mine = new Set(own.map((sp) => stationKey(sp.station)));
    proving.set(ctx, (p = { own: proveSenders(ctx.dataplane, ctx.evaluator, own, ctx.timeoutMs, (i, n) => tick(ctx, i, n, 'port firewalls asked about spoofing')), mine }));
  }
  await p.own;
  if (src.station.kind === 'vm-port' && !p.mine.has(stationKey(src.station))) {
    p.rest ??= proveSenders(ctx.dataplane, ctx.evaluator, vmStations(ctx).map((s) => sourceSpec(ctx.topology, s)), ctx.timeoutMs, (i, n) => tick(ctx, i, n, 'other ports\' firewalls asked about spoofing'));
    await p.rest;
  }
  return (await checkedSources(ctx.dataplane, ctx.evaluator, [src], ctx.timeoutMs))[0]!;
}

const unfinishedOf = new WeakMap<Exploration, readonly Outcome[]>();

/** The ends of an exploration that were not followed to their end (unmodelled constructs, depth). */
function unfinished(x: Exploration): readonly Outcome[] {
  let u = unfinishedOf.get(x);
  if (!u) unfinishedOf.set(x, (u = x.outcomes.filter((o) => o.end.kind === 'unknown')));
  return u;
}

/**
 * Is there a packet `src` may send (within `sent`) whose end, followed as far as `scope` says,
 * satisfies `pred`? `none` is a proof over all of them; `unknown` when the solver timed out or an
 * unmodelled or unfinished path could satisfy it. `guard`: where `pred` can hold at all (it is taken
 * as false elsewhere); with it, a sender whose earlier exploration ended nowhere the guard allows is
 * answered without exploring it again.
 */
export async function search(ctx: VerifyContext, src: SourceSpec, pred: EndPredicate, sent: SentConstraint = {}, scope: Scope = 'whole', guard?: EndGuard): Promise<SearchResult> {
  const settled = settledBySites(ctx, src, sent, scope, guard);
  if (settled !== null) return settled;
  const x = await explored(ctx, src, sent, scope);
  const asked = x.outcomes.map((o) => ({ src, o }));
  return decide(ctx, x.enc, asked, unfinished(x).map((o) => ({ src, o })), guarded(pred, guard), x.outcomes.length, x.followed, overNothing([src], sent, x.followed));
}

/** An end of one sender's exploration. */
interface SenderEnd {
  readonly src: SourceSpec;
  readonly o: Outcome;
}

interface DeliveryIndex {
  readonly enc: Enc;
  /** Every sender's ends per place: delivered to a VM port (`vm:VM:N`), or dropped at a device (`at:HOST/DEVICE`). */
  readonly byPlace: ReadonlyMap<string, readonly SenderEnd[]>;
  readonly unfinished: readonly SenderEnd[];
  readonly ends: number;
  /** Packet cases followed from the senders, all of them together. */
  readonly followed: number;
}

const deliveryIndexes = new WeakMap<VerifyContext, Map<string, Promise<DeliveryIndex>>>();

/** Where an end is, for the delivery index: a VM port it was delivered to, a device it was dropped at. */
function placeOf(end: End): string | null {
  if (end.kind !== 'end') return null;
  const d = end.delivery;
  if (end.disposition === 'delivered' && d?.kind === 'vm') return `vm:${d.vm}:${d.port}`;
  if (end.disposition === 'dropped' && end.at !== undefined) return `at:${end.at.host}/${end.at.device}`;
  return null;
}

/** Every sender explored once, keeping only its ends delivered to VM ports or dropped at a known device (and its unfinished ones). */
function deliveryIndex(ctx: VerifyContext, senders: readonly SourceSpec[]): Promise<DeliveryIndex> {
  let m = deliveryIndexes.get(ctx);
  if (!m) deliveryIndexes.set(ctx, (m = new Map()));
  const key = senders.map(senderKey).join(',');
  let p = m.get(key);
  if (!p) {
    p = (async () => {
      const byPlace = new Map<string, SenderEnd[]>();
      const open: SenderEnd[] = [];
      let ends = 0;
      let followed = 0;
      let enc: Enc | null = null;
      for (const src of senders) {
        const x = await explored(ctx, src);
        enc = x.enc;
        ends += x.outcomes.length;
        followed += x.followed;
        for (const o of x.outcomes) {
          if (o.end.kind === 'unknown') { open.push({ src, o }); continue; }
          const k = placeOf(o.end);
          if (k === null) continue;
          const list = byPlace.get(k);
          if (list) list.push({ src, o });
          else byPlace.set(k, [{ src, o }]);
        }
      }
      return { enc: enc ?? (await explore(ctx.dataplane, [], {}, { converged: ctx.evaluator.converged })).enc, byPlace, unfinished: open, ends, followed };
    })();
    m.set(key, p);
  }
  return p;
}

/**
 * Is there a packet, from any of `senders` (but the port itself), delivered to the VM port `to` or
 * dropped at the device `dropSite` (`host/device`), whose end satisfies `pred`? One solver check over
 * every sender at once: each explores with the same variable names, so the disjunction asks for one
 * packet from any of them, and the model says which.
 */
export async function searchArriving(ctx: VerifyContext, senders: readonly SourceSpec[], to: { readonly vm: string; readonly port: number; readonly portId: string }, dropSite: string | null, pred: EndPredicate): Promise<SearchResult> {
  const ix = await deliveryIndex(ctx, senders);
  const self = (s: SourceSpec) => s.station.kind === 'vm-port' && s.station.portId === to.portId;
  const here = [...(ix.byPlace.get(`vm:${to.vm}:${to.port}`) ?? []), ...(dropSite === null ? [] : (ix.byPlace.get(`at:${dropSite}`) ?? []))];
  return decide(ctx, ix.enc, here.filter((x) => !self(x.src)), ix.unfinished.filter((x) => !self(x.src)), pred, ix.ends, ix.followed, overNothing(senders, {}, ix.followed));
}

/** One question of `searchAll`. */
export interface SearchAsk {
  readonly src: SourceSpec;
  readonly pred: EndPredicate;
  readonly sent?: SentConstraint;
  /** How far the sender's packets are followed (default `whole`). */
  readonly scope?: Scope;
  /** Where `pred` can hold at all (see `search`). */
  readonly guard?: EndGuard;
}

/**
 * `search` for many questions at once, with the same answers: each question's violation condition
 * (and the condition that an unfinished path matters) is built first, and the ones the solver proves
 * empty in batches (unsatIndices) are `none` without a call of their own; only the rest are searched
 * one by one for their witness or their unknown. A solver call costs milliseconds before any solving,
 * and nearly every question of a run that holds is empty.
 */
export async function searchAll(ctx: VerifyContext, asks: readonly SearchAsk[], what = 'port classes'): Promise<SearchResult[]> {
  const z3 = await getZ3();
  const built: { hits: Cond; open: Cond; ends: number; followed: number; overNothing: boolean }[] = [];
  let enc: Enc | null = null;
  for (const [i, a] of asks.entries()) {
    tick(ctx, i, asks.length, `${what} explored`);
    const settled = settledBySites(ctx, a.src, a.sent ?? {}, a.scope ?? 'whole', a.guard);
    if (settled !== null) {
      // No end can satisfy it and none is unfinished: the conditions built below would both be false.
      built.push({ hits: false, open: false, ends: settled.ends, followed: settled.followed, overNothing: settled.overNothing });
      continue;
    }
    const x = await explored(ctx, a.src, a.sent ?? {}, a.scope ?? 'whole');
    const e = (enc = x.enc);
    const pred = guarded(a.pred, a.guard);
    const hits: Conjunction[] = [];
    for (const o of x.outcomes) {
      if (o.end.kind !== 'end') continue;
      const p = pred(e, o.sent, o.final, o.end);
      if (p !== false) hits.push({ pc: o.end.path.pc, last: p });
    }
    built.push({ hits: anyOf(e, hits), open: anyOf(e, unfinished(x).map((o) => ({ pc: o.end.path.pc, last: true }))), ends: x.outcomes.length, followed: x.followed, overNothing: overNothing([a.src], a.sent ?? {}, x.followed) });
  }
  // Nothing explored: every question (if any) was settled by its sender's sites.
  if (enc === null) return built.map((b) => ({ kind: 'none', ends: b.ends, followed: b.followed, overNothing: b.overNothing }));
  const e = enc;
  const noHit = await unsatIndices(z3, e, built.map((b) => b.hits), ctx.timeoutMs);
  const settledIdx = [...noHit];
  const noOpen = await unsatIndices(z3, e, settledIdx.map((i) => built[i]!.open), ctx.timeoutMs);
  const none = new Set(settledIdx.filter((_, k) => noOpen.has(k)));
  const out: SearchResult[] = [];
  for (const [i, a] of asks.entries()) {
    if (!none.has(i)) tick(ctx, i, asks.length, `${what} checked`);
    out.push(none.has(i) ? { kind: 'none', ends: built[i]!.ends, followed: built[i]!.followed, overNothing: built[i]!.overNothing } : await search(ctx, a.src, a.pred, a.sent ?? {}, a.scope ?? 'whole', a.guard));
  }
  return out;
}

/** The check behind `search` and `searchArriving`: the predicate over the ends, then the unfinished ones. */
async function decide(ctx: VerifyContext, e: Enc, asked: readonly SenderEnd[], open: readonly SenderEnd[], pred: EndPredicate, total: number, followed: number, vacuous: boolean): Promise<SearchResult> {
  const z3 = await getZ3();
  // Each candidate's condition is its path condition and the predicate; the solver gets their
  // disjunction factored over shared conjuncts (factor.ts), and one candidate's own condition is
  // built only to find which end a model takes.
  const hits: { x: SenderEnd; end: FinishedEnd; sender: SourceSpec; sent: SymPacket; pc: readonly Cond[]; last: Cond }[] = [];
  for (const x of asked) {
    const o = x.o;
    if (o.end.kind !== 'end') continue;
    const p = pred(e, o.sent, o.final, o.end);
    if (p === false) continue;
    hits.push({ x, end: o.end, sender: x.src, sent: o.sent, pc: o.end.path.pc, last: p });
  }
  const r = await checkSat(z3, e, anyOf(e, hits), ctx.timeoutMs);
  if (r.status === 'unknown') return { kind: 'unknown', reason: r.reason };
  if (r.status === 'sat') {
    // The first sender in order with a violating end, preferences over every violating end of that
    // sender at once, the fields they leave free settled, then the end the packet takes (witnessAmong:
    // the packet is that sender's; settled, it is the same whatever this process asked Z3 before).
    const { packet, hit, reliesOnRandom } = await witnessAmong(e, r.solver, r.model, hits, (first) => {
      const st = first.x.src.station;
      return defaultPreferences(e, first.sent, st.kind === 'vm-port' ? { ip: ipNum(st.ip), prefixLen: st.prefixLen, mac: macNum(st.mac) } : null);
    }, {}, (first) => ({ settle: true, canonical: { eth_src: [macNum(first.x.src.station.mac)] } }));
    if (reliesOnRandom) return { kind: 'unknown', reason: RELIES_ON_RANDOM };
    return { kind: 'found', witness: packet, source: hit.x.src.station, end: hit.end };
  }
  const unknowns = open.map((x) => ({ pc: x.o.end.path.pc, last: true as Cond, c: () => x.o.cond, why: x.o.end.kind === 'unknown' ? x.o.end.reason : '' }));
  const u = await checkSat(z3, e, anyOf(e, unknowns), ctx.timeoutMs);
  if (u.status === 'unknown') return { kind: 'unknown', reason: u.reason };
  if (u.status === 'sat') {
    // The first unfinished path in walk order that could be one, not the one the model happens to take:
    // the message is then the same whichever questions this solver instance was asked before.
    const first = await firstSatisfiable(z3, e, unknowns.map((x) => x.c()), ctx.timeoutMs);
    const which = (first === null ? unknowns.find((x) => holds(e, u.model, x.c())) : unknowns[first]) ?? unknowns[0]!;
    return { kind: 'unknown', reason: `a path crosses something not modelled: ${which.why}` };
  }
  return { kind: 'none', ends: total, followed, overNothing: vacuous };
}

/**
 * Is a search that followed no packet a proof over nothing? When the question names the packets
 * (`sent`) or a sender is the outside world (which may send anything), some packet is expected to
 * leave: none means the question asks the wrong sender (the outside world of another subnet) or the
 * dataplane lets nothing start (no ARP answer for the address), never that the property holds. A VM
 * port asked about everything it sends that sends nothing has nobody to address under the sender model
 * (src/smt/sources.ts: its subnet's owners and its gateway): "no packet of it does X" holds.
 */
export function overNothing(senders: readonly SourceSpec[], sent: SentConstraint, followed: number): boolean {
  return followed === 0 && (Object.keys(sent).length > 0 || senders.some((s) => s.station.kind !== 'vm-port'));
}

/** Why a satisfiable search is not a violation when only a port the kernel draws at random makes it one. */
export const RELIES_ON_RANDOM = 'the only packets found depend on the source port --random-fully SNAT draws at random (the outcome holds for some draws, not for the one a replay shows): no witness is claimed';

/**
 * The packet opens a connection as conntrack sees it (NEW): an unsolicited ICMP reply or error is
 * INVALID to conntrack and never NATed, so NAT properties quantify over connection openers only.
 */
export function opensConnection(e: Enc, p: SymPacket): Cond {
  const icmp = e.eq(p.proto, IP_PROTO.icmp, 8);
  return e.or(e.not(icmp), ...[8, 13, 15, 17].map((t) => e.eq(p.icmp_type, t, 8)));
}

/**
 * A topology address as the solver's number (malformed text throws). Trimmed: allowed address pairs
 * are kept as written, and the topology's checks allow spaces around an address.
 */
export const ipNum = (ip: string): number => ipv4ToNumber(ip.trim());

/** A topology MAC as the solver's 48-bit number (malformed text throws). */
export const macNum = macToNumber;

/** Every copy of a trace: the followed one and its branches (flooding), depth first. */
export const copies = traceCopies;

/** The end as the solver claims it, in words (for a disagreement). */
export function claimOf(end: FinishedEnd): string {
  const d = end.delivery;
  const to = d === null ? '' : d.kind === 'vm' ? ` to ${d.vm}:${d.port}@${d.host}` : d.kind === 'namespace' ? ` to ${d.namespace}@${d.host}` : ` to external ${d.network}`;
  return `${end.disposition}${to} at ${end.where}`;
}

/** Does a trace copy end as the solver's end does (same disposition and delivery)? */
export function sameEnd(t: Trace, end: FinishedEnd): boolean {
  const a = t.deliveredTo;
  const b = end.delivery;
  // Reaching the outside world (its upstream router included) is one end whichever word names it.
  const outward = (d: string) => d === 'exited' || d === 'delivered';
  if (a?.kind === 'external' && b?.kind === 'external') return outward(t.disposition) && outward(end.disposition) && a.network === b.network;
  if (t.disposition !== end.disposition) return false;
  if (a === null || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

export type Replayed = { readonly ok: true; readonly trace: Trace } | { readonly ok: false; readonly trace: Trace; readonly error: string };

/**
 * Replays a found witness; `expect` is asked of each copy that ends where the solver said (it checks
 * the final packet when the violation is about it).
 */
export function replay(ctx: VerifyContext, f: Extract<SearchResult, { kind: 'found' }>, expect: (copy: Trace) => boolean = () => true): Replayed {
  const r = replayWitness(ctx.evaluator, f.source, f.witness, (t) => copies(t).some((c) => sameEnd(c, f.end) && expect(c)));
  if (r.agrees) {
    // Show the copy that makes the point (the followed one when it does).
    const c = copies(r.trace).find((x) => sameEnd(x, f.end) && expect(x)) ?? r.trace;
    return { ok: true, trace: c };
  }
  return { ok: false, trace: r.trace, error: disagreementText(claimOf(f.end), f.source, f.witness, r.trace) };
}
