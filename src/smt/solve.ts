// One satisfiability check with Z3's own timeout (a JavaScript-side timeout would block the shared
// lock): sat with a model, unsat, or unknown (timeout, or the solver gave up).
// Guarantees: a concretely false condition is unsat and a concretely true one sat without a solver
// call; the solver is returned on sat so the caller can refine the model with push/pop.
import { runCheck, type Ctx, type Model, type Z3Solver } from './z3.ts';
import type { Cond, Enc } from './cond.ts';

export type Check =
  | { readonly status: 'sat'; readonly model: Model; readonly solver: Z3Solver }
  | { readonly status: 'unsat' }
  | { readonly status: 'unknown'; readonly reason: string };

export async function checkSat(ctx: Ctx, e: Enc, cond: Cond, timeoutMs: number): Promise<Check> {
  if (cond === false) return { status: 'unsat' };
  const solver = new ctx.Solver();
  solver.set('timeout', Math.max(1, Math.floor(timeoutMs)));
  solver.add(e.bool(cond));
  const r = await runCheck(solver);
  if (r === 'unsat') return { status: 'unsat' };
  if (r === 'unknown') return { status: 'unknown', reason: `solver: ${solver.reasonUnknown()}` };
  return { status: 'sat', model: solver.model(), solver };
}

/**
 * Which of `conds` are unsatisfiable, with few solver calls: a whole batch is one check (their
 * disjunction), and only a satisfiable batch is split in halves and asked again (one that times out
 * is asked condition by condition, so the worst case is one timeout per condition plus one). Each check
 * costs a few milliseconds before any solving (Z3 runs it on a worker thread), so when most
 * conditions are unsat this is a handful of checks instead of one each.
 * Guarantees: an index is reported only on an unsat answer covering it (a timeout is never unsat).
 */
export async function unsatIndices(ctx: Ctx, e: Enc, conds: readonly Cond[], timeoutMs: number, batch = 64): Promise<Set<number>> {
  const out = new Set<number>();
  const ask = async (ids: readonly number[]): Promise<void> => {
    const live = ids.filter((i) => conds[i] !== false);
    for (const i of ids) if (conds[i] === false) out.add(i);
    if (live.length === 0) return;
    const r = await checkSat(ctx, e, e.or(...live.map((i) => conds[i]!)), timeoutMs);
    if (r.status === 'unsat') { for (const i of live) out.add(i); return; }
    if (live.length === 1) return;
    if (r.status === 'unknown') {
      // Too hard together: each on its own (halving could time out at every level).
      for (const i of live) if ((await checkSat(ctx, e, conds[i]!, timeoutMs)).status === 'unsat') out.add(i);
      return;
    }
    const mid = live.length >> 1;
    await ask(live.slice(0, mid));
    await ask(live.slice(mid));
  };
  for (let i = 0; i < conds.length; i += batch) await ask(conds.slice(i, i + batch).map((_, j) => i + j));
  return out;
}

/**
 * Which of `conds` are satisfiable, with few solver calls when most are and they share no variables
 * (each port's question over its own packet): a whole batch (of at most `batch`) is one check of their
 * conjunction, and only an unsatisfiable or unknown batch is split in halves. For conditions that share variables a
 * conjunction may be unsat while each is sat; the halving then goes down to single conditions, so the
 * answer stays exact. `unknown`: the indices a timeout left undecided.
 * Guarantees: an index is reported satisfiable only on a sat answer covering it.
 */
export async function satIndices(ctx: Ctx, e: Enc, conds: readonly Cond[], timeoutMs: number, batch = 64): Promise<{ sat: Set<number>; unknown: Set<number> }> {
  const sat = new Set<number>();
  const unknown = new Set<number>();
  const ask = async (ids: readonly number[]): Promise<void> => {
    const live = ids.filter((i) => conds[i] !== false);
    if (live.length === 0) return;
    const r = await checkSat(ctx, e, e.and(...live.map((i) => conds[i]!)), timeoutMs);
    if (r.status === 'sat') { for (const i of live) sat.add(i); return; }
    if (live.length === 1) { if (r.status === 'unknown') unknown.add(live[0]!); return; }
    const mid = live.length >> 1;
    await ask(live.slice(0, mid));
    await ask(live.slice(mid));
  };
  for (let i = 0; i < conds.length; i += batch) await ask(conds.slice(i, i + batch).map((_, j) => i + j));
  return { sat, unknown };
}
