// The answers a resident model already gave to `query`, by request: a loaded model does not change
// (a reload makes a new cache), so the same request has the same answer, and asking the solver again
// cost the whole question (tens of milliseconds at 1,000 VMs). Only definite answers are kept (exit
// code 0 or 1): an unknown one may be a timeout that another attempt gets past. Each caller gets a
// copy of its own, so a caller changing its answer changes nobody else's.
import type { Answer } from './types.ts';

/** How many answers are kept; the oldest asked goes first. */
const CAPACITY = 1000;

/** The request as a key: its options with their names sorted, so the order they were written in does not matter. */
export function requestKey(options: object): string {
  const entries = Object.entries(options).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

export class AnswerCache<T> {
  private readonly kept = new Map<string, Answer<T>>();

  get(key: string): Answer<T> | undefined {
    const a = this.kept.get(key);
    if (a === undefined) return undefined;
    // Asked again: it becomes the most recent.
    this.kept.delete(key);
    this.kept.set(key, a);
    return structuredClone(a);
  }

  /** Keeps `answer` when it is definite. */
  set(key: string, answer: Answer<T>): void {
    if (!answer.ok || answer.exitCode === 3) return;
    this.kept.set(key, structuredClone(answer));
    if (this.kept.size > CAPACITY) this.kept.delete(this.kept.keys().next().value!);
  }

  get size(): number {
    return this.kept.size;
  }
}
