// The disjunction of many path conditions, factored over the conjuncts they share. The ends of one
// exploration share long prefixes (every path of a sender crosses the same firewall and router before
// it branches), and a flat `Or` of `And`s repeats each shared conjunct once per end: the solver gets a
// formula many times the size of the walk. Factored as a trie (`a ∧ (b ∨ c)` for `a∧b ∨ a∧c`), each
// shared conjunct appears once.
// Guarantees: the result is equivalent to `∨ᵢ (∧ pcᵢ ∧ lastᵢ)`; conjuncts are shared by identity
// (the same term object), which is how the walk builds them.
import type { Cond, Enc } from './cond.ts';

export interface Conjunction {
  readonly pc: readonly Cond[];
  /** A last conjunct of this item alone (a question's predicate on its end). */
  readonly last: Cond;
}

interface Node {
  readonly children: Map<Cond, Node>;
  /** Conditions that end at this node (the items' `last`s): any of them holding is enough. */
  readonly lasts: Cond[];
}

const node = (): Node => ({ children: new Map(), lasts: [] });

/** `∨ᵢ (∧ itemᵢ.pc ∧ itemᵢ.last)`, with shared prefixes factored out. */
export function anyOf(e: Enc, items: readonly Conjunction[]): Cond {
  const root = node();
  for (const it of items) {
    if (it.last === false) continue;
    let n = root;
    for (const c of it.pc) {
      if (c === true) continue;
      let next = n.children.get(c);
      if (!next) n.children.set(c, (next = node()));
      n = next;
    }
    n.lasts.push(it.last);
  }
  return build(e, root);
}

function build(e: Enc, n: Node): Cond {
  const parts: Cond[] = [...n.lasts];
  for (const [c, child] of n.children) parts.push(e.and(c, build(e, child)));
  return e.or(...parts);
}
