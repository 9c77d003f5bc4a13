// The reference evaluator's public surface: a concrete packet in, a Trace out (the pipeline: README.md, How it works).
// `createEvaluator` wires the walker to the netfilter engine of ./netfilter/.
import type { Dataplane } from '../ir/dataplane.ts';
import * as netfilter from './netfilter/index.ts';
import type { NetfilterEngine } from './nf-engine.ts';
import type { Evaluator, EvaluatorOptions } from './evaluator.ts';
import { createEvaluatorWith } from './evaluator.ts';

export type { Evaluator, Session, ArpAnswer, EvaluatorOptions } from './evaluator.ts';
export type { ConvergedState, FdbEntry, LearnedFlow } from './state.ts';
export type { WalkLimits } from './walk.ts';
export type { NetfilterEngine } from './nf-engine.ts';
export type * from './trace.ts';
export { createEvaluatorWith } from './evaluator.ts';
export { AnnouncerFacts } from './converge.ts';

const engine: NetfilterEngine = netfilter;

/** An evaluator over `dp` with the real netfilter engine; converges the learning state once. */
export function createEvaluator(dp: Dataplane, opts: Partial<Omit<EvaluatorOptions, 'netfilter'>> = {}): Evaluator {
  return createEvaluatorWith(dp, { ...opts, netfilter: engine });
}
