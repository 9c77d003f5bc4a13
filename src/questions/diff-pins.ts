// The fields of the sent packet that every packet of one of `diff`'s questions has at one value, read
// off the ends the question is made of, with no solver check: a witness preference for another value
// of such a field is unsatisfiable, and `decodeWitness` drops it unasked (its `fixed` fields), as it
// drops one the destination port proved forced contradicts.
// Why: a sender's packets reach a port through its floating IP with the destination address the
// floating IP — the walk splits a copy leaving a router per address on the external subnet — while
// the witness's first preference is the place's own address. At the large bench size that preference
// was an unsat check in every difference (two of a class's eight checks), each propagating the whole
// question once more.
// Soundness: a question's packets are among those of the ends it is made of (gained: the after
// side's ends at the place; lost: the before side's; translated: those of both sides, so either
// side's ends will do). An end's condition is the conjunction of its path's conjuncts (and what holds
// for every end of the sender). When every such end has among its conjuncts `field = v` — the very
// term, as Z3 shares structurally equal terms, compared by identity — every packet of the question
// has that field at v. The value tried is the one the question's own model gives (any packet of the
// question has it, if any pin holds), its equation looked up among the terms the encoder has made,
// never made here: a term made changes the order Z3 numbers terms in, and so a later model's fields
// no preference pins (the example protocol of `other protocols`, on ha.yaml). A field not found so is
// not pinned: nothing is claimed.
import type { Model } from '../smt/z3.ts';
import type { Cond, Enc } from '../smt/cond.ts';
import type { SymPacket } from '../smt/headers.ts';
import { ipToNum } from '../smt/headers.ts';
import type { DiffQuestion, Side, SideEnd } from '../smt/diff.ts';
import type { FixedFields } from '../smt/witness.ts';
import { decode } from '../smt/witness.ts';

/**
 * The fields tried, with their widths: the destination address, which the witness's first preference
 * pins (the place's own address).
 */
const FIELDS = [['ip_dst', 32]] as const;

/** A term's identity in the Z3 context (the same for structurally equal terms, whichever encoder built them). */
const ptrOf = (c: Cond): number | null => (typeof c === 'boolean' ? null : (c as unknown as { readonly ptr: number }).ptr);

/** The ends question `q` is made of, on the side (or sides) whose ends every packet of it is among. */
function endsOf(q: DiffQuestion, before: Side, after: Side): (readonly SideEnd[])[] {
  const at = (s: Side) => s.delivered.get(q.place) ?? [];
  switch (q.kind) {
    case 'gained':
      return [at(after)];
    case 'lost':
      return [at(before)];
    case 'translated':
      return [at(before), at(after)];
    default: {
      const never: never = q.kind;
      throw new Error(`unknown difference ${String(never)}`);
    }
  }
}

/**
 * The fields of `sent` that every packet of question `q` has at the value `model` (a model of `q`)
 * gives them, as found among the conjuncts of every end `q` is made of; {} when none.
 */
export function questionPins(e: Enc, sent: SymPacket, q: DiffQuestion, before: Side, after: Side, model: Model): FixedFields {
  const w = decode(model, sent);
  const value = (f: (typeof FIELDS)[number][0]): number => ipToNum(w[f]);
  // Each field's conjunct at the model's value, as a term identity (a field the sender sends at a
  // value of its own, a number, is no variable: nothing to pin).
  const wanted: { field: (typeof FIELDS)[number][0]; v: number; ptr: number }[] = [];
  for (const [f, bits] of FIELDS) {
    const v = value(f);
    if (typeof sent[f] === 'number') continue;
    // Only a term already made can be among the ends' conjuncts; looking it up makes none.
    const made = e.eqIfMade(sent[f], v, bits);
    if (made !== null) wanted.push({ field: f, v, ptr: ptrOf(made)! });
  }
  const pins: Partial<Record<keyof SymPacket, number>> = {};
  for (const ends of endsOf(q, before, after)) {
    if (ends.length === 0) continue;
    const every = ends.map((x) => new Set(x.end.path.pc.map(ptrOf)));
    for (const c of wanted) if (every.every((s) => s.has(c.ptr))) pins[c.field] = c.v;
  }
  return pins;
}
