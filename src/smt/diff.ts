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
// the `unknown` region, reported apart). Nothing here replays: callers replay each witness.
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
import { senderStarts, walkerFor } from './starts.ts';
import type { SentConstraint } from './index.ts';

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

/** One end of a side, its condition on the shared packet variables. */
interface SideEnd {
  readonly end: End;
  readonly cond: Cond;
  readonly final: SymPacket;
}

/** What one side does with the sender's packets. */
export interface Side {
  readonly e: Enc;
  /** The packets the sender puts on the wire on this side (within the question). */
  readonly sent: Cond;
  /** Per delivery key: the ends that deliver there. */
  readonly delivered: ReadonlyMap<string, readonly SideEnd[]>;
  /** Paths not followed to their end (something not modelled, the depth bound). */
  readonly unknown: readonly SideEnd[];
  /** The delivery each key stands for. */
  readonly places: ReadonlyMap<string, Delivery>;
}

/** The packet variables both sides share (named `d.<field>`). */
export const DIFF_PREFIX = 'd';

function substituted(ctx: Ctx, e: Enc, c: Cond, ethDst: SymPacket['eth_dst'], mac: number | null): Cond {
  if (typeof c === 'boolean' || mac === null || typeof ethDst === 'number') return c;
  return ctx.substitute(c, [ethDst, e.bv(mac, 48)]) as Bool;
}

/** Explores one side: the sender's starts, every end of each, conditions on the shared variables. */
export async function exploreSide(dp: Dataplane, src: SourceSpec, sent: SentConstraint, extra: (e: Enc, p: SymPacket) => Cond, opts: { converged?: ConvergedState }): Promise<Side & { readonly packet: SymPacket }> {
  const ctx = await getZ3();
  const w = walkerFor(ctx, dp, opts.converged ? { converged: opts.converged } : {});
  const e = w.e;
  const { sent: p, starts, unresolved } = senderStarts(w, src, DIFF_PREFIX, sent);
  const more = extra(e, p);
  const delivered = new Map<string, SideEnd[]>();
  const places = new Map<string, Delivery>();
  const unknown: SideEnd[] = [];
  const domain: Cond[] = [];
  const take = (end: End, mac: number | null) => {
    const cond = e.and(more, substituted(ctx, e, pathCond(e, end.path), p.eth_dst, mac));
    if (cond === false) return;
    if (end.kind === 'unknown') unknown.push({ end, cond, final: end.path.packet });
    else if (end.kind === 'end' && end.arpOwner === null && end.delivery !== null && (end.disposition === 'delivered' || end.disposition === 'exited')) {
      const k = deliveryKey(end.delivery);
      places.set(k, end.delivery);
      const list = delivered.get(k) ?? [];
      list.push({ end, cond, final: end.path.packet });
      delivered.set(k, list);
    }
  };
  for (const u of unresolved) {
    take(u, null);
    domain.push(e.and(more, pathCond(e, u.path)));
  }
  for (const start of starts) {
    // Each start pins the destination MAC to the one its next hop resolves to.
    const mac = typeof start.packet.eth_dst === 'number' ? start.packet.eth_dst : null;
    domain.push(e.and(more, substituted(ctx, e, pathCond(e, start), p.eth_dst, mac)));
    for (const end of mergeEnds(e, w.fromStation(src.station, start))) take(end, mac);
  }
  return { e, sent: e.or(...domain), delivered, unknown, places, packet: p };
}

/** The headers a delivered copy arrives with differ (addresses, protocol, and ports when it has them). */
function headersDiffer(e: Enc, a: SymPacket, b: SymPacket): Cond {
  const ports = e.and(hasPorts(e, a), e.or(e.not(e.eq(a.sport, b.sport, 16)), e.not(e.eq(a.dport, b.dport, 16))));
  const icmp = e.and(isIcmp(e, a), e.or(e.not(e.eq(a.icmp_type, b.icmp_type, 8)), e.not(e.eq(a.icmp_code, b.icmp_code, 8))));
  return e.or(e.not(e.eq(a.ip_src, b.ip_src, 32)), e.not(e.eq(a.ip_dst, b.ip_dst, 32)), e.not(e.eq(a.proto, b.proto, 8)), ports, icmp);
}

export type DiffKind = 'gained' | 'lost' | 'translated';

/** One question of the difference: the packets of `kind` at `place`. */
export interface DiffQuestion {
  readonly kind: DiffKind;
  readonly place: string;
  readonly delivery: Delivery;
  readonly cond: Cond;
}

/**
 * The differences between two sides of one sender, as conditions on the shared packet: per place,
 * the packets delivered there after but not before (gained), before but not after and not already
 * gained elsewhere (lost: a packet delivered elsewhere is said once, where it now goes), and
 * delivered there on both with other headers (translated). Packets in either side's unknown region
 * are left out of all three, and `unknown` is that region. `drawn` fixes the kernel's random draws
 * (the value a replay shows) in all three.
 */
export function diffQuestions(before: Side, after: Side, drawn: Cond = true): { readonly questions: readonly DiffQuestion[]; readonly unknown: Cond; readonly any: Cond } {
  const e = before.e;
  const at = (s: Side, k: string) => e.or(...(s.delivered.get(k) ?? []).map((x) => x.cond));
  const unknown = e.or(...before.unknown.map((x) => x.cond), ...after.unknown.map((x) => x.cond));
  const known = e.and(drawn, e.not(unknown));
  const keys = [...new Set([...before.delivered.keys(), ...after.delivered.keys()])].sort();
  const place = (k: string): Delivery => (before.places.get(k) ?? after.places.get(k))!;
  const gained = keys.map((k) => ({ k, cond: e.and(known, at(after, k), e.not(at(before, k))) }));
  const anyGained = e.or(...gained.map((g) => g.cond));
  const questions: DiffQuestion[] = [];
  for (const g of gained) questions.push({ kind: 'gained', place: g.k, delivery: place(g.k), cond: g.cond });
  for (const k of keys) questions.push({ kind: 'lost', place: k, delivery: place(k), cond: e.and(known, at(before, k), e.not(at(after, k)), e.not(anyGained)) });
  for (const k of keys) {
    const pairs: Cond[] = [];
    for (const b of before.delivered.get(k) ?? []) for (const a of after.delivered.get(k) ?? []) pairs.push(e.and(b.cond, a.cond, headersDiffer(e, b.final, a.final)));
    questions.push({ kind: 'translated', place: k, delivery: place(k), cond: e.and(known, e.or(...pairs)) });
  }
  return { questions: questions.filter((q) => q.cond !== false), unknown, any: e.or(...questions.map((q) => q.cond)) };
}
