// Several questions asked of one incremental solver: each question's condition is asserted once,
// behind a selector of its own, and everything asked afterwards (which question a model satisfies,
// a witness's preferences, a class's ports) adds only its own small part in a pushed scope. Asked one
// fresh solver at a time, every check bit-blasted the questions' whole conditions again (the path
// conditions of every end at the places asked about); here they are internalized once per session.
// Guarantees: `next` is sat exactly when some open question has a packet outside the classes blocked
// for it (each selector implies its question and the negation of its blocked classes, and some open
// selector must hold), unsat when none has, unknown on a timeout; `ask(i, c)` is the satisfiability
// of question i, outside its blocked classes, and c. Blocking and closing only add assertions, so
// what the solver learnt stays valid for every later check.
import { runCheck, type Bool, type Ctx, type Model, type Z3Solver } from './z3.ts';
import type { Cond, Enc } from './cond.ts';
import { decodeWitness, type FixedFields, type Preference } from './witness.ts';
import type { SymPacket } from './headers.ts';
import type { Packet } from '../ir/packet.ts';

export type SessionCheck =
  | { readonly status: 'sat'; readonly model: Model }
  | { readonly status: 'unsat' }
  | { readonly status: 'unknown'; readonly reason: string };

/** Questions asked one after another, with the classes already found left out of each. */
export interface Questions {
  /** Whether question `i` may still be answered (not closed, not false to begin with). */
  isOpen(i: number): boolean;
  /** Question `i` outside its blocked classes, as a condition (to ask a model whether it holds). */
  within(i: number): Cond;
  /** Question `i` is asked no further. */
  close(i: number): void;
  /** The packets of `cls` are left out of question `i` from now on. */
  block(i: number, cls: Cond): void;
  /** Some open question, outside its blocked classes. */
  next(): Promise<SessionCheck>;
  /** Question `i`, outside its blocked classes, and `extra`. */
  ask(i: number, extra: Cond): Promise<SessionCheck>;
  /** The witness of question `i` from `model` (a model of it), refined by the preferences that stay satisfiable within it. */
  witness(i: number, model: Model, sent: SymPacket, prefs: readonly Preference[], fixed?: FixedFields): Promise<{ packet: Packet; model: Model; reliesOnRandom: boolean; pinned: FixedFields }>;
}

/** The questions' conditions and the classes blocked in each, as both ways of asking keep them. */
abstract class Blocked {
  protected readonly open: boolean[];
  private readonly blocked: Cond[][];

  constructor(protected readonly e: Enc, protected readonly conds: readonly Cond[]) {
    this.open = conds.map((c) => c !== false);
    this.blocked = conds.map(() => []);
  }

  isOpen(i: number): boolean {
    return this.open[i]!;
  }

  within(i: number): Cond {
    return this.e.and(this.conds[i]!, this.e.not(this.e.or(...this.blocked[i]!)));
  }

  close(i: number): void {
    this.open[i] = false;
  }

  block(i: number, cls: Cond): void {
    this.blocked[i]!.push(cls);
  }
}

/** Each check a fresh solver given the whole condition: the straightforward way, kept to hold the session to it. */
export class FreshQuestions extends Blocked implements Questions {
  constructor(e: Enc, private readonly ctx: Ctx, conds: readonly Cond[], private readonly timeoutMs: number) {
    super(e, conds);
  }

  async next(): Promise<SessionCheck> {
    return this.fresh(this.e.or(...this.conds.map((_, i) => (this.open[i] ? this.within(i) : false))));
  }

  async ask(i: number, extra: Cond): Promise<SessionCheck> {
    return this.open[i] ? this.fresh(this.e.and(this.within(i), extra)) : { status: 'unsat' };
  }

  async witness(i: number, model: Model, sent: SymPacket, prefs: readonly Preference[], fixed: FixedFields = {}) {
    const solver = this.solverOf(this.within(i));
    return decodeWitness(this.e, solver, model, sent, prefs, fixed);
  }

  private solverOf(c: Cond): Z3Solver {
    const solver = new this.ctx.Solver();
    solver.set('timeout', Math.max(1, Math.floor(this.timeoutMs)));
    solver.add(this.e.bool(c));
    return solver;
  }

  private async fresh(c: Cond): Promise<SessionCheck> {
    if (c === false) return { status: 'unsat' };
    const solver = this.solverOf(c);
    const r = await runCheck(solver);
    if (r === 'unsat') return { status: 'unsat' };
    if (r === 'unknown') return { status: 'unknown', reason: `solver: ${solver.reasonUnknown()}` };
    return { status: 'sat', model: solver.model() };
  }
}

/** Selector names are unique in the process: sessions share the one Z3 context. */
let sessions = 0;

/** The questions asserted once in one incremental solver (see the top of this file). */
export class QuestionSession extends Blocked implements Questions {
  private readonly solver: Z3Solver;
  private readonly selectors: Bool[];

  constructor(e: Enc, ctx: Ctx, conds: readonly Cond[], timeoutMs: number) {
    super(e, conds);
    const id = sessions++;
    this.solver = new ctx.Solver();
    this.solver.set('timeout', Math.max(1, Math.floor(timeoutMs)));
    // Incremental from the start: later checks reuse what the first one internalized.
    this.solver.push();
    this.selectors = conds.map((_, i) => ctx.Bool.const(`question.${id}.${i}`));
    conds.forEach((c, i) => this.solver.add(ctx.Implies(this.selectors[i]!, e.bool(c))));
    this.solver.add(ctx.Or(...this.selectors.filter((_, i) => this.open[i]), ctx.Bool.val(false)));
  }

  override close(i: number): void {
    super.close(i);
    this.solver.add(this.e.ctx.Not(this.selectors[i]!));
  }

  override block(i: number, cls: Cond): void {
    super.block(i, cls);
    this.solver.add(this.e.ctx.Implies(this.selectors[i]!, this.e.bool(this.e.not(cls))));
  }

  async next(): Promise<SessionCheck> {
    return this.check();
  }

  async ask(i: number, extra: Cond): Promise<SessionCheck> {
    if (extra === false || !this.open[i]) return { status: 'unsat' };
    this.solver.push();
    try {
      this.solver.add(this.selectors[i]!);
      this.solver.add(this.e.bool(extra));
      return await this.check();
    } finally {
      this.solver.pop();
    }
  }

  async witness(i: number, model: Model, sent: SymPacket, prefs: readonly Preference[], fixed: FixedFields = {}): Promise<{ packet: Packet; model: Model; reliesOnRandom: boolean; pinned: FixedFields }> {
    this.solver.push();
    try {
      this.solver.add(this.selectors[i]!);
      return await decodeWitness(this.e, this.solver, model, sent, prefs, fixed);
    } finally {
      this.solver.pop();
    }
  }

  private async check(): Promise<SessionCheck> {
    const r = await runCheck(this.solver);
    if (r === 'unsat') return { status: 'unsat' };
    if (r === 'unknown') return { status: 'unknown', reason: `solver: ${this.solver.reasonUnknown()}` };
    return { status: 'sat', model: this.solver.model() };
  }
}
