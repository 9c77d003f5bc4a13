// What a batch's child process (test/fuzz/batch-child.ts) tells the campaign's parent
// (test/fuzz/batches.ts) over the IPC channel.
import type { Counts } from './property.ts';

export type ChildMessage =
  /** After each case of the first pass: the batch's counts so far and the child's memory. */
  | { readonly kind: 'case'; readonly done: number; readonly counts: Counts; readonly rssBytes: number; readonly z3Bytes: number | null }
  /** A case failed and the child starts shrinking it (which may take long: each candidate is checked). */
  | { readonly kind: 'shrinking'; readonly caseIndex: number }
  /** The batch is over: its totals, the failure (already shrunk) if any, and what the process used. */
  | {
      readonly kind: 'end';
      readonly cases: number;
      readonly counts: Counts;
      readonly ms: number;
      readonly failure: string | null;
      readonly failurePath: string | null;
      readonly peakRssBytes: number;
      readonly cpuMs: number;
    };
