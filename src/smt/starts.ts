// Where a question's symbolic walk begins: one walker per dataplane (its ARP answers, flow tables,
// numerals and memo are reused by every question), the constraint a question puts on the packet as
// sent, and a sender's start paths — what is asked, the sender's identity, and one next-hop case each.
// Guarantees: the start paths of a sender partition exactly the packets it may send within the
// constraint (sources.ts), with exact values (one port, one protocol, one /32) pinned in the packet.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Cidr } from '../ir/openflow.ts';
import type { Cond, Enc, Val } from './cond.ts';
import type { SymPacket } from './headers.ts';
import { equalsPacket, hasPorts, ipToNum, isIcmp, macToNum } from './headers.ts';
import type { Binding, End, Guard, Path } from './path.ts';
import { assume, pinEq, unknownEnd } from './path.ts';
import { SymWalker, type WalkOptions } from './walk.ts';
import { type SourceSpec, senderCases, senderIdentities } from './sources.ts';
import { perInstance, type Ctx } from './z3.ts';
import type { QueryOptions, SentConstraint } from './index.ts';

/** The sent constraint as a guard: exact values (one port, one protocol, one /32) are pinned too. */
export function sentGuard(e: Enc, p: SymPacket, c: SentConstraint): Guard {
  const parts: Cond[] = [];
  const binds: Binding[] = [];
  const range = (field: 'sport' | 'dport', r: number | readonly [number, number]) => {
    if (typeof r !== 'number' && r[0] !== r[1]) return e.range(p[field], r[0], r[1], 16);
    const v = typeof r === 'number' ? r : r[0];
    binds.push({ field, value: v });
    return e.eq(p[field], v, 16);
  };
  if (c.proto !== undefined) pinEq(e, parts, binds, true, p, 'proto', c.proto, 8);
  if (c.sport !== undefined) parts.push(hasPorts(e, p), range('sport', c.sport));
  if (c.dport !== undefined) parts.push(hasPorts(e, p), range('dport', c.dport));
  if (c.icmpType !== undefined) pinEq(e, parts, binds, isIcmp(e, p), p, 'icmp_type', c.icmpType, 8);
  if (c.icmpCode !== undefined) pinEq(e, parts, binds, isIcmp(e, p), p, 'icmp_code', c.icmpCode, 8);
  const pinned = (field: 'ip_src' | 'ip_dst', cidrs: readonly Cidr[]) => {
    parts.push(e.or(...cidrs.map((x) => e.prefix(p[field], ipToNum(x.ip), x.prefixLen))));
    if (cidrs.length === 1 && cidrs[0]!.prefixLen >= 32) binds.push({ field, value: ipToNum(cidrs[0]!.ip) });
  };
  if (c.ipDst !== undefined) pinned('ip_dst', c.ipDst);
  if (c.ipSrc !== undefined) pinned('ip_src', c.ipSrc);
  if (c.packet !== undefined) {
    parts.push(equalsPacket(e, p, c.packet));
    const k = c.packet;
    binds.push({ field: 'eth_src', value: macToNum(k.eth_src) }, { field: 'eth_dst', value: macToNum(k.eth_dst) }, { field: 'eth_type', value: k.eth_type },
      { field: 'ip_src', value: ipToNum(k.ip_src) }, { field: 'ip_dst', value: ipToNum(k.ip_dst) }, { field: 'proto', value: k.proto });
    for (const f of ['sport', 'dport', 'icmp_type', 'icmp_code'] as const) {
      const v = k[f];
      if (v !== null) binds.push({ field: f, value: v });
    }
  }
  const cond = e.and(...parts);
  return { cond, binds: cond === false ? [] : binds };
}

/**
 * One walker per dataplane and Z3 context: its ARP answers, flow tables and numerals are reused. Per
 * instance: a walker holds terms of its context, and with them the whole instance an ended one was.
 */
const walkers = perInstance(() => new WeakMap<Dataplane, Map<string, SymWalker>>());

export function walkerFor(ctx: Ctx, dp: Dataplane, opts: QueryOptions & WalkScope): SymWalker {
  let m = walkers().get(dp);
  if (!m) walkers().set(dp, (m = new Map()));
  const key = `${opts.maxHops ?? ''}|${opts.stopAcrossExternal === true}|${opts.stopAt === undefined ? '' : marksId(opts.stopAt)}|${opts.onlyTelling === true}|${opts.marks === undefined ? '' : marksId(opts.marks)}|${opts.untoldCrossings === false}|${opts.split === undefined ? '' : marksId(opts.split)}|${opts.cutOnce === true}`;
  const w = m.get(key);
  if (w && w.e.ctx === ctx && w.converged === opts.converged) return w;
  // Walkers of one dataplane and context share their encoder: explorations made with different
  // options can be asked about in one formula.
  const peer = [...m.values()].find((x) => x.e.ctx === ctx);
  const fresh = new SymWalker(ctx, dp, {
    ...(opts.converged ? { converged: opts.converged } : {}),
    ...(opts.maxHops !== undefined ? { maxHops: opts.maxHops } : {}),
    ...(opts.stopAcrossExternal === true ? { stopAcrossExternal: true } : {}),
    ...(opts.stopAt !== undefined ? { stopAt: opts.stopAt } : {}),
    ...(opts.onlyTelling === true ? { onlyTelling: true } : {}),
    ...(opts.marks !== undefined ? { marks: opts.marks } : {}),
    ...(opts.untoldCrossings === false ? { untoldCrossings: false } : {}),
    ...(opts.split !== undefined ? { split: opts.split } : {}),
    ...(opts.cutOnce === true ? { cutOnce: true } : {}),
  }, peer?.e);
  m.set(key, fresh);
  return fresh;
}

/** How far a walk goes, what it keeps and what it watches for (see `WalkOptions`). */
export interface WalkScope {
  readonly stopAcrossExternal?: boolean;
  readonly stopAt?: WalkOptions['stopAt'];
  readonly onlyTelling?: boolean;
  readonly marks?: WalkOptions['marks'];
  readonly split?: WalkOptions['split'];
  readonly untoldCrossings?: WalkOptions['untoldCrossings'];
  readonly cutOnce?: WalkOptions['cutOnce'];
}

/** A walker watching for other devices, or cutting at other routers, is another walker (what it noted is per set of marks). */
const marks = new WeakMap<object, number>();
let marked = 0;
const marksId = (m: object): number => {
  let id = marks.get(m);
  if (id === undefined) marks.set(m, (id = ++marked));
  return id;
};

/**
 * A sender's packet variables (named `prefix.<field>`), its start paths within `sent`, and the
 * `unknown` ends of the packets whose first hop could not be resolved (their ARP crossed something
 * not modelled).
 */
export function senderStarts(w: SymWalker, src: SourceSpec, prefix: string, sent: SentConstraint): { sent: SymPacket; starts: Path[]; unresolved: End[] } {
  const e = w.e;
  const vlan = src.station.kind === 'outside' ? src.station.vlan : null;
  const p = w.symbolic(prefix, vlan);
  const asked = sentGuard(e, p, sent);
  const sentPath = assume({ pc: [], packet: p }, asked.cond, asked.binds);
  if (!sentPath) return { sent: p, starts: [], unresolved: [] };
  notePin(p, asked);
  const starts: Path[] = [];
  const unresolved: End[] = [];
  for (const id of senderIdentities(w, src, sentPath.packet)) {
    const base = assume(sentPath, id.cond, id.binds);
    if (!base) continue;
    notePin(sentPath.packet, id);
    for (const c of senderCases(w, src, base.packet)) {
      const start = assume(base, c.cond, c.binds);
      if (!start) continue;
      if (c.unknown !== undefined) unresolved.push(unknownEnd(`the sender's first hop: ${c.unknown}`, start));
      else starts.push(start);
    }
  }
  return { sent: p, starts, unresolved };
}

/**
 * Conditions a sender's start puts on its path that pin the sent source MAC (the variable `v`) to one
 * value: the guard's `binds` say so (a guard's condition implies each of its bindings). A path
 * condition holds its start's conjuncts as the same term objects to its end (walks, the memo and
 * merging append to it or keep the shared prefix), so an end's condition shows what its sent MAC was
 * pinned to without the solver.
 */
const macPins = new WeakMap<object, { readonly v: Val; readonly mac: number }>();

/** Notes `g`'s condition as a pin of `p`'s source MAC, when `g` (built on `p`) binds it and it is still a variable there. */
function notePin(p: SymPacket, g: Guard): void {
  const b = g.binds.find((x) => x.field === 'eth_src');
  if (b !== undefined && typeof g.cond !== 'boolean' && typeof p.eth_src !== 'number') macPins.set(g.cond, { v: p.eth_src, mac: b.value });
}

/**
 * The value a path condition pins the sent source MAC `sentMac` to, found among its conjuncts as a
 * sender's start put it there (`senderStarts`); null when none is found (the MAC may be any, or the
 * pin is inside a merged disjunction): then nothing is known, never something wrong.
 */
export function sentMacPin(pc: readonly Cond[], sentMac: Val): number | null {
  if (typeof sentMac === 'number') return sentMac;
  for (const c of pc) {
    if (typeof c === 'boolean') continue;
    const pin = macPins.get(c);
    if (pin !== undefined && pin.v === sentMac) return pin.mac;
  }
  return null;
}
