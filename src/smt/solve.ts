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
