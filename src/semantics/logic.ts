// The little Boolean algebra over header values that a decision written once for both engines needs:
// conjunction, disjunction, negation, equality and prefix membership. The evaluator instantiates it
// with JavaScript booleans and numbers (`concreteLogic`), the solver with its Z3 terms (which fold to
// booleans while the values are concrete), so a decision written over `Logic` means the same thing to
// both by construction; tests still hold each engine to the real kernel.
// Guarantees: `concreteLogic` is plain arithmetic on unsigned values; nothing here reads a packet.
import { prefixMask } from '../net/ipv4.ts';

export interface Logic<C, V> {
  readonly yes: C;
  readonly no: C;
  and(...cs: readonly C[]): C;
  or(...cs: readonly C[]): C;
  not(c: C): C;
  /** `v == n` over `bits`. */
  eq(v: V, n: number, bits: number): C;
  /** A 32-bit `v` lies in `net/len`. */
  prefix(v: V, net: number, len: number): C;
}

export const concreteLogic: Logic<boolean, number> = {
  yes: true,
  no: false,
  and: (...cs) => cs.every((c) => c),
  or: (...cs) => cs.some((c) => c),
  not: (c) => !c,
  eq: (v, n) => v === n,
  prefix: (v, net, len) => ((v & prefixMask(len)) >>> 0) === ((net & prefixMask(len)) >>> 0),
};

/** One outcome of a decision and the condition under which it is the outcome. */
export interface Branch<C, T> {
  readonly when: C;
  readonly then: T;
}

/**
 * The branches of an if/else-if chain: each case applies when its own condition holds and no earlier
 * case's did; `otherwise` when none did. The branches partition the space.
 */
export function firstOf<C, V, T>(L: Logic<C, V>, cases: readonly (readonly [C, T])[], otherwise: T): Branch<C, T>[] {
  const out: Branch<C, T>[] = [];
  const earlier: C[] = [];
  for (const [c, t] of cases) {
    out.push({ when: L.and(c, ...earlier.map((x) => L.not(x))), then: t });
    earlier.push(c);
  }
  out.push({ when: L.and(...earlier.map((x) => L.not(x))), then: otherwise });
  return out;
}

/** The one branch whose condition is true (concrete decisions). */
export function taken<T>(branches: readonly Branch<boolean, T>[]): T {
  const b = branches.find((x) => x.when);
  if (!b) throw new Error('internal: no branch of a decision holds');
  return b.then;
}
