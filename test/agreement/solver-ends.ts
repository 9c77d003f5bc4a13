// The solver's side of an agreement check, two ways:
// - `walkedKeys`: the symbolic walker (src/smt/walk.ts) run on the packet as constants. Every branch
//   condition folds, so the device models are compared without any solver call; the sender condition
//   (src/smt/sources.ts) must also fold to true: the packet is one its sender may send. The one
//   exception is a value the kernel draws at random (a --random-fully SNAT port): the evaluator shows a
//   representative draw, so the solver's ends are read for that same draw (one solver call, and a path
//   condition must be decided by the draw alone).
// - `exploredKeys`: `explore` with `sent: { packet }`, the way a query fixes a packet. The packet's
//   fields are then Z3 variables pinned by the sent constraint, so branch conditions stay terms: one
//   solver check finds the model of the sent packet, each end's condition is evaluated in it, and one
//   more check proves that no end the model rules out is feasible for another choice of the fields
//   the packet leaves free (an ICMP packet's ports, a TCP packet's ICMP type). Random draws are fixed
//   to the evaluator's representatives in both checks.
// Guarantees: a solver `unknown` (timeout included, through Z3's own `timeout`) is reported as such,
// never taken as agreement.
import type { Dataplane, Station } from '../../src/ir/dataplane.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { ConvergedState } from '../../src/evaluate/index.ts';
import { explore, getZ3, type Cond, type SourceSpec } from '../../src/smt/index.ts';
import type { Val } from '../../src/smt/cond.ts';
import { concretePacket } from '../../src/smt/headers.ts';
import { pathCond } from '../../src/smt/path.ts';
import { senderCond } from '../../src/smt/sources.ts';
import { checkSat } from '../../src/smt/solve.ts';
import type { SymWalker } from '../../src/smt/walk.ts';
import { concreteNum, solverKey } from './ends.ts';

export type SolverKeys =
  | { readonly ok: true; readonly keys: Set<string>; readonly solverCalls: number }
  | { readonly ok: false; readonly why: string; readonly solverCalls: number };

/**
 * The walker's ends for `packet` sent by `station`, all folded concretely. `checkSender` false skips
 * the sender condition (for packets that are no first packet of a unicast flow).
 */
export async function walkedKeys(w: SymWalker, from: Station | SourceSpec, packet: Packet, checkSender = true): Promise<SolverKeys> {
  const e = w.e;
  const p = concretePacket(packet);
  const spec = 'station' in from ? from : { station: from };
  const station = spec.station;
  const sender = checkSender ? senderCond(w, spec, p) : true;
  if (sender !== true) return { ok: false, why: `the sender condition does not hold concretely (${String(sender)})`, solverCalls: 0 };
  const ends = w.fromStation(station, { pc: [], packet: p });
  const keys = new Set<string>();
  let calls = 0;
  let drawn: { holds: (c: Cond) => boolean; num: (v: Val) => number } | null = null;
  for (const end of ends) {
    const c = pathCond(e, end.path);
    if (c === true && [end.path.packet.sport, end.path.packet.ip_src].every((v) => typeof v === 'number')) { keys.add(solverKey(end, concreteNum)); continue; }
    if (c === false) continue;
    // Only a random draw may be left open: read the end for the evaluator's representative draw.
    if (drawn === null) {
      const ctx = await getZ3();
      calls++;
      const r = await checkSat(ctx, e, e.choicesAsReplayed(), 5_000);
      if (r.status !== 'sat') return { ok: false, why: `a path condition did not fold: ${String(c)}`, solverCalls: calls };
      const m = r.model;
      drawn = {
        holds: (x) => x === true || (x !== false && m.eval(e.bool(x), true).eqIdentity(ctx.Bool.val(true))),
        num: (v) => (typeof v === 'number' ? v : Number((m.eval(v, true) as unknown as { value(): bigint }).value())),
      };
    }
    // Decided by the draw alone: the opposite must be impossible with the draw fixed.
    const ctx = await getZ3();
    calls++;
    const other = await checkSat(ctx, e, e.and(e.choicesAsReplayed(), drawn.holds(c) ? e.not(c) : c), 5_000);
    if (other.status !== 'unsat') return { ok: false, why: `a path condition did not fold: ${String(c)}`, solverCalls: calls };
    if (drawn.holds(c)) keys.add(solverKey(end, drawn.num));
  }
  return { ok: true, keys, solverCalls: calls };
}

/** `explore` with the packet fixed, each end decided as described above. */
export async function exploredKeys(dp: Dataplane, station: Station | SourceSpec, packet: Packet, converged: ConvergedState, timeoutMs: number): Promise<SolverKeys> {
  const ctx = await getZ3();
  const { enc: e, outcomes } = await explore(dp, [station], { packet }, { converged, timeoutMs });
  if (outcomes.length === 0) return { ok: true, keys: new Set(), solverCalls: 0 };
  let calls = 1;
  const drawn = e.choicesAsReplayed();
  const some = await checkSat(ctx, e, e.and(drawn, e.or(...outcomes.map((o) => o.cond))), timeoutMs);
  if (some.status === 'unknown') return { ok: false, why: some.reason, solverCalls: calls };
  if (some.status === 'unsat') return { ok: true, keys: new Set(), solverCalls: calls };
  const m = some.model;
  const holds = (c: Cond) => c === true || (c !== false && m.eval(e.bool(c), true).eqIdentity(ctx.Bool.val(true)));
  // The high-level API gives bit-vector values as bigint.
  const num = (v: Val) => (typeof v === 'number' ? v : Number((m.eval(v, true) as unknown as { value(): bigint }).value()));
  const keys = new Set<string>();
  const ruledOut: Cond[] = [];
  for (const o of outcomes) {
    if (holds(o.cond)) keys.add(solverKey(o.end, num));
    else ruledOut.push(o.cond);
  }
  if (ruledOut.length > 0) {
    calls++;
    const other = await checkSat(ctx, e, e.and(drawn, e.or(...ruledOut)), timeoutMs);
    if (other.status === 'unknown') return { ok: false, why: other.reason, solverCalls: calls };
    if (other.status === 'sat') return { ok: false, why: 'an end is feasible only for another value of a field the packet leaves free', solverCalls: calls };
  }
  return { ok: true, keys, solverCalls: calls };
}
