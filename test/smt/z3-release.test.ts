// An ended Z3 instance leaves the process (src/smt/z3-mailbox.ts): each instance reserves its 2 GiB heap
// (with guard regions, about 10 GiB of address space); once it is ended and collected the reservation is
// gone. Before, the main thread's pending wait on the instance's memory kept every ended instance, and
// the process's address space grew by a reservation per instance. Read from /proc (Linux).
import { existsSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';

afterAll(shutdownZ3);

/** The process's virtual size, bytes. */
const vmSize = (): number => Number(/VmSize:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collected(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ending Z3', () => {
  it.runIf(existsSync('/proc/self/status'))('gives back the address space of every ended instance', async () => {
    const ended: number[] = [];
    let live = 0;
    for (let i = 0; i < 3; i++) {
      const ctx = await getZ3();
      const s = new ctx.Solver();
      const x = ctx.BitVec.const('x', 32);
      s.add(x.add(ctx.BitVec.val(3, 32)).eq(ctx.BitVec.val(5, 32)));
      expect(await s.check()).toBe('sat');
      live = vmSize();
      await shutdownZ3();
      await collected();
      ended.push(vmSize());
    }
    // A live instance's heap is at least 2 GiB of address space more than the process without it.
    for (const v of ended) expect(live - v, `${ended.map((b) => (b / 2 ** 30).toFixed(1)).join(', ')} GiB ended vs ${(live / 2 ** 30).toFixed(1)} GiB live`).toBeGreaterThan(2 ** 31);
    expect(Math.max(...ended) - Math.min(...ended), 'no growth per ended instance').toBeLessThan(2 ** 30);
  }, 120_000);
});
