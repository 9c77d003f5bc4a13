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
  instance ??= initDeferred().then(({ Context, em }) => ({ ctx: new Context('main') as Ctx, em }));
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

/** Terminates Z3's threads; call once when the process (or test file) is done with the solver. */
export async function shutdownZ3(): Promise<void> {
  if (instance === null) return;
  const i = await instance;
  instance = null;
  i.em.PThread.terminateAllThreads();
}
