// The one owner of Z3 in netproof: a lazily initialised, process-wide z3 instance and its teardown.
// Guarantees: `getZ3()` initialises the WebAssembly module at most once per process (concurrent callers
// share the same promise); `shutdownZ3()` terminates Z3's worker threads (without it the process does
// not exit) and a later `getZ3()` starts a fresh instance. No other module imports 'z3-solver'.
// Every satisfiability check goes through `runCheck`: z3-solver releases a term whose JavaScript
// wrapper was garbage-collected from a FinalizationRegistry callback, outside its own lock, and a
// release while a check runs on Z3's worker thread corrupts the WebAssembly heap ("memory access
// out of bounds"). The registry z3-solver creates is made to hold such releases back until no check
// is running.
import { init } from 'z3-solver';

type Z3Init = Awaited<ReturnType<typeof init>>;
/** The Z3 context type netproof uses (one context, named `main`). */
export type Ctx = InstanceType<Z3Init['Context']>;
/** A Z3 bit-vector term. */
export type BV = ReturnType<Ctx['BitVec']['const']>;
/** A Z3 Boolean term. */
export type Bool = ReturnType<Ctx['Bool']['const']>;
export type Model = ReturnType<InstanceType<Ctx['Solver']>['model']>;
export type Z3Solver = InstanceType<Ctx['Solver']>;

interface Instance {
  readonly ctx: Ctx;
  readonly em: Z3Init['em'];
  readonly lowLevel: Z3Init['Z3'];
}

let instance: Promise<Instance> | null = null;

/** Checks running now, and the releases held back until none is. */
let running = 0;
const heldBack: (() => void)[] = [];

/** A FinalizationRegistry whose callbacks wait while a check runs. */
class DeferredRegistry<T> extends FinalizationRegistry<T> {
  constructor(callback: (held: T) => void) {
    super((held) => {
      if (running === 0) callback(held);
      else heldBack.push(() => callback(held));
    });
  }
}

/** `init()` with z3-solver's registry replaced by the deferring one (it is created inside `init`). */
async function initDeferred(): ReturnType<typeof init> {
  const original = globalThis.FinalizationRegistry;
  globalThis.FinalizationRegistry = DeferredRegistry;
  try {
    return await init();
  } finally {
    globalThis.FinalizationRegistry = original;
  }
}

/** The process-wide Z3 context, created on first use. */
export async function getZ3(): Promise<Ctx> {
  instance ??= initDeferred().then(({ Context, em, Z3 }) => ({ ctx: new Context('main') as Ctx, em, lowLevel: Z3 }));
  return (await instance).ctx;
}

/** `solver.check()`, with releases of collected terms held back while it runs. */
export async function runCheck(solver: Z3Solver): Promise<'sat' | 'unsat' | 'unknown'> {
  running++;
  try {
    return await solver.check();
  } finally {
    running--;
    if (running === 0) for (const release of heldBack.splice(0)) release();
  }
}

/** The part of Emscripten's thread pool (`em.PThread`) that shutdown touches. */
export interface ThreadPool {
  readonly runningWorkers: readonly { onmessage: unknown }[];
  readonly unusedWorkers: readonly { onmessage: unknown }[];
  terminateAllThreads(): void;
}

/** How long shutdown waits for Z3's threads to report that they finished. */
const DRAIN_MS = 2000;

/**
 * Terminates the pool's threads. A thread that has just finished a check still has to tell the main
 * thread so (a `cleanupThread` message, handled on a later turn of the event loop). Terminated before
 * that message is handled, its worker's handler is replaced by Emscripten with one that prints
 * `received "cleanupThread" command from terminated worker` on stderr. So this first lets every
 * running thread report back (bounded: a thread still busy after `drainMs` is terminated anyway),
 * then terminates them all, and silences whatever a terminated worker still sends: after termination
 * nothing it says can matter.
 */
export async function terminateThreads(pool: ThreadPool, drainMs = DRAIN_MS): Promise<void> {
  const deadline = performance.now() + drainMs;
  while (pool.runningWorkers.length > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  const workers = [...pool.runningWorkers, ...pool.unusedWorkers];
  pool.terminateAllThreads();
  for (const w of workers) w.onmessage = () => {};
}

/**
 * What Z3 says it has allocated in its WebAssembly heap (bytes), or null when no instance runs. The
 * heap is one fixed 2 GiB block (a shared memory for its threads), so this, not the process's RSS, is
 * what runs out when a long run keeps one instance.
 */
export async function z3AllocatedBytes(): Promise<number | null> {
  if (instance === null) return null;
  return Number((await instance).lowLevel.get_estimated_alloc_size());
}

/** Terminates Z3's threads; call once when the process (or test file) is done with the solver. */
export async function shutdownZ3(): Promise<void> {
  if (instance === null) return;
  const i = await instance;
  instance = null;
  await terminateThreads(i.em.PThread);
}
