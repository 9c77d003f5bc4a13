// Differential reachability over two dataplanes: one symbolic packet, sent by the same station into
// both, and where each copy of it ends on each side. A packet's fate on a side is the set of places
// its copies are delivered to (a VM port, a namespace, an external network) with the headers they
// arrive with; a difference is a place one side delivers it to and the other not (gained or lost), or
// the same place reached with other headers (translated differently).
// The two sides share the packet's variables (one name per field), but for the destination MAC: each
// sender puts on the wire the MAC its own ARP resolves for the next hop, so a router's new MAC is not
// a difference. That MAC is pinned per next-hop case (sources.ts) and substituted out of every path
// condition here, so both sides' conditions speak of the same packet as the sender means it.
// Guarantees: a side's conditions partition the packets it sends (ends of one start partition it);
// packets a side does not send (no route, no ARP answer) are delivered nowhere on that side; packets
// that reach a path not followed to its end on either side are never called a difference (they are
// the `unknown` region, reported apart); ends both sides have term for term (Z3 shares structurally
// equal terms, so the same devices, rules and packet variables give the same term on either side)
// deliver the same packets with the same headers on both, and cancel without the solver.
// Nothing here replays: callers replay each witness.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Delivery } from '../semantics/delivery.ts';
import type { ConvergedState } from '../semantics/converged.ts';
import { getZ3 } from './z3.ts';
import type { Ctx, Bool } from './z3.ts';
import type { Cond, Enc } from './cond.ts';
import { hasPorts, isIcmp, type SymPacket } from './headers.ts';
import { pathCond, type End } from './path.ts';
import { mergeEnds } from './merge.ts';
import type { SourceSpec } from './sources.ts';
import { senderStarts, walkerFor, type WalkScope } from './starts.ts';
import { MAX_WALK_ENDS, type SymWalker } from './walk.ts';
import type { SentConstraint } from './index.ts';
import type { SymConn } from './netfilter/conntrack.ts';

/** Where a delivered copy is, as a key equal on both sides (a VM port whatever host it is on). */
export function deliveryKey(d: Delivery): string {
  switch (d.kind) {
    case 'vm':
      return `vm:${d.vm}:${d.port}`;
    case 'namespace':
      return `ns:${d.host}:${d.namespace}`;
    case 'external':
      return `ext:${d.network}`;
    default: {
      const never: never = d;
      throw new Error(`unknown delivery ${JSON.stringify(never)}`);
    }
  }
}

/** One end of a side, its condition on the shared packet variables (built on first use). */
export interface SideEnd {
  readonly end: End;
  /** The destination MAC its start pinned (substituted out of its condition), or null. */
  readonly mac: number | null;
  /** Equal for two ends with the same condition, headers and place (see `signature`). */
  readonly sig: string;
  readonly final: SymPacket;
}

/** What one side does with the sender's packets. */
export interface Side {
  readonly e: Enc;
  /** Per delivery key: the ends that deliver there. */
  readonly delivered: ReadonlyMap<string, readonly SideEnd[]>;
  /** Paths not followed to their end (something not modelled, the depth bound), with their conditions. */
  readonly unknown: readonly { readonly end: End; readonly cond: Cond }[];
  /** The delivery each key stands for. */
  readonly places: ReadonlyMap<string, Delivery>;
  /**
   * With `stopAt`: per router a copy was cut at (`host/namespace:port`), the ends cut there, and the
   * routers (`host\u0000namespace`). Empty without.
   */
  readonly crossed: ReadonlyMap<string, readonly SideEnd[]>;
  readonly crossedAt: ReadonlySet<string>;
  /** An end's condition on the shared packet variables (the question's constraint included). */
  condOf(x: SideEnd): Cond;
}

/** The packet variables both sides share (named `d.<field>`). */
export const DIFF_PREFIX = 'd';

function substituted(ctx: Ctx, e: Enc, c: Cond, ethDst: SymPacket['eth_dst'], mac: number | null): Cond {
  if (typeof c === 'boolean' || mac === null || typeof ethDst === 'number') return c;
  return ctx.substitute(c, [ethDst, e.bv(mac, 48)]) as Bool;
}

/**
 * A term's identity in the Z3 context: Z3 shares structurally equal terms, so two walks that built
 * the same condition (the same devices, rules and packet variables) get the same pointer, whichever
 * encoder built them.
 */
function astKey(v: Cond | SymPacket[keyof SymPacket]): string {
  if (v === null) return '-';
  if (typeof v === 'number') return `#${v}`;
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  return `@${(v as unknown as { readonly ptr: number }).ptr}`;
}

const FIELDS = ['eth_src', 'eth_dst', 'eth_type', 'vlan', 'tun_id', 'ip_src', 'ip_dst', 'proto', 'sport', 'dport', 'icmp_type', 'icmp_code'] as const;

/** The end's place, start MAC, path condition conjunct by conjunct and final headers, as term identities. */
function signature(place: string, end: End, mac: number | null, more: Cond): string {
  return `${place}|${mac ?? '-'}|${astKey(more)}|${end.path.pc.map(astKey).join(',')}|${FIELDS.map((f) => astKey(end.path.packet[f])).join(',')}`;
}

/** A connection the path opened, as term identities (its own `key` numbers terms per encoder, and each side has its own). */
function connSig(c: SymConn): string {
  const tuple = (p: SymPacket) => CONN_FIELDS.map((f) => astKey(p[f])).join(',');
  return `${c.instance}/${c.zone}/${tuple(c.original)}/${tuple(c.confirmed)}/${astKey(c.natted)}/${c.seenReply}`;
}

const CONN_FIELDS = ['ip_src', 'ip_dst', 'proto', 'sport', 'dport', 'icmp_type', 'icmp_code'] as const;

/** Where a walk of one side may be split with the other's (walk.ts `split`): the other dataplane and the devices that differ. */
export interface SplitAt {
  readonly dp: Dataplane;
  readonly converged?: ConvergedState;
  /** The devices a copy is followed on both dataplanes from (the rest is walked once for both). */
  readonly at: (host: string, device: string) => boolean;
}

let splitSides = 0;

/** How many sides were taken from the other side's split walk (`exploreSide` with `split`): for measurements and tests. */
export function sidesFromSplits(): number {
  return splitSides;
}

/** One split option per pair of walkers and devices (walkers are kept per option object: starts.ts). */
const splits = new WeakMap<SymWalker, WeakMap<SplitAt['at'], NonNullable<WalkScope['split']>>>();

function splitWith(other: SymWalker, at: SplitAt['at']): NonNullable<WalkScope['split']> {
  let m = splits.get(other);
  if (m === undefined) splits.set(other, (m = new WeakMap()));
  let s = m.get(at);
  if (s === undefined) m.set(at, (s = { other, at }));
  return s;
}

/**
 * Explores one side: the sender's starts, every end of each, conditions on the shared variables.
 * With `marks`, also whether any of it (the starts' ARP resolution included) visited a marked device.
 * With `split` (and `marks`, naming what differs between the two dataplanes): the other side too, in
 * the same walk — what lies before a device of `split.at` walked once for both — unless a marked
 * device or chain was visited outside those devices (`other` is then null and the other side must be
 * walked on its own). Its ends are those the other side's own walk lists, in the same order, term for
 * term: the part before a split visits only what is the same on both, and from a split on, each side
 * is followed by its own walker from the same state. With `cutOnce` too (and `stopAt`): a copy crossing
 * an external network that can only end cut is given its cuts unwalked (cut-crossings.ts), one end
 * for all that stands for both sides; when the other side is not this walk's, the side is walked
 * again with every crossing followed, as the other side's own walk follows them.
 */
export async function exploreSide(dp: Dataplane, src: SourceSpec, sent: SentConstraint, extra: (e: Enc, p: SymPacket) => Cond, opts: { converged?: ConvergedState; marks?: WalkScope['marks']; stopAt?: WalkScope['stopAt']; split?: SplitAt; cutOnce?: boolean }): Promise<Side & { readonly packet: SymPacket; readonly touched: boolean; readonly other: Side | null }> {
  const ctx = await getZ3();
  // Only delivered, exited and unknown ends are read here (and cut ones, with `stopAt`): the walker
  // keeps no others.
  const scope = { onlyTelling: true, ...(opts.stopAt ? { stopAcrossExternal: true, stopAt: opts.stopAt } : {}) };
  const other = opts.split && opts.marks ? walkerFor(ctx, opts.split.dp, { ...scope, ...(opts.split.converged ? { converged: opts.split.converged } : {}) }) : null;
  // Crossings that can only be cut are given their cuts unwalked only in a split walk (cut-crossings.ts).
  const cutOnce = other !== null && opts.stopAt !== undefined && opts.cutOnce === true;
  const w = walkerFor(ctx, dp, { ...scope, ...(opts.converged ? { converged: opts.converged } : {}), ...(opts.marks ? { marks: opts.marks } : {}), ...(other !== null ? { split: splitWith(other, opts.split!.at) } : {}), ...(cutOnce ? { cutOnce: true } : {}) });
  const e = w.e;
  const walked = w.splitting(() => {
    const { sent: p, starts, unresolved } = senderStarts(w, src, DIFF_PREFIX, sent);
    // Each start pins the destination MAC to the one its next hop resolves to.
    return { p, unresolved, ends: starts.map((start) => ({ mac: typeof start.packet.eth_dst === 'number' ? start.packet.eth_dst : null, ends: w.fromStation(src.station, start) })) };
  });
  const { p, unresolved, ends } = walked.value;
  // A side's ends: those of both and its own, merged as its own walk merges them.
  const view = (not: 'this' | 'other' | null) => ends.map((s) => ({ mac: s.mac, ends: mergeEnds(e, not === null ? s.ends : s.ends.filter((x) => x.side !== not).map(bare)) }));
  const more = extra(e, p);
  const mine = sideOf(ctx, e, p, more, unresolved, view(other === null ? null : 'other'));
  // The other side is this walk's only when nothing marked was visited outside the splits.
  // A walk near the budget of ends (walk.ts MAX_WALK_ENDS) gives its other side apart: the budget
  // counts the ends a walk lists, and the other side's own walk would count its ends before a split too.
  const listed = ends.reduce((n, x) => n + x.ends.length, 0);
  const theirs = other === null || walked.touched || listed > MAX_WALK_ENDS / 10 ? null : sideOf(ctx, other.e, p, extra(other.e, p), unresolved, view('this'));
  // Cuts given unwalked stand for both sides only within one split walk: a side whose other side must
  // be walked on its own is walked again as that one will be, every crossing followed to its cut.
  if (cutOnce && theirs === null) return exploreSide(dp, src, sent, extra, { ...opts, cutOnce: false });
  if (theirs !== null) splitSides++;
  return { ...mine, packet: p, touched: walked.touched || walked.splitTouched, other: theirs };
}

/** An end without its side of a split walk. */
function bare(x: End): End {
  if (x.side === undefined) return x;
  const { side: _side, ...rest } = x;
  return rest;
}

/** A side from its walk's ends (unresolved starts first, then each start's ends, its pinned MAC with them). */
function sideOf(ctx: Ctx, e: Enc, p: SymPacket, more: Cond, unresolved: readonly End[], ends: readonly { readonly mac: number | null; readonly ends: readonly End[] }[]): Side {
  const delivered = new Map<string, SideEnd[]>();
  const places = new Map<string, Delivery>();
  const unknown: { end: End; cond: Cond }[] = [];
  const crossed = new Map<string, SideEnd[]>();
  const crossedAt = new Set<string>();
  const conds = new WeakMap<SideEnd, Cond>();
  const condOf = (x: SideEnd): Cond => {
    let c = conds.get(x);
    if (c === undefined) conds.set(x, (c = e.and(more, substituted(ctx, e, pathCond(e, x.end.path), p.eth_dst, x.mac))));
    return c;
  };
  const take = (end: End, mac: number | null) => {
    if (more === false) return;
    if (end.kind === 'cut' && end.at !== undefined) {
      // Compared term for term with the other side's, the connections it carries included.
      const k = `${end.at.host}/${end.at.device}:${end.at.inPort}`;
      // A cut standing for copies cut at several routers (cut-crossings.ts) names them all.
      for (const a of [end.at, ...(end.also ?? [])]) crossedAt.add(`${a.host}\u0000${a.device}`);
      const list = crossed.get(k) ?? [];
      list.push({ end, mac, sig: `${signature(k, end, mac, more)}|${(end.path.conns ?? []).map(connSig).join(',')}|${(end.also ?? []).map((a) => `${a.host}/${a.device}:${a.inPort}`).join(',')}`, final: end.path.packet });
      crossed.set(k, list);
    } else if (end.kind === 'unknown') {
      const cond = e.and(more, substituted(ctx, e, pathCond(e, end.path), p.eth_dst, mac));
      if (cond !== false) unknown.push({ end, cond });
    } else if (end.kind === 'end' && end.arpOwner === null && end.delivery !== null && (end.disposition === 'delivered' || end.disposition === 'exited')) {
      // Conditions are built only for the places the other side does not match end for end.
      const k = deliveryKey(end.delivery);
      places.set(k, end.delivery);
      const list = delivered.get(k) ?? [];
      list.push({ end, mac, sig: signature(k, end, mac, more), final: end.path.packet });
      delivered.set(k, list);
    }
  };
  for (const u of unresolved) take(u, null);
  for (const s of ends) for (const end of s.ends) take(end, s.mac);
  return { e, delivered, unknown, places, crossed, crossedAt, condOf };
}

/**
 * Whether two sides deliver to a place by the same ends: the same path conditions and final headers,
 * term for term (as a multiset). Then every packet reaches that place on both sides with the same
 * copies — no question to ask there, proved by the terms being one and the same.
 */
export function sameEnds(before: readonly SideEnd[] | undefined, after: readonly SideEnd[] | undefined): boolean {
  const b = before ?? [];
  const a = after ?? [];
  if (b.length !== a.length) return false;
  const count = new Map<string, number>();
  for (const x of b) count.set(x.sig, (count.get(x.sig) ?? 0) + 1);
  for (const x of a) {
    const n = count.get(x.sig) ?? 0;
    if (n === 0) return false;
    count.set(x.sig, n - 1);
  }
  return true;
}

/** The headers two delivered copies arrive with are the same (addresses, protocol, and ports or ICMP type and code when it has them). */
function sameHeaders(e: Enc, a: SymPacket, b: SymPacket): Cond {
  // A field built as the same term on both sides is equal without asking.
  const eq = (f: 'ip_src' | 'ip_dst' | 'proto' | 'sport' | 'dport' | 'icmp_type' | 'icmp_code', bits: number) => (astKey(a[f]) === astKey(b[f]) ? true : e.eq(a[f], b[f], bits));
  const ports = e.or(e.not(hasPorts(e, a)), e.and(eq('sport', 16), eq('dport', 16)));
  const icmp = e.or(e.not(isIcmp(e, a)), e.and(eq('icmp_type', 8), eq('icmp_code', 8)));
  return e.and(eq('ip_src', 32), eq('ip_dst', 32), eq('proto', 8), ports, icmp);
}

/** The header fields `sameHeaders` reads. */
const HEADER_FIELDS = ['eth_type', 'ip_src', 'ip_dst', 'proto', 'sport', 'dport', 'icmp_type', 'icmp_code'] as const;

/**
 * Ends grouped by their final headers as term identities (the fields `sameHeaders` reads): per group,
 * one end's headers (every end of the group has the very same terms) and the disjunction of the
 * group's conditions. In the order each group first appears.
 */
function byHeaders(e: Enc, xs: readonly SideEnd[], side: Side): { readonly final: SymPacket; readonly cond: Cond }[] {
  const groups = new Map<string, { final: SymPacket; conds: Cond[] }>();
  for (const x of xs) {
    const key = HEADER_FIELDS.map((f) => astKey(x.final[f])).join(',');
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { final: x.final, conds: [side.condOf(x)] });
    else g.conds.push(side.condOf(x));
  }
  return [...groups.values()].map((g) => ({ final: g.final, cond: e.or(...g.conds) }));
}

export type DiffKind = 'gained' | 'lost' | 'translated';

/** One question of the difference: the packets of `kind` at `place`. */
export interface DiffQuestion {
  readonly kind: DiffKind;
  readonly place: string;
  readonly delivery: Delivery;
  readonly cond: Cond;
}

/** The ends of `mine` that no end of `theirs` matches term for term (as multisets). */
function unmatched(mine: readonly SideEnd[], theirs: readonly SideEnd[]): SideEnd[] {
  const count = new Map<string, number>();
  for (const x of theirs) count.set(x.sig, (count.get(x.sig) ?? 0) + 1);
  const out: SideEnd[] = [];
  for (const x of mine) {
    const n = count.get(x.sig) ?? 0;
    if (n > 0) count.set(x.sig, n - 1);
    else out.push(x);
  }
  return out;
}

/**
 * The differences between two sides of one sender, as conditions on the shared packet: per place,
 * the packets delivered there after but not before (gained), before but not after and not already
 * gained elsewhere (lost: a packet delivered elsewhere is said once, where it now goes), and
 * delivered there on both where one side has a copy with headers no copy of the other side has
 * (translated). Packets in either side's unknown region are left out of all three, and `unknown` is
 * that region. `drawn` fixes the kernel's random draws (the value a replay shows) in all three.
 * Ends both sides have term for term (the same condition and headers: nothing on their path changed)
 * cancel: a place reached only by such ends has no question, and elsewhere only the unmatched ends
 * can be where a packet is gained, lost or translated (a matched end delivers the same packets with
 * the same headers on both sides).
 */
export function diffQuestions(before: Side, after: Side, drawn: Cond = true, how: { readonly pairwise?: boolean } = {}): { readonly questions: readonly DiffQuestion[]; readonly unknown: Cond; readonly any: Cond; readonly places: number; readonly sameAt: number } {
  const e = before.e;
  const unknown = e.or(...before.unknown.map((x) => x.cond), ...after.unknown.map((x) => x.cond));
  const known = e.and(drawn, e.not(unknown));
  const all = [...new Set([...before.delivered.keys(), ...after.delivered.keys()])].sort();
  const ends = (s: Side, k: string) => s.delivered.get(k) ?? [];
  const keys = all.filter((k) => !sameEnds(ends(before, k), ends(after, k)));
  const at = (s: Side, k: string) => e.or(...ends(s, k).map((x) => s.condOf(x)));
  const anyOf = (s: Side, xs: readonly SideEnd[]) => e.or(...xs.map((x) => s.condOf(x)));
  const place = (k: string): Delivery => (before.places.get(k) ?? after.places.get(k))!;
  const only = new Map(keys.map((k) => [k, { b: unmatched(ends(before, k), ends(after, k)), a: unmatched(ends(after, k), ends(before, k)) }]));
  // (A ∨ I) ∧ ¬(B ∨ I) is A ∧ ¬(B ∨ I): only unmatched ends gain (or lose) a place.
  const gained = keys.map((k) => ({ k, cond: e.and(known, anyOf(after, only.get(k)!.a), e.not(at(before, k))) }));
  const anyGained = e.or(...gained.map((g) => g.cond));
  const questions: DiffQuestion[] = [];
  for (const g of gained) questions.push({ kind: 'gained', place: g.k, delivery: place(g.k), cond: g.cond });
  for (const k of keys) questions.push({ kind: 'lost', place: k, delivery: place(k), cond: e.and(known, anyOf(before, only.get(k)!.b), e.not(at(after, k)), e.not(anyGained)) });
  for (const k of keys) {
    // A copy one side delivers with headers no copy of the other side delivers with, both delivering
    // there: ∨x (cx ∧ ∧y ¬(cy ∧ same(x, y))). Asked per pair of ends this was quadratic in the ends at
    // a place (the outside world reaches a port by hundreds), and most ends share their headers term
    // for term: same(x, y) reads only the headers, so ends with the same header terms are taken
    // together — ∨H ((∨x∈H cx) ∧ ∧G ¬((∨y∈G cy) ∧ same(H, G))), the same condition.
    // `how.pairwise` builds it end by end, the straightforward way, kept to hold the grouping to it.
    const novel = (mine: Side, xs: readonly SideEnd[], other: Side) => {
      if (how.pairwise === true) return xs.map((x) => e.and(mine.condOf(x), ...ends(other, k).map((y) => e.not(e.and(other.condOf(y), sameHeaders(e, x.final, y.final))))));
      const theirs = byHeaders(e, ends(other, k), other);
      return byHeaders(e, xs, mine).map((h) => e.and(h.cond, ...theirs.map((g) => e.not(e.and(g.cond, sameHeaders(e, h.final, g.final))))));
    };
    const o = only.get(k)!;
    const either = e.or(...novel(after, o.a, before), ...novel(before, o.b, after));
    questions.push({ kind: 'translated', place: k, delivery: place(k), cond: e.and(known, at(before, k), at(after, k), either) });
  }
  const live = questions.filter((q) => q.cond !== false);
  return { questions: live, unknown, any: e.or(...live.map((q) => q.cond)), places: all.length, sameAt: all.length - keys.length };
}
