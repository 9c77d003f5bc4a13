// The one owner of Z3 in netproof: a lazily initialised, process-wide z3 instance and its teardown.
// Guarantees: `getZ3()` initialises the WebAssembly module at most once per process (concurrent callers
// share the same promise); `shutdownZ3()` terminates Z3's worker threads (without it the process does
// not exit) and a later `getZ3()` starts a fresh instance. No other module imports 'z3-solver'.
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

/** The process-wide Z3 context, created on first use. */
export async function getZ3(): Promise<Ctx> {
  instance ??= init().then(({ Context, em }) => ({ ctx: new Context('main') as Ctx, em }));
  return (await instance).ctx;
}

/** Terminates Z3's threads; call once when the process (or test file) is done with the solver. */
export async function shutdownZ3(): Promise<void> {
  if (instance === null) return;
  const i = await instance;
  instance = null;
  i.em.PThread.terminateAllThreads();
}
