// The worker threads of `verify --jobs N`: each started on the worker entry (the bundled
// dist/verify-worker.cjs when netproof runs from dist/, else src/parallel/worker.ts through tsx), given
// its part, and awaited until it has posted its part and exited. A worker that throws, exits before
// posting its part, or posts a failure makes the whole run fail with that said plainly: the others are
// terminated and no partial result is ever returned. Worker threads share the process, so its peak
// RSS counts every worker's model and Z3 heap. Each worker's young generation is as large as a sweep's
// in a process of its own (bin/young-generation.cjs), unless node's own options already set one for
// every thread.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { semiSpaceChoice, youngGenerationMb } from '../../bin/young-generation.cjs';
import type { PartMessage, PartTask } from './part.ts';

/** The script a worker runs: a file Node runs as it is, or TypeScript that needs tsx's loader. */
export interface WorkerEntry {
  readonly file: string;
  readonly typescript: boolean;
}

/** Where the worker entry is, beside the running code: dist/verify-worker.cjs from the build, else the TypeScript source. */
export function workerEntry(): WorkerEntry {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return { file: join(dirname(here), 'worker.ts'), typescript: true };
  // The build's modules are dist/*.cjs, dist/*.js and dist/chunks/*.js.
  const dist = basename(dirname(here)) === 'chunks' ? dirname(dirname(here)) : dirname(here);
  return { file: join(dist, 'verify-worker.cjs'), typescript: false };
}

/**
 * A worker's resource limits under node's options `execArgv` and `env`: the young generation a sweep gets, or
 * none when node's options set the semi-space (V8's flags hold for every thread) or NETPROOF_SEMI_SPACE_MB=0.
 */
export function workerLimits(execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>): ResourceLimits | undefined {
  const { mb } = semiSpaceChoice(execArgv, env);
  return mb === null ? undefined : { maxYoungGenerationSizeMb: youngGenerationMb(mb) };
}

function start(entry: WorkerEntry, task: unknown): Worker {
  const resourceLimits = workerLimits(process.execArgv, process.env);
  const limits = resourceLimits === undefined ? {} : { resourceLimits };
  if (!entry.typescript) return new Worker(entry.file, { workerData: task, ...limits });
  return new Worker(new URL('./tsx-boot.mjs', import.meta.url), { argv: [pathToFileURL(entry.file).href], workerData: task, ...limits });
}

/** A part as a worker posted it. */
export type PartOutcome = Extract<PartMessage, { kind: 'done' | 'input' }>;

/** The running workers: their parts when every one has posted its own and exited, and a way to stop them all. */
export interface Parts {
  readonly outcomes: Promise<readonly PartOutcome[]>;
  /** Resolves when the first worker has ended, however it ended: from then on a core is free. */
  readonly firstEnded: Promise<void>;
  /** Terminates every worker still running (after the run, or when it failed); resolves once all have exited. */
  readonly stop: () => Promise<void>;
}

/**
 * Starts one worker per task on `entry`. `onProgress` is told each worker's progress messages.
 * `outcomes` rejects with an Error saying which worker failed and how, once every worker has ended.
 */
export function startParts(entry: WorkerEntry, tasks: readonly PartTask[], onProgress: (part: number, m: Extract<PartMessage, { kind: 'step' | 'subjects' }>) => void): Parts {
  const workers: Worker[] = [];
  let failure: Error | null = null;
  const fail = (e: Error) => {
    if (failure !== null) return;
    failure = e;
    for (const w of workers) void w.terminate();
  };
  const ended = tasks.map((task, i) => {
    const name = `verify --jobs ${tasks.length}: worker ${i + 1} of ${tasks.length}`;
    const w = start(entry, task);
    workers.push(w);
    return new Promise<PartOutcome | null>((resolve) => {
      let outcome: PartOutcome | null = null;
      w.on('message', (m: PartMessage) => {
        if (m.kind === 'step' || m.kind === 'subjects') onProgress(i, m);
        else if (m.kind === 'failed') fail(new Error(`${name} failed: ${m.message}`));
        else outcome = m;
      });
      w.on('error', (e) => fail(new Error(`${name} failed: ${e instanceof Error ? e.message : String(e)}`)));
      w.on('exit', (code) => {
        if (outcome === null) fail(new Error(`${name} ended (exit code ${code}) without its results`));
        resolve(outcome);
      });
    });
  });
  const firstEnded = Promise.race(ended).then(() => {});
  const outcomes = Promise.all(ended).then((os) => {
    if (failure !== null) throw failure;
    return os.map((o) => o!);
  });
  // A run stopped before it asks for the parts (its own input errors) still ends every worker: no rejection goes unheard.
  outcomes.catch(() => {});
  return {
    outcomes,
    firstEnded,
    stop: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
