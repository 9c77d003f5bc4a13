// Results carried from one dataplane to another without asking again: from the first choice of HA masters
// to the others, and from the scenario a `verify --failures N` run starts from to each failure scenario.
// Only a `holds` that a property settled by a few devices alone carries (`PropertyResult.rests`: a port's
// firewall, the port's own anti-spoofing rules), and only where each of those devices has the same digest
// (src/scenario/device-digest.ts: its contents, what was learned there, its links, its host's state) and
// the property's key of everything else it read is the same: there the same question, asked of the same
// devices, has the same answer. Anything else is asked again, so a carry can only spare work: it never
// makes a result that asking would not.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Evaluator } from '../evaluate/index.ts';
import { digestsOf } from '../scenario/device-digest.ts';
import type { PropertyResult, Rests } from './property.ts';

/** Where a result was settled: a dataplane and the evaluator that converged it. */
export interface Place {
  readonly dataplane: Dataplane;
  readonly evaluator: Evaluator;
}

const split = (d: string): [string, string] => {
  const i = d.indexOf('/');
  return [d.slice(0, i), d.slice(i + 1)];
};

/** The digests of the devices `rests` names, in `at`. */
function digests(rests: Rests, at: Place): string[] {
  const dd = digestsOf(at.dataplane, at.evaluator);
  return rests.devices.map((d) => dd.digest(...split(d)));
}

/** Whether every device `r` rests on has the same digest in `to` as in `from` (false for a result that rests on nothing named). */
export function sameRests(r: PropertyResult, from: Place, to: Place): boolean {
  if (r.rests === undefined || r.verdict !== 'holds') return false;
  if (from.evaluator === to.evaluator) return true;
  const a = digests(r.rests, from);
  const b = digests(r.rests, to);
  return a.every((x, i) => x === b[i]);
}

interface Kept {
  readonly result: PropertyResult;
  readonly digests: readonly string[];
}

/** The results of one scenario that may be carried to others, with the digests they rest on. */
export class CarryStore {
  private readonly kept = new Map<string, Kept>();
  /** How many results were taken from the store, per property. */
  readonly taken = new Map<string, number>();

  /** Keeps `r`, settled at `at`, when it rests on named devices. */
  keep(r: PropertyResult, at: Place): void {
    if (r.rests === undefined || r.verdict !== 'holds' || r.elsewhere === true || r.error !== undefined) return;
    const { scenario: _scenario, ...plain } = r;
    this.kept.set(`${r.property}\u0000${r.subject}`, { result: plain, digests: digests(r.rests, at) });
  }

  /** `VerifyContext.reuse` for `property` at `at`: a kept result of the subject whose key and digests are the same there. */
  reuser(property: string, at: Place): (subject: string, key: string) => PropertyResult | null {
    return (subject, key) => {
      const k = this.kept.get(`${property}\u0000${subject}`);
      if (k === undefined || k.result.rests?.key !== key) return null;
      const now = digests(k.result.rests, at);
      if (!now.every((x, i) => x === k.digests[i])) return null;
      this.taken.set(property, (this.taken.get(property) ?? 0) + 1);
      return k.result;
    };
  }
}
