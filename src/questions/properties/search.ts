// The symbolic search the solver-backed properties share: one exploration per (sender, sent
// constraint) per verify run, reused by every property that asks about that sender's packets, and a
// "some packet whose end satisfies P?" check over it with the same meaning as the SMT core's
// `exists` (tainted and unfinished ends count against a "no"). Witnesses are decoded with
// preferences (TCP, a well-known port, the sender's subnet) and replayed through the evaluator: a
// disagreement becomes `unknown` with an error, never a verdict.
// Why not `exists` directly: it re-explores the sender's paths on every call, and several properties
// ask about the same sender; this keeps one exploration per sender per run (DESIGN §6).
import type { Station } from '../../ir/dataplane.ts';
import type { Packet } from '../../ir/packet.ts';
import type { Trace } from '../../evaluate/trace.ts';
import { explore, getZ3, type Cond, type Enc, type End, type SentConstraint, type SourceSpec, type SymPacket, type Val } from '../../smt/index.ts';
import type { VerifyContext } from '../property.ts';
import { disagreementText, replayWitness } from '../witness-replay.ts';
import { ETH_TYPE, IP_PROTO } from '../../ir/packet.ts';
import { formatIpv4 as numToIp, ipv4ToNumber } from '../../net/ipv4.ts';
import { formatMac as numToMac, macToNumber } from '../../net/mac.ts';

type Ctx = Awaited<ReturnType<typeof getZ3>>;
type Solver = InstanceType<Ctx['Solver']>;
type Model = ReturnType<Solver['model']>;
type Exploration = Awaited<ReturnType<typeof explore>>;
type Outcome = Exploration['outcomes'][number];

/** A finished end: its disposition and where it was delivered. */
export type FinishedEnd = Extract<End, { kind: 'end' }>;

/** What a property asks of one end: the condition (on the sent and final packet) of a violation. */
export type EndPredicate = (e: Enc, sent: SymPacket, final: SymPacket, end: FinishedEnd) => Cond;

export type SearchResult =
  | { readonly kind: 'none'; readonly ends: number }
  | { readonly kind: 'unknown'; readonly reason: string }
  | { readonly kind: 'found'; readonly witness: Packet; readonly source: Station; readonly end: FinishedEnd };

const cache = new WeakMap<VerifyContext, Map<string, Promise<Exploration>>>();

const stationKey = (s: Station) => (s.kind === 'vm-port' ? `vm:${s.portId}` : `outside:${s.network}`);

/** The exploration of `src`'s packets within `sent`, computed once per verify run. */
export function explored(ctx: VerifyContext, src: SourceSpec, sent: SentConstraint = {}): Promise<Exploration> {
  let m = cache.get(ctx);
  if (!m) cache.set(ctx, (m = new Map()));
  const k = `${stationKey(src.station)}|${src.anySource ?? false}|${JSON.stringify(src.allowedAddressPairs ?? [])}|${JSON.stringify(sent)}`;
  let x = m.get(k);
  if (!x) m.set(k, (x = explore(ctx.dataplane, [src], sent, { converged: ctx.evaluator.converged, timeoutMs: ctx.timeoutMs })));
  return x;
}

const isTrue = (m: Model, ctx: Ctx, e: Enc, c: Cond): boolean =>
  c === true || (c !== false && m.eval(e.bool(c), true).eqIdentity(ctx.Bool.val(true)));

async function check(ctx: Ctx, e: Enc, c: Cond, timeoutMs: number): Promise<{ s: 'sat'; solver: Solver; model: Model } | { s: 'unsat' } | { s: 'unknown'; why: string }> {
  if (c === false) return { s: 'unsat' };
  const solver = new ctx.Solver();
  solver.set('timeout', Math.max(1, Math.floor(timeoutMs)));
  solver.add(e.bool(c));
  const r = await solver.check();
  if (r === 'unsat') return { s: 'unsat' };
  if (r === 'unknown') return { s: 'unknown', why: `solver: ${solver.reasonUnknown()}` };
  return { s: 'sat', solver, model: solver.model() };
}

/**
 * Is there a packet `src` may send (within `sent`) whose end satisfies `pred`? `none` is a proof over
 * all of them; `unknown` when the solver timed out or an unmodelled/unfinished path could satisfy it.
 */
export async function search(ctx: VerifyContext, src: SourceSpec, pred: EndPredicate, sent: SentConstraint = {}): Promise<SearchResult> {
  const z3 = await getZ3();
  const { enc: e, outcomes } = await explored(ctx, src, sent);
  const clean = (o: Outcome) => (o.end.path.taint ?? []).length === 0;
  const cands: { o: Outcome; end: FinishedEnd; c: Cond }[] = [];
  for (const o of outcomes) {
    if (o.end.kind !== 'end') continue;
    const c = e.and(o.cond, pred(e, o.sent, o.final, o.end));
    if (c !== false) cands.push({ o, end: o.end, c });
  }
  const hits = cands.filter((x) => clean(x.o));
  const r = await check(z3, e, e.or(...hits.map((h) => h.c)), ctx.timeoutMs);
  if (r.s === 'unknown') return { kind: 'unknown', reason: r.why };
  if (r.s === 'sat') {
    // Preferences over every violating end at once, then the end the preferred model takes.
    const sent0 = hits[0]!.o.sent;
    const { model, packet } = await decodePreferred(e, r.solver, r.model, sent0, src.station);
    const h = hits.find((x) => isTrue(model, z3, e, x.c)) ?? hits[0]!;
    return { kind: 'found', witness: packet, source: src.station, end: h.end };
  }
  const unknowns = [
    ...outcomes.filter((o) => o.end.kind === 'unknown').map((o) => ({ c: o.cond, why: o.end.kind === 'unknown' ? o.end.reason : '' })),
    ...cands.filter((x) => !clean(x.o)).map((x) => ({ c: x.c, why: (x.o.end.path.taint ?? []).join('; ') })),
  ];
  const u = await check(z3, e, e.or(...unknowns.map((x) => x.c)), ctx.timeoutMs);
  if (u.s === 'unknown') return { kind: 'unknown', reason: u.why };
  if (u.s === 'sat') {
    const which = unknowns.find((x) => isTrue(u.model, z3, e, x.c)) ?? unknowns[0]!;
    return { kind: 'unknown', reason: `a path crosses something not modelled: ${which.why}` };
  }
  return { kind: 'none', ends: outcomes.length };
}

/** Preferences tried one at a time, kept when they stay satisfiable (DESIGN §5 witness decoding). */
async function decodePreferred(e: Enc, solver: Solver, model: Model, p: SymPacket, st: Station): Promise<{ model: Model; packet: Packet }> {
  const prefs: Cond[] = [
    e.eq(p.proto, IP_PROTO.tcp, 8), e.eq(p.dport, 80, 16), e.eq(p.dport, 443, 16), e.eq(p.dport, 22, 16), e.eq(p.sport, 40000, 16),
    e.eq(p.proto, IP_PROTO.udp, 8), e.and(e.eq(p.proto, IP_PROTO.icmp, 8), e.eq(p.icmp_type, 8, 8), e.eq(p.icmp_code, 0, 8)),
    st.kind === 'vm-port' ? e.eq(p.ip_src, ipNum(st.ip), 32) : true,
    // A destination a person would use: not 0.0.0.0/8 nor the limited broadcast.
    e.and(e.not(e.prefix(p.ip_dst, 0, 8)), e.not(e.eq(p.ip_dst, 0xffffffff, 32))),
    e.not(e.eq(p.sport, 0, 16)), e.not(e.eq(p.dport, 0, 16)),
  ];
  let best = model;
  let pushed = 0;
  for (const c of prefs) {
    if (typeof c === 'boolean') continue;
    solver.push();
    solver.add(e.bool(c));
    if ((await solver.check()) === 'sat') {
      best = solver.model();
      pushed++;
    } else solver.pop();
  }
  const packet = decode(best, p);
  for (let i = 0; i < pushed; i++) solver.pop();
  return { model: best, packet };
}

function num(m: Model, v: Val): number {
  if (typeof v === 'number') return v;
  // The high-level API gives bit-vector values as bigint.
  return Number((m.eval(v, true) as unknown as { value(): bigint }).value());
}

function decode(m: Model, s: SymPacket): Packet {
  const ethType = num(m, s.eth_type);
  const proto = num(m, s.proto);
  const v4 = ethType === ETH_TYPE.ipv4;
  const ported = v4 && (proto === IP_PROTO.tcp || proto === IP_PROTO.udp);
  const icmp = v4 && proto === IP_PROTO.icmp;
  return {
    eth_src: numToMac(num(m, s.eth_src)), eth_dst: numToMac(num(m, s.eth_dst)),
    vlan: s.vlan === null ? null : num(m, s.vlan) % 4096, tun_id: s.tun_id === null ? null : num(m, s.tun_id),
    eth_type: ethType, ip_src: numToIp(num(m, s.ip_src)), ip_dst: numToIp(num(m, s.ip_dst)), proto,
    sport: ported ? num(m, s.sport) : null, dport: ported ? num(m, s.dport) : null,
    icmp_type: icmp ? num(m, s.icmp_type) : null, icmp_code: icmp ? num(m, s.icmp_code) : null,
  };
}

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
export function copies(t: Trace): Trace[] {
  return [t, ...t.branches.flatMap(copies)];
}

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
