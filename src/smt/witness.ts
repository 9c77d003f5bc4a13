// Witness decoding: a model of the sent packet's variables as a concrete `Packet` a person would send.
// Preferences are tried one at a time (push, check, keep or pop): TCP, a well-known destination port
// (80, 443, 22), source port 40000, an ICMP echo request when not TCP, the sender's own address (else
// its subnet) as source, a destination outside 0.0.0.0/8 and the limited broadcast. Guarantees: the returned packet satisfies every hard constraint (a preference that would
// violate one is dropped); without any preference holding it is the plain model. Among the ends of
// several senders (`witnessAmong`), the packet is decoded with the variables of the sender whose end
// the refined model takes, and attributed to that sender. Settled (`DecodeOptions.settle`), the fields the
// preferences leave free take values of the question's alone (settle-witness.ts).
import type { Packet } from '../ir/packet.ts';
import { ETH_TYPE, IP_PROTO, protoHasPorts } from '../ir/packet.ts';
import { runCheck, type Model, type Z3Solver } from './z3.ts';
import type { SymPacket } from './headers.ts';
import { WIDTH, numToIp, numToMac } from './headers.ts';
import type { Cond, Enc, Val } from './cond.ts';
import { anyOf, type Conjunction } from './factor.ts';
import { settleFreeFields, type SettledField } from './settle-witness.ts';

export interface Preference {
  readonly name: string;
  readonly cond: Cond;
  /** Fields the condition sets to one value: a preference pinning a field kept at another value cannot hold, and is not asked. */
  readonly pins?: Readonly<Partial<Record<keyof SymPacket, number>>>;
}

/** The default preferences for a sent packet; `subnet` is the sender's own address and prefix length. */
export function defaultPreferences(e: Enc, p: SymPacket, subnet: { ip: number; prefixLen: number; mac?: number } | null): Preference[] {
  const out: Preference[] = [
    // A VM may send from any address, but a witness from its own reads as traffic, not as an attack.
    ...(subnet?.mac !== undefined ? [{ name: "the sender's own MAC and address", cond: e.and(e.eq(p.eth_src, subnet.mac, 48), e.eq(p.ip_src, subnet.ip, 32)), pins: { eth_src: subnet.mac, ip_src: subnet.ip } }] : []),
    { name: 'tcp', cond: e.eq(p.proto, IP_PROTO.tcp, 8), pins: { proto: IP_PROTO.tcp } },
    { name: 'dport 80', cond: e.eq(p.dport, 80, 16), pins: { dport: 80 } },
    { name: 'dport 443', cond: e.eq(p.dport, 443, 16), pins: { dport: 443 } },
    { name: 'dport 22', cond: e.eq(p.dport, 22, 16), pins: { dport: 22 } },
    { name: 'sport 40000', cond: e.eq(p.sport, 40000, 16), pins: { sport: 40000 } },
    { name: 'udp', cond: e.eq(p.proto, IP_PROTO.udp, 8), pins: { proto: IP_PROTO.udp } },
    { name: 'icmp echo', cond: e.and(e.eq(p.proto, IP_PROTO.icmp, 8), e.eq(p.icmp_type, 8, 8), e.eq(p.icmp_code, 0, 8)), pins: { proto: IP_PROTO.icmp, icmp_type: 8, icmp_code: 0 } },
  ];
  if (subnet !== null) {
    out.push({ name: 'the sender\'s own address', cond: e.eq(p.ip_src, subnet.ip, 32), pins: { ip_src: subnet.ip } });
    out.push({ name: 'source in subnet', cond: e.prefix(p.ip_src, subnet.ip, subnet.prefixLen) });
  } else {
    // The outside world may send from any address; a witness reads best from one everybody knows.
    out.push({ name: 'a well-known internet host', cond: e.eq(p.ip_src, 0x08080808, 32), pins: { ip_src: 0x08080808 } });
  }
  // A destination a person would use: not 0.0.0.0/8 nor the limited broadcast.
  out.push({ name: 'a usable destination', cond: e.and(e.not(e.prefix(p.ip_dst, 0, 8)), e.not(e.eq(p.ip_dst, 0xffffffff, 32))) });
  // A "real" port: not 0.
  out.push({ name: 'sport > 0', cond: e.not(e.eq(p.sport, 0, 16)) }, { name: 'dport > 0', cond: e.not(e.eq(p.dport, 0, 16)) });
  return out;
}

/**
 * Checks the witness saves: `questionPins`, `decodeWitness` drops unasked a preference the question's own
 * pins contradict; `replayInFirstCheck`, `exists` asks the question with the random draws at their
 * replayed values in its first check, rather than in a check of their own. Only a test turns them off,
 * to hold the shortcuts to the straightforward way.
 */
export const witnessShortcuts = { questionPins: true, replayInFirstCheck: true };

/** How a witness is decoded: `settle` gives the fields the preferences leave free values of the question's alone (settle-witness.ts). */
export interface DecodeOptions {
  readonly settle?: boolean;
  /** Values a settled free field is tried at first (the sender's own MAC: a preference pins it only with the sender's own address). */
  readonly canonical?: Partial<Record<SettledField, readonly number[]>>;
}

/** Fields of the sent packet the question itself sets to one value (its sent constraint's pins). */
export type FixedFields = Readonly<Partial<Record<keyof SymPacket, number>>>;

/**
 * Refines the model with the preferences that stay satisfiable, then decodes the packet; returns the
 * refined model too (it says which end the witness takes). A preference the current model already
 * satisfies is kept without a solver call; one pinning a field that `fixed` (what the question pins:
 * every model has it) or a kept preference sets to another value is dropped without one.
 */
export async function decodeWitness(e: Enc, solver: Z3Solver, model: Model, sent: SymPacket, prefs: readonly Preference[], fixed: FixedFields = {}, options: DecodeOptions = {}): Promise<{ packet: Packet; model: Model; reliesOnRandom: boolean; pinned: FixedFields }> {
  let best = model;
  let pushed = 0;
  // First, and not a mere preference: the values the kernel draws at random (--random-fully ports)
  // take the values a replay gives them. When that is impossible the outcome depends on the draw,
  // and the caller must not call the packet a witness.
  const replayed = e.choicesAsReplayed();
  if (replayed !== true) {
    solver.push();
    solver.add(e.bool(replayed));
    pushed++;
    if (!holds(e, best, replayed)) {
      if ((await runCheck(solver)) === 'sat') best = solver.model();
      else {
        solver.pop();
        return { packet: decode(best, sent), model: best, reliesOnRandom: true, pinned: fixed };
      }
    }
  }
  // The values the question and the kept preferences pinned: a later preference pinning such a field to
  // another value is unsatisfiable with them (the check it would cost says unsat: a query for tcp/443
  // never has dport 80, an outside sender 203.0.113.7 is never 8.8.8.8), so it is dropped unasked.
  const kept = new Map<string, number>(witnessShortcuts.questionPins ? Object.entries(fixed).filter((x): x is [string, number] => x[1] !== undefined) : []);
  // What the witness's value of a field is not free in (the question's pins and the kept preferences'):
  // the caller may give every other field a canonical value (src/questions/canonical-witness.ts).
  const pinned: Record<string, number> = Object.fromEntries(Object.entries(fixed).filter((x): x is [string, number] => x[1] !== undefined));
  const keep = (pref: Preference) => { for (const [f, v] of Object.entries(pref.pins ?? {})) { kept.set(f, v); pinned[f] = v; } };
  for (const pref of prefs) {
    // A preference every packet meets pins its fields all the same (a concrete sender's own MAC).
    if (pref.cond === true && !Object.entries(pref.pins ?? {}).some(([f, v]) => kept.has(f) && kept.get(f) !== v)) for (const [f, v] of Object.entries(pref.pins ?? {})) pinned[f] = v;
    if (typeof pref.cond === 'boolean') continue;
    if (Object.entries(pref.pins ?? {}).some(([f, v]) => kept.has(f) && kept.get(f) !== v)) continue;
    solver.push();
    solver.add(e.bool(pref.cond));
    pushed++;
    if (holds(e, best, pref.cond)) { keep(pref); continue; }
    if ((await runCheck(solver)) === 'sat') { best = solver.model(); keep(pref); }
    else {
      solver.pop();
      pushed--;
    }
  }
  if (options.settle) {
    const s = await settleFreeFields(e, solver, best, sent, pinned, num, options.canonical);
    best = s.model;
    pushed += s.pushed;
  }
  const packet = decode(best, sent);
  for (let i = 0; i < pushed; i++) solver.pop();
  return { packet, model: best, reliesOnRandom: false, pinned };
}

/** Does the model make the condition true? */
export function holds(e: Enc, m: Model, c: Cond): boolean {
  if (typeof c === 'boolean') return c;
  return m.eval(e.bool(c), true).eqIdentity(e.ctx.Bool.val(true));
}

function num(m: Model, v: Val): number {
  if (typeof v === 'number') return v;
  const r = m.eval(v, true);
  // The high-level API gives bit-vector values as bigint.
  const x = (r as unknown as { value(): bigint }).value();
  return Number(x);
}

/** The concrete packet a model gives the symbolic one. */
export function decode(m: Model, s: SymPacket): Packet {
  const ethType = num(m, s.eth_type);
  const proto = num(m, s.proto);
  const v4 = ethType === ETH_TYPE.ipv4;
  const ported = v4 && protoHasPorts(proto);
  const icmp = v4 && proto === IP_PROTO.icmp;
  return {
    eth_src: numToMac(num(m, s.eth_src)),
    eth_dst: numToMac(num(m, s.eth_dst)),
    vlan: s.vlan === null ? null : num(m, s.vlan) % 2 ** WIDTH.vlan,
    tun_id: s.tun_id === null ? null : num(m, s.tun_id),
    eth_type: ethType,
    ip_src: numToIp(num(m, s.ip_src)),
    ip_dst: numToIp(num(m, s.ip_dst)),
    proto,
    sport: ported ? num(m, s.sport) : null,
    dport: ported ? num(m, s.dport) : null,
    icmp_type: icmp ? num(m, s.icmp_type) : null,
    icmp_code: icmp ? num(m, s.icmp_code) : null,
  };
}

/** One end a witness may take: its condition (path condition and predicate), who sends, and the sender's packet variables. */
export interface WitnessHit extends Conjunction {
  /** The sender, compared by identity: ends with the same sender share its packet variables. */
  readonly sender: object;
  readonly sent: SymPacket;
}

/**
 * The witness of a satisfiable disjunction over `hits` (the solver holds it, `model` satisfies it):
 * the sender whose end the model takes (settled, `optionsOf`: the first in the hits' order that has one), the preferences (`prefs` of that end) refined within that
 * sender's ends only, the packet decoded with that sender's variables, and the end the refined model
 * takes (`fixed`: what the question pins in every sender's packet). Several senders' variables may share names (one question over every sender) but never their
 * VLAN tag, which is the station's: a model refined across senders could land on another sender's end
 * while the packet is read with the first one's tag — a witness its own replay contradicts.
 */
export async function witnessAmong<H extends WitnessHit>(e: Enc, solver: Z3Solver, model: Model, hits: readonly H[], prefs: (first: H) => readonly Preference[], fixed: FixedFields = {}, optionsOf: (first: H) => DecodeOptions = () => ({})): Promise<{ packet: Packet; model: Model; hit: H; reliesOnRandom: boolean; pinned: FixedFields }> {
  const cond = (h: H) => e.and(...h.pc, h.last);
  const byModel = { hit: hits.find((h) => holds(e, model, cond(h))) ?? hits[0]!, model };
  // Settled, the sender is the first in the hits' order that has one (not the one the model takes).
  const chosen = optionsOf(byModel.hit).settle ? ((await firstSender(e, solver, hits, model)) ?? byModel) : byModel;
  const first = chosen.hit;
  const mine = hits.filter((h) => h.sender === first.sender);
  if (mine.length < hits.length) solver.add(e.bool(anyOf(e, mine)));
  const d = await decodeWitness(e, solver, chosen.model, first.sent, prefs(first), fixed, optionsOf(first));
  const hit = mine.find((h) => holds(e, d.model, cond(h))) ?? first;
  return { ...d, hit };
}

/**
 * The first hit of the first sender, in the hits' order, whose hits are satisfiable with what `solver`
 * holds (it holds their disjunction, found sat), and a model of that sender's hits: halving over the
 * senders, one pushed check each; null when a check did not answer.
 */
async function firstSender<H extends WitnessHit>(e: Enc, solver: Z3Solver, hits: readonly H[], model: Model): Promise<{ hit: H; model: Model } | null> {
  const senders = [...new Set(hits.map((h) => h.sender))];
  if (senders.length === 1) return { hit: hits[0]!, model };
  const ask = async (ss: readonly object[]): Promise<Model | 'unsat' | 'unknown'> => {
    solver.push();
    solver.add(e.bool(anyOf(e, hits.filter((h) => ss.includes(h.sender)))));
    const r = await runCheck(solver);
    const m = r === 'sat' ? solver.model() : r;
    solver.pop();
    return m;
  };
  // Invariant: some sender in [lo, hi] has a satisfiable hit, none before lo does; `found` is a model of [lo, hi]'s hits once asked.
  let lo = 0;
  let hi = senders.length - 1;
  let found: Model | null = null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = await ask(senders.slice(lo, mid + 1));
    if (r === 'unknown') return null;
    if (r === 'unsat') { lo = mid + 1; found = null; } else { hi = mid; found = r; }
  }
  if (found === null) {
    const r = await ask([senders[lo]!]);
    if (typeof r === 'string') return null;
    found = r;
  }
  return { hit: hits.find((h) => h.sender === senders[lo])!, model: found };
}
