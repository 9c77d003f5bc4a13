// `verify --jobs N` in the parent thread: N workers started at once (pool.ts), each checking the part of
// the run its projects make (split.ts). The parent loads the model itself for what only printing needs
// (labels, the user properties resolved, the reports' pictures) and plans the same run once the first
// worker has ended: before, every core is taken by a worker building its own model or checking. The
// parts are joined by their positions in the whole run's order as `netproof merge` joins shards
// (src/shard/merge.ts `placeParts`), every position exactly once, and the run is finished — the cloud's
// notes, the waivers, the baseline — as a run on one thread finishes it, so every format prints the same.
import type { Result } from '../errors.ts';
import type { Session } from '../answers/session.ts';
import { finishVerify, type VerifyHooks, type VerifyPlan, type VerifyRequest, type VerifyRun } from '../answers/verify.ts';
import type { PropertyResult } from '../questions/property.ts';
import { placeParts } from '../shard/merge.ts';
import { startParts, workerEntry, type WorkerEntry } from './pool.ts';

export interface VerifyJobs {
  /** The run's answer once every part is in; rejects when a worker failed. */
  readonly finish: (session: Session, o: VerifyRequest, plan: VerifyPlan) => Promise<Result<VerifyRun>>;
  /** Resolves when the first worker has ended (its part checked, or failed): a core is free from then on. */
  readonly firstEnded: Promise<void>;
  /** Ends every worker (after the run, or when the parent stops early). */
  readonly stop: () => Promise<void>;
}

/** Starts `jobs` workers on the run `file` and `o` ask for; `hooks` hear the least advanced worker's progress. */
export function startVerifyJobs(file: string, o: VerifyRequest, maxInputMb: string | undefined, jobs: number, hooks: VerifyHooks, entry: WorkerEntry = workerEntry()): VerifyJobs {
  const progress = hooks.step !== undefined || hooks.subjects !== undefined;
  const tasks = Array.from({ length: jobs }, (_, i) => ({ file, request: o, ...(maxInputMb === undefined ? {} : { maxInputMb }), index: i + 1, count: jobs, progress }));
  // The run is as far as its least advanced part: that worker's step is shown, and its subjects.
  const steps = tasks.map(() => ({ index: -1, total: 0, id: '', results: 0 }));
  const least = () => steps.reduce((a, s, i) => (s.index < steps[a]!.index ? i : a), 0);
  const parts = startParts(entry, tasks, (part, m) => {
    if (m.kind === 'step') {
      steps[part] = m;
      const s = steps[least()]!;
      if (s.index >= 0) hooks.step?.(s.index, s.total, s.id, s.results);
    } else if (part === least()) hooks.subjects?.(m.done, m.total, m.what);
  });
  return {
    stop: parts.stop,
    firstEnded: parts.firstEnded,
    finish: async (session, request, plan) => {
      const outcomes = await parts.outcomes;
      const errors = outcomes.flatMap((p) => (p.kind === 'input' ? p.errors : []));
      if (errors.length > 0) return { ok: false, errors };
      const done = outcomes.flatMap((p) => (p.kind === 'done' ? [p] : []));
      const total = done[0]?.runResults ?? 0;
      if (done.some((p) => p.runResults !== total)) throw new Error(`verify --jobs ${jobs}: the workers planned runs of different lengths (${done.map((p) => p.runResults).join(', ')} results)`);
      const joined = placeParts(done.map((p) => ({ positions: p.positions, results: p.results })));
      if (!joined.ok) throw new Error(`verify --jobs ${jobs}: result ${joined.at} of the run was checked by two workers`);
      if (joined.placed.size !== total) throw new Error(`verify --jobs ${jobs}: the workers checked ${joined.placed.size} of the run's ${total} results`);
      const results: PropertyResult[] = Array.from({ length: total }, (_, i) => joined.placed.get(i)!);
      return { ok: true, value: finishVerify(session, request, plan, results) };
    },
  };
}
