// The solver held to the evaluator on symbolic packets, for one topology (the checks the fuzz
// suites and `npm run fuzz` run on every generated case):
// - `symbolicAgreement`: from each source, every path end of `explore` with the packet left free. For
//   each end the solver does not prove empty a model is taken and the packet it gives is replayed
//   through the evaluator: the end (its place — VM port, namespace or outside network — or its kind of
//   stop, with the final headers the model gives) must be one of the evaluator's copies; and the
//   walker run on that packet as constants (every end of the source decided for it, no solver) must
//   end exactly as the evaluator does.
// - `concreteAgreement` (the converse): a concrete packet a station sends is explored with the packet
//   fixed; every copy the evaluator delivers or sends out is found feasible by the solver, with the
//   same final headers, and nothing else is.
// Guarantees: a solver `unknown` (timeout) or an end or copy through something not modelled is counted
// as such and never as agreement; every disagreement carries the packet and both sides' ends.
import { stationName } from '../../src/semantics/station-key.ts';
import type { Station } from '../../src/ir/dataplane.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { Model } from '../../src/pipeline.ts';
import type { Evaluator } from '../../src/evaluate/index.ts';
import { explore, getZ3, type Cond } from '../../src/smt/index.ts';
import { runCheck, type Ctx } from '../../src/smt/z3.ts';
import type { Check } from '../../src/smt/solve.ts';
import type { Enc, Val } from '../../src/smt/cond.ts';
import { walkerFor } from '../../src/smt/starts.ts';
import { decode } from '../../src/smt/witness.ts';
import type { Model as Z3Model } from '../../src/smt/z3.ts';
import { sourceSpec } from '../../src/questions/properties/common.ts';
import { copies, difference, evaluatorKeys, solverKey } from '../agreement/ends.ts';
import { exploredKeys, walkedKeys } from '../agreement/solver-ends.ts';

export interface Disagreement {
  readonly source: string;
  readonly packet: Packet;
  readonly onlySolver: readonly string[];
  readonly onlyEvaluator: readonly string[];
  readonly note?: string;
}

export interface AgreementCounts {
  sources: number;
  /** Path ends explored. */
  ends: number;
  /** Ends the solver proved empty. */
  empty: number;
  /** Models taken and replayed through the evaluator. */
  replayed: number;
  /** Replays whose ends were compared (neither side through something not modelled, no timeout). */
  compared: number;
  /** Replays or ends left unsettled: a solver timeout, an end or trace through something not modelled. */
  unknown: number;
  /** `unknown` by cause (`unknownCause`). */
  unknownBy: Record<string, number>;
  /** Ends left unchecked: by `maxEndsPerSource`, or reached only for a random draw other than the replayed one. */
  unchecked: number;
}

export const zeroCounts = (): AgreementCounts => ({ sources: 0, ends: 0, empty: 0, replayed: 0, compared: 0, unknown: 0, unknownBy: {}, unchecked: 0 });

/**
 * Why a replay or an end was left unsettled, in a few words: the solver's own `unknown` (a timeout
 * under load, mostly), the solver's walk stopped by its budget of ends or its depth bound, something
 * netproof does not model on the solver's path (an unsupported match or action, an ARP answer through
 * one), or the evaluator's trace marked uncertain (the same bounds, or an unsupported construct).
 */
export function unknownCause(why: string): string {
  if (/^solver: .*(timeout|canceled)/i.test(why)) return 'solver timeout';
  if (why.startsWith('solver: ')) return 'solver unknown';
  if (why.startsWith('budget: ')) return 'walk budget';
  if (/path longer than \d+ devices|device visit/.test(why)) return 'depth bound';
  if (why.startsWith('evaluator: ')) return 'evaluator uncertain';
  return 'not modelled';
}

/** Counts one unknown, by its cause. */
export function countUnknown(c: AgreementCounts, why: string): void {
  c.unknown++;
  const k = unknownCause(why);
  c.unknownBy[k] = (c.unknownBy[k] ?? 0) + 1;
}

/** A station as regression files name it (`vm1:0`, `outside:public@203.0.113.0/24`). */
export const stationLabel = stationName;

const numIn = (m: Z3Model) => (v: Val): number => (typeof v === 'number' ? v : Number((m.eval(v, true) as unknown as { value(): bigint }).value()));

export interface AgreementOptions {
  /** Z3's own timeout per check. */
  readonly timeoutMs: number;
  /** At most this many ends per source are checked (the others are counted as unchecked); default all. */
  readonly maxEndsPerSource?: number;
  /** Where among a source's ends the checked ones start (taken modulo their number): a case's random choice. */
  readonly order?: number;
}

/**
 * Satisfiability checks of one source's ends, each in its own push/pop scope of one solver with Z3's
 * own timeout: sat with a model (which outlives the pop), unsat, or unknown. A solver built per check
 * (`checkSat`) costs Z3 a solver set-up and a tactic pipeline each time; over 20 cases of seed 777
 * this took the CPU from 35.3-37.2 to 21.1 s and the peak RSS from 526-809 to 412-444 MiB (two runs
 * each, shared machine), with the same ends found empty, replayed and compared.
 */
function scopedChecks(ctx: Ctx, e: Enc, timeoutMs: number): (c: Cond) => Promise<Check> {
  const solver = new ctx.Solver();
  solver.set('timeout', Math.max(1, Math.floor(timeoutMs)));
  return async (c) => {
    if (c === false) return { status: 'unsat' };
    solver.push();
    try {
      solver.add(e.bool(c));
      const st = await runCheck(solver);
      if (st === 'unsat') return { status: 'unsat' };
      if (st === 'unknown') return { status: 'unknown', reason: `solver: ${solver.reasonUnknown()}` };
      return { status: 'sat', model: solver.model(), solver };
    } finally {
      solver.pop();
    }
  };
}

/** Solver ≡ evaluator on symbolic packets from `sources` of `m` (see the top of this file). */
export async function symbolicAgreement(m: Model, ev: Evaluator, sources: readonly Station[], opts: AgreementOptions, counts: AgreementCounts = zeroCounts()): Promise<Disagreement[]> {
  const ctx = await getZ3();
  const out: Disagreement[] = [];
  for (const station of sources) {
    counts.sources++;
    const spec = sourceSpec(m.topology, station);
    const { enc: e, outcomes } = await explore(m.dataplane, [spec], {}, { converged: ev.converged, timeoutMs: opts.timeoutMs });
    const w = walkerFor(ctx, m.dataplane, { converged: ev.converged });
    const all = outcomes.filter((o) => o.end.kind !== 'cut');
    counts.ends += all.length;
    // With a cap, the ends checked are a case's random choice among all.
    const cap = opts.maxEndsPerSource ?? all.length;
    const start = all.length === 0 ? 0 : (opts.order ?? 0) % all.length;
    const ends = [...all.slice(start), ...all.slice(0, start)].slice(0, cap);
    counts.unchecked += all.length - ends.length;
    if (ends.length === 0) continue;
    const check = scopedChecks(ctx, e, opts.timeoutMs);
    for (const o of ends) {
      // One check per end: small formulas, each solved fast (one model for many ends at once, over
      // renamed variables, or a disjunction split in halves, cost more solver time than they save),
      // in one solver per source (`scopedChecks`).
      // Values the kernel draws at random (a --random-fully SNAT port) take the evaluator's
      // representative draw, so the replayed packet can end as the model says.
      const replayed = e.choicesAsReplayed();
      const r = await check(e.and(o.cond, replayed));
      if (r.status === 'unsat') {
        // An end reached only for another draw has no concrete replay: counted as unchecked. Without
        // any draw the two checks are one.
        const other = replayed === true ? r : await check(o.cond);
        if (other.status === 'unsat') counts.empty++;
        else counts.unchecked++;
        continue;
      }
      counts.replayed++;
      if (r.status === 'unknown') {
        countUnknown(counts, r.reason);
        continue;
      }
      const packet = decode(r.model, o.sent);
      const t = ev.trace(station, packet);
      if (o.end.kind === 'unknown') {
        countUnknown(counts, o.end.reason);
        continue;
      }
      const uncertain = copies(t).flatMap((c) => c.uncertain);
      if (uncertain.length > 0) {
        countUnknown(counts, `evaluator: ${uncertain[0]!}`);
        continue;
      }
      counts.compared++;
      // The end the model was taken for must be one of the evaluator's copies, and the walker with
      // the packet as constants (every other end of this source decided for it) must end exactly as
      // the evaluator does.
      const mine = solverKey(o.end, numIn(r.model));
      const evaluator = evaluatorKeys(t);
      const walked = await walkedKeys(w, spec, packet);
      const d = walked.ok ? difference(evaluator, walked.keys) : { onlyEvaluator: [...evaluator], onlySolver: [] };
      const missing = evaluator.has(mine) ? [] : [`${mine} (the end the model was taken for)`];
      if (!walked.ok || missing.length > 0 || d.onlyEvaluator.length > 0 || d.onlySolver.length > 0) {
        out.push({ source: stationLabel(station), packet, onlySolver: [...missing, ...d.onlySolver], onlyEvaluator: d.onlyEvaluator, ...(walked.ok ? {} : { note: walked.why }) });
      }
    }
  }
  return out;
}

/** The converse: the solver finds exactly the evaluator's ends for a concrete packet `station` sends. */
export async function concreteAgreement(m: Model, ev: Evaluator, station: Station, packet: Packet, timeoutMs: number, counts: AgreementCounts = zeroCounts()): Promise<Disagreement | null> {
  counts.replayed++;
  const t = ev.trace(station, packet);
  const uncertain = copies(t).flatMap((c) => c.uncertain);
  if (uncertain.length > 0) {
    countUnknown(counts, `evaluator: ${uncertain[0]!}`);
    return null;
  }
  const solver = await exploredKeys(m.dataplane, sourceSpec(m.topology, station), packet, ev.converged, timeoutMs);
  if (!solver.ok) {
    if (/^solver: /.test(solver.why) || solver.why.startsWith('unknown')) {
      countUnknown(counts, solver.why);
      return null;
    }
    return { source: stationLabel(station), packet, onlySolver: [], onlyEvaluator: [...evaluatorKeys(t)], note: solver.why };
  }
  const unknownKey = [...solver.keys].find((k) => k.startsWith('unknown: '));
  if (unknownKey !== undefined) {
    countUnknown(counts, unknownKey.slice('unknown: '.length));
    return null;
  }
  counts.compared++;
  const d = difference(evaluatorKeys(t), solver.keys);
  return d.onlyEvaluator.length > 0 || d.onlySolver.length > 0 ? { source: stationLabel(station), packet, ...d } : null;
}
