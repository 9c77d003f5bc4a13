// `east-west`'s proof per pair of places: once a pair's concrete packet was delivered (east-west.ts),
// every first packet the sender's stack may send to the receiver — from its own MAC and address, to the
// next hop its ARP request resolved, to the receiver's address, IPv4 of any protocol, ports and ICMP
// type — that both ports' intents allow (sg-intent.ts: the sender's egress, the receiver's ingress) and
// that opens a connection is proved delivered to the receiver by some copy. One symbolic walk of the
// sender's packets to the receiver's address; the pairs' questions ("allowed, and no delivered end")
// asked in batches, as security-groups asks its firewalls'.
// Why only after a delivered concrete packet: its ARP exchange fixed the first hop (the receiver's MAC on
// its subnet, the router's through it), and a pair whose ARP is unanswered is already a violation.
// Guarantees: `proved` only on an unsat answer covering the pair; a satisfiable question is a violation
// only when its packet, replayed through the evaluator with every copy of a flood followed, is allowed by
// both intents and delivers no copy to the receiver, with nothing unmodelled crossed (a replay that
// delivers it is a disagreement between the two engines, said as such). A packet the walk could only
// follow into something unmodelled, or a solver timeout, leaves the pair `undecided`: the caller then
// claims only the concrete packet for it.
import type { Packet } from '../../ir/packet.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { PortT, Topology } from '../../topology/model.ts';
import { checkSat, decodeWitness, defaultPreferences, explore, getZ3, telling, unsatIndices, type Cond, type Enc, type SymPacket } from '../../smt/index.ts';
import { concretePacket } from '../../smt/headers.ts';
import { ETH_TYPE } from '../../ir/packet.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { traceCopies } from '../guard.ts';
import { traceOutcome } from '../witness-replay.ts';
import { allows } from './sg-intent.ts';
import { ipNum, macNum, opensConnection } from './search.ts';
import { portLabel, unknown, type VmStation } from './common.ts';

/** A pair of ports whose concrete packet was delivered, and the first hop its sender's ARP resolved. */
export interface ProvedPair {
  readonly from: VmStation;
  readonly to: VmStation;
  readonly fromPort: PortT;
  readonly toPort: PortT;
  /** The destination MAC the sender's stack puts on the packet (the receiver's, or its router's). */
  readonly firstHopMac: string;
  /** How the pair is named in messages (`vm1:0 (compute1) → vm2:0 192.168.1.12 (compute2) through router1`). */
  readonly between: string;
}

export type PairProof =
  | { readonly kind: 'proved' }
  | { readonly kind: 'violated'; readonly result: PropertyResult }
  | { readonly kind: 'undecided'; readonly why: string };

/** Whether the port's intent lets `p` through in `dir`: everything without port security or with the `noop` driver. */
export function intent(e: Enc, topo: Topology, port: PortT, p: SymPacket, dir: 'ingress' | 'egress'): Cond {
  if (!port.portSecurity || topo.firewallDriver === 'noop') return true;
  return allows(e, topo, port, p, dir);
}

/** Delivered to `to`'s port by some copy. */
export const deliveredTo = (to: VmStation) => (t: Trace): boolean =>
  traceCopies(t).some((c) => c.disposition === 'delivered' && c.deliveredTo?.kind === 'vm' && c.deliveredTo.vm === to.vm && c.deliveredTo.port === to.index);

interface Question {
  readonly pair: ProvedPair;
  readonly e: Enc;
  readonly sent: SymPacket;
  /** Allowed, sent as the stack sends it, and delivered by no end that was followed to its end. */
  readonly missed: Cond;
  /** Some end of such a packet was not followed to its end (unmodelled, depth): nothing to decide there. */
  readonly unfinished: Cond;
}

async function questionOf(ctx: VerifyContext, pair: ProvedPair): Promise<Question | null> {
  const { from, to } = pair;
  // Only the sender's own MAC and address are asked about (what its stack sends), so only those are walked:
  // the walk of every source a VM may forge carries its firewall's anti-spoofing in every path condition.
  const own = { station: from, anySource: false } as const;
  const x = await explore(ctx.dataplane, [own], { ipDst: [{ ip: to.ip, prefixLen: 32 }], ipSrc: [{ ip: from.ip, prefixLen: 32 }] }, { converged: ctx.evaluator.converged, timeoutMs: ctx.timeoutMs, keep: telling, onlyTelling: true });
  const e = x.enc;
  const sent = x.outcomes[0]?.sent;
  // The concrete packet was delivered, so some end is: without one the walk and the evaluator disagree.
  if (sent === undefined) return null;
  const delivered = x.outcomes.filter((o) => o.end.kind === 'end' && o.end.disposition === 'delivered' && o.end.arpOwner === null && o.end.delivery?.kind === 'vm' && o.end.delivery.vm === to.vm && o.end.delivery.port === to.index);
  const asSent = e.and(
    e.eq(sent.eth_src, macNum(from.mac), 48), e.eq(sent.ip_src, ipNum(from.ip), 32),
    e.eq(sent.eth_dst, macNum(pair.firstHopMac), 48), e.eq(sent.ip_dst, ipNum(to.ip), 32), e.eq(sent.eth_type, ETH_TYPE.ipv4, 16),
  );
  const allowed = e.and(asSent, opensConnection(e, sent), intent(e, ctx.topology, pair.fromPort, sent, 'egress'), intent(e, ctx.topology, pair.toPort, sent, 'ingress'));
  const missed = e.and(allowed, e.not(e.or(...delivered.map((o) => o.cond))));
  const unfinished = e.or(...x.outcomes.filter((o) => o.end.kind === 'unknown').map((o) => o.cond));
  return { pair, e, sent, missed, unfinished };
}

const describe = (p: Packet): string => {
  const l4 = p.dport !== null ? ` port ${p.dport}` : p.icmp_type !== null ? ` type ${p.icmp_type}/${p.icmp_code}` : '';
  return `${p.proto === 6 ? 'tcp' : p.proto === 17 ? 'udp' : p.proto === 1 ? 'icmp' : `protocol ${p.proto}`}${l4}${p.sport !== null ? ` from port ${p.sport}` : ''}`;
};

/** A satisfiable pair's witness, replayed: the violation it shows, or why it decides nothing. */
async function witnessed(ctx: VerifyContext, subject: string, q: Question): Promise<PairProof> {
  const { e, pair } = q;
  const z3 = await getZ3();
  const r = await checkSat(z3, e, e.and(q.missed, e.not(q.unfinished)), ctx.timeoutMs);
  if (r.status === 'unknown') return { kind: 'undecided', why: r.reason };
  if (r.status === 'unsat') return { kind: 'undecided', why: 'the packets not delivered were followed into something not modelled' };
  // A packet a person would send where the question leaves room (tcp, a well-known port, source port 40000).
  const prefs = defaultPreferences(e, q.sent, { ip: ipNum(pair.from.ip), prefixLen: 32, mac: macNum(pair.from.mac) });
  const w = (await decodeWitness(e, r.solver, r.model, q.sent, prefs)).packet;
  const c = concretePacket(w);
  if (intent(e, ctx.topology, pair.fromPort, c, 'egress') !== true || intent(e, ctx.topology, pair.toPort, c, 'ingress') !== true) {
    return { kind: 'violated', result: unknown('east-west', subject, `${pair.between}: the solver's packet ${describe(w)} is not one both ports' groups allow (solver and intent disagree)`) };
  }
  const t = ctx.evaluator.trace(pair.from, w, { everyCopy: true });
  const reached = deliveredTo(pair.to);
  if (t.uncertain.length > 0) return { kind: 'undecided', why: `its packet ${describe(w)} crosses something not modelled: ${t.uncertain.join('; ')}` };
  if (reached(t)) {
    return { kind: 'violated', result: { ...unknown('east-west', subject, `${pair.between}: the solver says ${describe(w)} is not delivered, the evaluator delivers it: solver and evaluator disagree`), witness: w, trace: t } };
  }
  return {
    kind: 'violated',
    result: {
      property: 'east-west', subject, verdict: 'violated', witness: w, trace: t,
      claim: { says: `is not delivered to ${portLabel(pair.to)}`, shownBy: (x: Trace) => !reached(x) },
      message: `${pair.between}: ${describe(w)}, which both ports' groups allow, is not delivered (other packets are): ${traceOutcome(t)}`,
    },
  };
}

/**
 * Each pair proved, violated (with its witness and trace; an engines' disagreement comes as an
 * `unknown` result) or undecided, in the order given; `subject` is the result a pair's violation is
 * for. The questions of every pair, of every network, are asked in batches: unsat together is every
 * pair of the batch proved at once (a check's cost is mostly its own, not its size).
 */
export async function provePairs(ctx: VerifyContext, pairs: readonly { readonly subject: string; readonly pair: ProvedPair }[]): Promise<PairProof[]> {
  const qs: (Question | null)[] = [];
  for (const p of pairs) qs.push(await questionOf(ctx, p.pair));
  const live = qs.flatMap((q, i) => (q === null ? [] : [i]));
  // No end of the walk at all where the evaluator delivered the pair's packet: the engines disagree, said as such.
  const out: PairProof[] = pairs.map((p) => ({ kind: 'violated', result: unknown('east-west', p.subject, `${p.pair.between}: the evaluator delivers its packet, the solver's walk of the sender's packets ends nowhere: solver and evaluator disagree`) }));
  // The walks of one dataplane share their encoder (starts.ts walkerFor): one batch holds every pair's
  // question, a disjunction, so shared variable names change nothing. Grouped by encoder all the same.
  const z3 = await getZ3();
  for (const e of new Set(live.map((i) => qs[i]!.e))) {
    const mine = live.filter((i) => qs[i]!.e === e);
    const proved = await unsatIndices(z3, e, mine.map((i) => qs[i]!.missed), ctx.timeoutMs);
    for (const [j, i] of mine.entries()) out[i] = proved.has(j) ? { kind: 'proved' } : await witnessed(ctx, pairs[i]!.subject, qs[i]!);
  }
  return out;
}
