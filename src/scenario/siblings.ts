// Which dataplane a variant of a scenario was built after: the scenario's first choice of masters.
// A question about one device asked there may be taken from there instead of asked again
// (src/questions/spoof-proof.ts) when everything it reads is the same in both: each device it reads
// has the same digest (device-digest.ts) and so has what it reads beyond its device.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Evaluator } from '../evaluate/index.ts';

/** A dataplane and the evaluator that converged it. */
export interface Place {
  readonly dataplane: Dataplane;
  readonly evaluator: Evaluator;
}

const firstOf = new WeakMap<Evaluator, Place>();

/** `ev`'s variant was built after `first`, of the same scenario. */
export function noteFirstChoice(ev: Evaluator, first: Place): void {
  if (first.evaluator !== ev) firstOf.set(ev, first);
}

/** The first choice of masters of the scenario `ev`'s variant belongs to; undefined for the first itself, or outside a scenario. */
export function firstChoiceOf(ev: Evaluator): Place | undefined {
  return firstOf.get(ev);
}
