// Conditions and values that stay concrete as long as they can: a `Cond` is a JavaScript boolean or a
// Z3 Bool, a `Val` a JavaScript number or a Z3 bit-vector. Every combinator folds concrete operands
// in JavaScript, so a branch whose concrete parts contradict each other is cut before any solver call
// (cheap structural pruning before any solver call), and a fully concrete packet is evaluated without the solver.
// Terms are hash-consed: the same operation on the same operands gives the same term object, so a
// key made of term identities (`termKey`) recognises equal packets and conditions (path merging and
// the walker's memo rely on it).
// Guarantees: the result of each combinator means exactly the Boolean/bit-vector operation on its
// operands; numbers are unsigned and taken modulo 2^bits.
import type { Bool, BV, Ctx } from './z3.ts';
import { prefixMask } from '../net/ipv4.ts';

export type Cond = boolean | Bool;
export type Val = number | BV;

const isBool = (c: Cond): c is Bool => typeof c !== 'boolean';

const ids = new WeakMap<object, number>();
let nextId = 0;

/** A key equal for the same term object (or the same number or boolean, or both null). */
export function termKey(v: Val | Cond | null): string {
  if (v === null) return '-';
  if (typeof v === 'number') return `#${v}`;
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  let i = ids.get(v);
  if (i === undefined) {
    i = ++nextId;
    ids.set(v, i);
  }
  return `@${i}`;
}

export class Enc {
  /** Numerals built once per value and width: each one is a Z3 object with a finaliser. */
  private readonly numerals = new Map<string, BV>();
  private readonly truth: readonly [Bool, Bool];
  /**
   * Compound terms by operation and operand identities (hash-consing), held weakly: a term nothing
   * else uses any more is released (in JavaScript and in Z3), and built again if asked for again.
   */
  private readonly terms = new Map<string, WeakRef<Bool | BV>>();
  private readonly forget = new FinalizationRegistry<string>((key) => {
    if (this.terms.get(key)?.deref() === undefined) this.terms.delete(key);
  });

  /**
   * Values the kernel chooses at random (a --random-fully SNAT port), each a fresh variable named by
   * what it stands for, with the value a replay through the evaluator gives it (its representative).
   */
  private readonly choices = new Map<string, { readonly v: BV; readonly representative: Val; readonly bits: number }>();

  constructor(readonly ctx: Ctx) {
    this.truth = [ctx.Bool.val(false), ctx.Bool.val(true)];
  }

  bv(v: Val, bits: number): BV {
    if (typeof v !== 'number') return v;
    const k = `${bits}:${v}`;
    let n = this.numerals.get(k);
    if (n === undefined) {
      n = this.ctx.BitVec.val(BigInt(v), bits);
      this.numerals.set(k, n);
    }
    return n;
  }

  bool(c: Cond): Bool {
    return isBool(c) ? c : this.truth[c ? 1 : 0]!;
  }

  /** The term `make()` builds, built once per `key`. */
  private consed<T extends Bool | BV>(key: string, make: () => T): T {
    const t = this.terms.get(key)?.deref();
    if (t !== undefined) return t as T;
    const made = make();
    this.terms.set(key, new WeakRef(made));
    this.forget.register(made, key);
    return made;
  }

  and(...cs: readonly Cond[]): Cond {
    const terms: Bool[] = [];
    for (const c of cs) {
      if (c === false) return false;
      if (c !== true) terms.push(c);
    }
    if (terms.length === 0) return true;
    if (terms.length === 1) return terms[0]!;
    // Long conjunctions are path conditions, built once each: not worth keeping in the table.
    return terms.length > 4 ? this.ctx.And(...terms) : this.consed(`&${terms.map(termKey).join(',')}`, () => this.ctx.And(...terms));
  }

  or(...cs: readonly Cond[]): Cond {
    const terms: Bool[] = [];
    for (const c of cs) {
      if (c === true) return true;
      if (c !== false) terms.push(c);
    }
    if (terms.length === 0) return false;
    if (terms.length === 1) return terms[0]!;
    return terms.length > 4 ? this.ctx.Or(...terms) : this.consed(`|${terms.map(termKey).join(',')}`, () => this.ctx.Or(...terms));
  }

  not(c: Cond): Cond {
    return isBool(c) ? this.consed(`!${termKey(c)}`, () => this.ctx.Not(c)) : !c;
  }

  /** `a == b` over `bits`. */
  eq(a: Val, b: Val, bits: number): Cond {
    if (typeof a === 'number' && typeof b === 'number') return a === b || mod(a, bits) === mod(b, bits);
    const x = this.bv(a, bits);
    const y = this.bv(b, bits);
    return this.consed(`=${termKey(x)},${termKey(y)}`, () => x.eq(y));
  }

  /**
   * `a == v` over `bits` as `eq` makes it, when this encoder has made it and still holds it; else
   * null. Makes nothing: a term made changes the order Z3 numbers its terms in, which its models follow.
   */
  eqIfMade(a: BV, v: number, bits: number): Bool | null {
    const n = this.numerals.get(`${bits}:${v}`);
    // Operands never named in a key (termKey) are in no term made here; naming them now would number them.
    if (n === undefined || !ids.has(a) || !ids.has(n)) return null;
    const t = this.terms.get(`=${termKey(a)},${termKey(n)}`)?.deref();
    return t === undefined ? null : (t as Bool);
  }

  /** `(a & mask) == (value & mask)`; mask null means all bits. */
  masked(a: Val, value: number, mask: number | null, bits: number): Cond {
    if (mask === null) return this.eq(a, value, bits);
    const m = mod(mask, bits);
    if (m === 0) return true;
    if (typeof a === 'number') return andMod(a, m, bits) === andMod(value, m, bits);
    const x = this.bv(a, bits);
    const masked = this.consed(`m${bits}:${termKey(x)},${m}`, () => x.and(this.bv(m, bits)));
    return this.eq(masked, andMod(value, m, bits), bits);
  }

  /** `lo <= a <= hi`, unsigned. */
  range(a: Val, lo: number, hi: number, bits: number): Cond {
    if (lo > hi) return false;
    if (typeof a === 'number') return a >= lo && a <= hi;
    if (lo === hi) return this.eq(a, lo, bits);
    const max = 2 ** bits - 1;
    const parts: Cond[] = [];
    const x = this.bv(a, bits);
    if (lo > 0) parts.push(this.consed(`>=${termKey(x)},${lo}`, () => x.uge(this.bv(lo, bits))));
    if (hi < max) parts.push(this.consed(`<=${termKey(x)},${hi}`, () => x.ule(this.bv(hi, bits))));
    return this.and(...parts);
  }

  /**
   * `from + (((a − base) mod 2^bits) mod size)`, unsigned over `bits`: the port a DNAT with a base port
   * maps `a` to (semantics/dnat-port.ts). `size` ≥ 1.
   */
  offsetMod(a: Val, base: number, from: number, size: number, bits: number): Val {
    const span = 2 ** bits;
    if (typeof a === 'number') return mod(from + (((mod(a, bits) - base) % span + span) % span) % size, bits);
    const x = this.bv(a, bits);
    return this.consed(`o${bits}:${termKey(x)},${base},${from},${size}`, () => x.sub(this.bv(mod(base, bits), bits)).urem(this.bv(size, bits)).add(this.bv(from, bits)));
  }

  /** `a` lies in `net/prefixLen` (32-bit). */
  prefix(a: Val, net: number, prefixLen: number): Cond {
    if (prefixLen <= 0) return true;
    return this.masked(a, net, prefixMask(prefixLen), 32);
  }

  /**
   * A value the kernel draws at random, one variable per `key` (named after it, so encoders that
   * build equal terms name it alike); `representative` is what a replay shows.
   */
  randomChoice(key: string, bits: number, representative: Val): BV {
    let c = this.choices.get(key);
    if (!c) {
      c = { v: this.ctx.BitVec.const(`random.${key}`, bits), representative, bits };
      this.choices.set(key, c);
    }
    return c.v;
  }

  /** Every random choice made so far takes the value a replay gives it (true when there is none). */
  choicesAsReplayed(): Cond {
    return this.and(...[...this.choices.values()].map((c) => this.eq(c.v, c.representative, c.bits)));
  }

  /** If-then-else on values, folded when the condition or both branches are concrete. */
  ite(c: Cond, a: Val, b: Val, bits: number): Val {
    if (c === true) return a;
    if (c === false) return b;
    if (typeof a === 'number' && typeof b === 'number' && mod(a, bits) === mod(b, bits)) return a;
    const x = this.bv(a, bits);
    const y = this.bv(b, bits);
    return this.consed(`?${termKey(c)},${termKey(x)},${termKey(y)}`, () => this.ctx.If(c, x, y));
  }
}

const POW2 = Array.from({ length: 53 }, (_, i) => 2 ** i);

/** A short name for a value's text (FNV-1a of a term's printed form): equal terms get equal names. */
export function textKey(v: Val): string {
  if (typeof v === 'number') return `#${v}`;
  let h = 0x811c9dc5;
  for (const ch of v.toString()) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export function mod(v: number, bits: number): number {
  return bits >= 53 || v < POW2[bits]! ? v : v % POW2[bits]!;
}

/** Bitwise AND of two unsigned values of up to 48 bits (JavaScript's `&` is 32-bit). */
function andMod(a: number, b: number, bits: number): number {
  if (bits <= 32) return (a & b) >>> 0;
  const hi = Math.floor(a / 2 ** 32) & Math.floor(b / 2 ** 32);
  return (hi >>> 0) * 2 ** 32 + (((a % 2 ** 32) & (b % 2 ** 32)) >>> 0);
}
