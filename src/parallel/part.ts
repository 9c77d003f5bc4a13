// One worker's part of `verify --jobs N`: the model loaded and built in this thread, the run planned as
// the parent plans it, and only this part's results checked (src/parallel/split.ts says which) with a Z3
// instance of its own, ended before the part is handed back so that the thread can exit. What is posted
// back is plain data: the part's results with their positions in the whole run's order, or the input
// errors, or progress on the way.
import type { InputError } from '../errors.ts';
import { loadModel } from '../pipeline.ts';
import { Session } from '../answers/session.ts';
import { checkPlan, planVerify, type VerifyRequest } from '../answers/verify.ts';
import type { PropertyResult } from '../questions/property.ts';
import { parseInputLimit } from '../cli/options.ts';
import { shutdownZ3 } from '../smt/index.ts';
import { projectSplit } from './split.ts';

/** What the parent gives each worker (its `workerData`). */
export interface PartTask {
  readonly file: string;
  readonly request: VerifyRequest;
  readonly maxInputMb?: string;
  /** This part, 1-based, of `count`. */
  readonly index: number;
  readonly count: number;
  /** Whether to post progress (only when the parent shows it). */
  readonly progress: boolean;
}

/** What a worker posts: progress, then exactly one of `done`, `input`, `failed`. */
export type PartMessage =
  | { readonly kind: 'step'; readonly index: number; readonly total: number; readonly id: string; readonly results: number }
  | { readonly kind: 'subjects'; readonly done: number; readonly total: number; readonly what: string }
  | { readonly kind: 'done'; readonly results: readonly PropertyResult[]; readonly positions: readonly number[]; readonly runResults: number }
  | { readonly kind: 'input'; readonly errors: readonly InputError[] }
  | { readonly kind: 'failed'; readonly message: string };

/** Checks the part `task` names, posting what it finds with `post`. */
export async function checkPart(task: PartTask, post: (m: PartMessage) => void): Promise<void> {
  try {
    const limits = parseInputLimit(task.maxInputMb);
    const model = loadModel(task.file, limits);
    if (!model.ok) return post({ kind: 'input', errors: model.errors });
    const session = new Session(model.value);
    const plan = planVerify(session, task.request, limits);
    if (!plan.ok) return post({ kind: 'input', errors: plan.errors });
    const shard = { index: task.index, count: task.count, assign: projectSplit(model.value.topology, task.count) };
    const hooks = task.progress ? {
      step: (index: number, total: number, id: string, results: number) => post({ kind: 'step', index, total, id, results }),
      subjects: (done: number, total: number, what: string) => post({ kind: 'subjects', done, total, what }),
    } : {};
    const all = await checkPlan(session, plan.value, hooks, shard);
    const positions = all.flatMap((r, i) => (r.elsewhere === true ? [] : [i]));
    // A result's claim (functions: it cannot cross threads) was held to its trace here already (guard.ts) and is never reported.
    const results = positions.map((i) => {
      const { claim: _held, ...r } = all[i]!;
      return r;
    });
    post({ kind: 'done', results, positions, runResults: all.length });
  } catch (e) {
    post({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
  } finally {
    await shutdownZ3();
  }
}
