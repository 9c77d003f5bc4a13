// Shutting Z3 down right after a check used to print `received "cleanupThread" command from
// terminated worker` on stderr about one run in twenty: a solver thread that had finished but not yet
// reported back (its message is handled on a later turn of the event loop) was terminated first, and
// Emscripten's handler for a terminated worker prints whatever arrives. The pool below behaves as
// z3-solver's Emscripten pool does (z3-built.js: terminateWorker, returnWorkerToPool), so the race is
// played out deterministically: the report arrives 5 ms after the check.
import { describe, expect, it } from 'vitest';
import { terminateThreads, type ThreadPool } from '../../src/smt/z3.ts';

interface FakeWorker { onmessage: (e: { data: { cmd: string } }) => void }

function emscriptenLikePool(printed: string[]): ThreadPool & { reported: boolean; finishLater(ms: number): void; park(): void } {
  const pool = {
    runningWorkers: [] as FakeWorker[],
    unusedWorkers: [] as FakeWorker[],
    terminateAllThreads() {
      for (const w of [...pool.runningWorkers, ...pool.unusedWorkers]) {
        w.onmessage = (e) => printed.push(`received "${e.data.cmd}" command from terminated worker`);
      }
      pool.runningWorkers = [];
      pool.unusedWorkers = [];
    },
    /** A thread parked between checks: running, and never reporting back. */
    park() {
      pool.runningWorkers.push({ onmessage: () => {} });
    },
    /** A thread that finished its work and reports back after `ms`; `reported` is set when it does. */
    reported: false,
    finishLater(ms: number) {
      const w: FakeWorker = {
        onmessage: () => {
          pool.runningWorkers.splice(pool.runningWorkers.indexOf(w), 1);
          pool.unusedWorkers.push(w);
        },
      };
      pool.runningWorkers.push(w);
      // A worker's message still arrives after terminate() (termination is asynchronous).
      setTimeout(() => {
        pool.reported = true;
        w.onmessage({ data: { cmd: 'cleanupThread' } });
      }, ms);
    },
  };
  return pool;
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('terminating Z3 threads', () => {
  it('terminating at once, as before, prints the stray line when a report is late', async () => {
    const printed: string[] = [];
    const pool = emscriptenLikePool(printed);
    pool.finishLater(5);
    pool.terminateAllThreads();
    await settle();
    expect(printed).toEqual(['received "cleanupThread" command from terminated worker']);
  });

  it('terminateThreads waits for the report, then terminates: nothing printed, nothing left running', async () => {
    const printed: string[] = [];
    const pool = emscriptenLikePool(printed);
    pool.finishLater(5);
    await terminateThreads(pool);
    await settle();
    expect(printed).toEqual([]);
    expect(pool.runningWorkers).toEqual([]);
  });

  it('a thread that never reports back is terminated after the bound, and its late message is silenced', async () => {
    const printed: string[] = [];
    const pool = emscriptenLikePool(printed);
    pool.finishLater(300);
    await terminateThreads(pool, 10);
    expect(pool.reported).toBe(false);
    await new Promise((r) => setTimeout(r, 350));
    expect(pool.reported).toBe(true);
    expect(printed).toEqual([]);
  });

  it('a thread parked between checks (Z3 keeps one) does not hold shutdown to the bound: the others report, then all end', async () => {
    const printed: string[] = [];
    const pool = emscriptenLikePool(printed);
    pool.park();
    pool.finishLater(5);
    const reports: boolean[] = [];
    // A bound far beyond the test's own timeout: only the count having settled can end the wait in time.
    await terminateThreads(pool, 3_600_000, 50);
    reports.push(pool.reported);
    await settle();
    expect(reports, 'the finishing thread reported before termination').toEqual([true]);
    expect(printed).toEqual([]);
    expect(pool.runningWorkers).toEqual([]);
  }, 10_000);
});
