// The one owner of Z3 in netproof: a lazily initialised, process-wide z3 instance and its teardown.
// Guarantees: `getZ3()` initialises the WebAssembly module at most once per process (concurrent callers
// share the same promise); `shutdownZ3()` terminates Z3's worker threads (without it the process does
// not exit) and a later `getZ3()` starts a fresh instance. No other module imports 'z3-solver'.
// Every satisfiability check goes through `runCheck`: z3-solver releases a term whose JavaScript
// wrapper was garbage-collected from a FinalizationRegistry callback, outside its own lock, and a
// release while a check runs on Z3's worker thread corrupts the WebAssembly heap ("memory access
// out of bounds"). The registry z3-solver creates is made to hold such releases back until no check
// is running.
// Z3's heap is one fixed 2 GiB block per instance: a long-lived process renews the instance between
// questions once it has used more than a threshold (`renewZ3IfOver`); what holds terms of an instance
// is made per instance (`perInstance`), so nothing of the old one is asked of the new.
import diagnostics from 'node:diagnostics_channel';
import { init } from 'z3-solver';
import { releaseMailboxes, watchMailboxes } from './z3-mailbox.ts';

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
/** How many instances were ended so far: a value made for an earlier one is not used with a later one. */
let generation = 0;

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
  watchMailboxes();
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

/**
 * Every check made in this process, by every instance (a renewal starts no new count), with the wall
 * time it took, told to whoever subscribes to Node's diagnostics channel `netproof:z3-check` (one
 * message, `{ ms }`, per check): what a measurement or a test reads, not something the questions use.
 * Channels are found by name, so a measurement of the compiled library (dist/, whose modules a program
 * cannot import one by one) counts its checks as a test of the sources does, without any export of the
 * API. Nothing is sent, nor timed, while nobody subscribes.
 */
export const CHECK_CHANNEL = 'netproof:z3-check';
const checkChannel = diagnostics.channel(CHECK_CHANNEL);

/** `solver.check()`, with releases of collected terms held back while it runs. */
export async function runCheck(solver: Z3Solver): Promise<'sat' | 'unsat' | 'unknown'> {
  running++;
  const t0 = checkChannel.hasSubscribers ? performance.now() : 0;
  try {
    return await solver.check();
  } finally {
    if (checkChannel.hasSubscribers) checkChannel.publish({ ms: performance.now() - t0 });
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

/** How long shutdown waits at most for Z3's threads to report that they finished. */
const DRAIN_MS = 2000;

/**
 * How long the running threads' count must stay the same for shutdown to stop waiting. Z3 keeps a thread
 * running between checks (one, parked, after any check ran), so the count never
 * reaches 0 once a check ran: waiting for 0 spent the whole DRAIN_MS on every shutdown. A thread that has
 * just finished a check reports back within a few turns of the event loop; one that does not within this
 * window is silenced like any terminated worker (below).
 */
const SETTLE_MS = 100;

/**
 * Terminates the pool's threads. A thread that has just finished a check still has to tell the main
 * thread so (a `cleanupThread` message, handled on a later turn of the event loop). Terminated before
 * that message is handled, its worker's handler is replaced by Emscripten with one that prints
 * `received "cleanupThread" command from terminated worker` on stderr. So this first lets every
 * running thread report back (until their count has not moved for `settleMs`, and at most `drainMs`: a
 * thread still busy then is terminated anyway),
 * then terminates them all, and silences whatever a terminated worker still sends: after termination
 * nothing it says can matter.
 */
export async function terminateThreads(pool: ThreadPool, drainMs = DRAIN_MS, settleMs = SETTLE_MS): Promise<void> {
  const deadline = performance.now() + drainMs;
  let count = pool.runningWorkers.length;
  let since = performance.now();
  while (pool.runningWorkers.length > 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1));
    const now = performance.now();
    if (pool.runningWorkers.length !== count) {
      count = pool.runningWorkers.length;
      since = now;
    } else if (now - since >= settleMs) break;
  }
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
  generation++;
  await terminateThreads(i.em.PThread);
  // Only now that its threads are gone can nothing send to the main thread's mailbox any more.
  // z3-solver types its Emscripten module as `any`; HEAP32 is the runtime's view of the instance's memory.
  releaseMailboxes((i.em as { readonly HEAP32: Int32Array }).HEAP32.buffer);
}

/** How many instances were ended (by `shutdownZ3` or a renewal) in this process. */
export const z3Generation = (): number => generation;

/**
 * How much of its heap an instance may have used before a long-lived process renews it: half of the
 * 2 GiB, so that the question after the last one that stayed under it still has at least 1 GiB to use.
 */
let renewAbove = 2 ** 30;

/** Sets the heap use above which `renewZ3IfOver()` renews (tests force a renewal with a tiny one); returns the previous. */
export function setZ3RenewalLimit(bytes: number): number {
  const before = renewAbove;
  renewAbove = bytes;
  return before;
}

/**
 * Between questions (never while one runs: its terms live in the instance): when Z3 has allocated more
 * than `limitBytes`, the instance is ended and the next `getZ3()` starts a fresh one with an empty
 * heap. Returns whether it renewed. Callers that keep terms across questions keep them `perInstance`.
 */
export async function renewZ3IfOver(limitBytes = renewAbove): Promise<boolean> {
  const used = await z3AllocatedBytes();
  if (used === null || used <= limitBytes) return false;
  await shutdownZ3();
  return true;
}

/**
 * A value made afresh for each Z3 instance (a cache of terms, of proofs asked with them): `make` is
 * called on first use and again after the instance it was made with ended.
 */
export function perInstance<T>(make: () => T): () => T {
  let made = -1;
  let value: T | undefined;
  return () => {
    if (made !== generation || value === undefined) {
      value = make();
      made = generation;
    }
    return value;
  };
}
