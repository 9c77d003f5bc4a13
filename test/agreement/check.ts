// One agreement check: a fixed first packet traced by the evaluator and followed by the solver's
// device models, compared end for end (see ends.ts for what an end's key holds).
// Guarantees: a check passes only when both sides give the same key set and neither side went
// through something it only approximates (the evaluator's `uncertain`, a solver end not followed to its finish).
import type { Evaluator } from '../../src/evaluate/index.ts';
import { copies, difference, evaluatorKeys } from './ends.ts';
import type { Built } from './cases.ts';
import type { SolverKeys } from './solver-ends.ts';

export interface Disagreement {
  readonly packet: string;
  readonly onlyEvaluator: readonly string[];
  readonly onlySolver: readonly string[];
  readonly note?: string;
}

/** The evaluator's keys for `b` (a fresh conntrack: the packet is the first of its flow). */
export function evaluatorSide(ev: Evaluator, b: Built): { keys: Set<string>; uncertain: string[] } {
  const t = ev.trace(b.station, b.packet);
  return { keys: evaluatorKeys(t), uncertain: copies(t).flatMap((c) => [...c.uncertain]) };
}

/** Null when both sides agree, else what differs. */
export function compare(label: string, evaluator: { keys: Set<string>; uncertain: string[] }, solver: SolverKeys): Disagreement | null {
  if (!solver.ok) return { packet: label, onlyEvaluator: [...evaluator.keys], onlySolver: [], note: `solver: ${solver.why}` };
  if (evaluator.uncertain.length > 0) return { packet: label, onlyEvaluator: [], onlySolver: [], note: `evaluator uncertain: ${evaluator.uncertain.join('; ')}` };
  const d = difference(evaluator.keys, solver.keys);
  return d.onlyEvaluator.length === 0 && d.onlySolver.length === 0 ? null : { packet: label, ...d };
}
