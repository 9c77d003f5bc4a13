// Lets an ended Z3 instance's WebAssembly memory be collected. z3-solver's Emscripten runtime has the
// main thread wait for messages from Z3's threads with `Atomics.waitAsync` on the instance's own
// memory. V8 holds a pending wait (and the callback it resolves to, whose closure holds the whole
// module and its 2 GiB shared memory) until that address is notified — which, once the instance's
// threads are terminated, nothing ever does: every ended instance stayed in the process. Here the
// waits are recorded per memory; when an instance ends, its waits are woken, and the runtime's attempt
// to wait again on the ended memory gets a wait that holds nothing.
// Guarantees: waits on any other memory (or by anyone else) go to `Atomics.waitAsync` unchanged.

/** `Atomics.waitAsync` (Node 16+; the project's TypeScript library predates it), as the runtime calls it. */
type WaitAsync = (ta: Int32Array, index: number, value: number, timeout?: number) => { async: boolean; value: unknown };
const atomics = Atomics as unknown as { waitAsync?: WaitAsync };

/** Indices waited on, per shared memory, while its instance lives. */
const waiting = new Map<ArrayBufferLike, Set<number>>();
/** Memories of ended instances (weakly: they are meant to be collected). */
const ended = new WeakSet<ArrayBufferLike>();
let installed = false;

/** Records the runtime's waits from now on (once per process; before the first instance starts). */
export function watchMailboxes(): void {
  if (installed || typeof atomics.waitAsync !== 'function') return;
  installed = true;
  const original = atomics.waitAsync.bind(Atomics);
  atomics.waitAsync = (ta, index, value, timeout) => {
    const buffer = ta.buffer;
    // The ended runtime's next wait: pending forever and referenced by nobody, so it holds nothing.
    if (ended.has(buffer)) return { async: true, value: new Promise<never>(() => {}) };
    let set = waiting.get(buffer);
    if (!set) waiting.set(buffer, (set = new Set()));
    set.add(index);
    return original(ta, index, value, timeout);
  };
}

/** Wakes the waits on `buffer`, the memory of an instance whose threads were terminated. */
export function releaseMailboxes(buffer: ArrayBufferLike): void {
  ended.add(buffer);
  const set = waiting.get(buffer);
  waiting.delete(buffer);
  if (!set) return;
  const view = new Int32Array(buffer);
  for (const index of set) Atomics.notify(view, index);
}
