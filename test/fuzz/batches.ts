// A fuzz campaign split over child processes: cases FIRST..FIRST+RUNS-1 of a seed, cut into batches
// of `batch` cases, each run by a fresh process (test/fuzz/batch-child.ts), `jobs` at a time. A batch
// checks exactly the cases a run of the whole seed would (test/fuzz/run.ts says why), so a seed means
// the same campaign whatever the batching. Why processes: z3-solver never frees an ended instance, and
// one instance serving hundreds of cases grows towards its fixed 2 GiB heap; a process that exits
// returns all of it.
// On a failure no new batch starts; the batches under way finish (one may fail on an earlier case),
// and every failure is reported, earliest case first, as the child shrank it. With `keepGoing` a
// failure ends only its own case: the rest of its batch is queued again and the campaign goes on, so a
// long unattended campaign reports every failure it meets instead of stopping at the first one.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ChildMessage } from './batch-messages.ts';
import { bump, type Counts } from './property.ts';

export interface Batch {
  readonly first: number;
  readonly runs: number;
}

/** Cases first..first+runs-1 in batches of `size` (the last one shorter), in order. */
export function splitCases(first: number, runs: number, size: number): Batch[] {
  const out: Batch[] = [];
  for (let i = first; i < first + runs; i += size) out.push({ first: i, runs: Math.min(size, first + runs - i) });
  return out;
}

/** The cases of batch `b` left unchecked after its failing (or crashing) case, as a batch; null if none. */
export function remainderAfter(b: Batch, failedCase: number | null): Batch | null {
  if (failedCase === null) return null;
  const end = b.first + b.runs;
  return failedCase + 1 < end ? { first: failedCase + 1, runs: end - failedCase - 1 } : null;
}

export interface CampaignOptions {
  readonly property: string;
  readonly seed: number;
  /** The first case's index in the seed's sequence (0 for a whole campaign; more to resume one). */
  readonly first: number;
  readonly runs: number;
  readonly batch: number;
  readonly jobs: number;
  /** After each case of any batch. */
  readonly onProgress?: (p: Progress) => void;
  /** After each batch ends (passed, failed or crashed). */
  readonly onBatch?: (b: BatchResult) => void;
  /** When a child starts shrinking a failed case (its index in the seed). */
  readonly onShrink?: (caseIndex: number) => void;
  /** Aborting it ends the children under way (SIGTERM) and returns what was covered. */
  readonly signal?: AbortSignal;
  /** Go on past failures (see the top of this module). */
  readonly keepGoing?: boolean;
  /** false: failures are reported unshrunk (test/fuzz/run.ts). */
  readonly shrink?: boolean;
}

export interface ChildMemory {
  readonly rssBytes: number;
  readonly z3Bytes: number | null;
}

export interface Progress {
  readonly done: number;
  readonly counts: Counts;
  /** The children under way, by their batch's first case. */
  readonly running: readonly ChildMemory[];
  readonly peakRssBytes: number;
}

export interface BatchResult extends Batch {
  readonly pid: number;
  /** Cases of the batch checked (all of them, unless it failed, crashed or was stopped). */
  readonly cases: number;
  readonly counts: Counts;
  readonly ms: number;
  readonly peakRssBytes: number;
  readonly cpuMs: number;
  /** The failure report (a shrunk case or the child's crash), or null. */
  readonly failure: string | null;
  /** The index of the failing case (for a crash: the case under way), or null. */
  readonly failedCase: number | null;
  readonly stopped: boolean;
}

export interface CampaignReport {
  readonly cases: number;
  readonly counts: Counts;
  readonly ms: number;
  /** CPU time of all children (user + system). */
  readonly cpuMs: number;
  readonly peakRssBytes: number;
  readonly batches: readonly BatchResult[];
  /** Failures, earliest case first. */
  readonly failures: readonly string[];
  /** The case ranges checked in full, merged (`[first, end)`). */
  readonly covered: readonly (readonly [number, number])[];
  readonly stopped: boolean;
}

const childPath = new URL('./batch-child.ts', import.meta.url).pathname;
const tsx = import.meta.resolve('tsx');

function runBatch(o: CampaignOptions, b: Batch, onCase: (done: number, counts: Counts, mem: ChildMemory) => void): { child: ChildProcess; result: Promise<BatchResult> } {
  const args = ['--property', o.property, '--seed', String(o.seed), '--first', String(b.first), '--runs', String(b.runs), ...(o.shrink === false ? ['--no-shrink'] : [])];
  const child = fork(childPath, args, { execArgv: ['--import', tsx], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const t0 = Date.now();
  let end: Extract<ChildMessage, { kind: 'end' }> | null = null;
  let done = 0;
  let counts: Counts = {};
  // A case that failed and is being shrunk when the child is stopped is not covered.
  let shrinkingCase: number | null = null;
  child.on('message', (m: ChildMessage) => {
    if (m.kind === 'case') {
      done = m.done;
      counts = m.counts;
      onCase(m.done, m.counts, { rssBytes: m.rssBytes, z3Bytes: m.z3Bytes });
    } else if (m.kind === 'shrinking') {
      shrinkingCase = m.caseIndex;
      o.onShrink?.(m.caseIndex);
    }
    else end = m;
  });
  const result = new Promise<BatchResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      const pid = child.pid ?? -1;
      const base = { ...b, pid, ms: Date.now() - t0 };
      const e = end as Extract<ChildMessage, { kind: 'end' }> | null;
      if (e !== null && code === 0) {
        const failedCase = e.failurePath === null ? null : Number(e.failurePath.split(':')[0]);
        resolve({ ...base, cases: e.cases, counts: e.counts, peakRssBytes: e.peakRssBytes, cpuMs: e.cpuMs, failure: e.failure, failedCase, stopped: false });
        return;
      }
      const stopped = o.signal?.aborted === true;
      const how = sig !== null ? `signal ${sig}` : `exit code ${code}`;
      // The case under way: the one being shrunk, else the one after the last reported.
      const at = shrinkingCase ?? b.first + done;
      resolve({
        ...base, cases: at - b.first, counts, peakRssBytes: 0, cpuMs: cpuOf(pid), stopped,
        failure: stopped ? null : `${o.property}: the child checking cases ${b.first}..${b.first + b.runs - 1} of seed ${o.seed} ended (${how}) on case ${at}${shrinkingCase !== null ? ' while shrinking it' : ''}, before reporting.\nReplay: npm run fuzz -- --property ${o.property} --seed ${o.seed} --path ${at}`,
        failedCase: stopped ? null : at,
      });
    });
  });
  return { child, result };
}

// The CPU time of children ended before they reported theirs, read from /proc just before (Linux).
const lastCpu = new Map<number, number>();
const cpuOf = (pid: number): number => lastCpu.get(pid) ?? 0;
/** utime + stime of a live process, in ms (/proc reports them in USER_HZ ticks, 100 a second); 0 elsewhere. */
function procCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    // After "pid (comm) ", utime and stime are the 12th and 13th fields.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Merges `[first, first+cases)` ranges that touch. */
function mergeRanges(rs: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, z] of [...rs].sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], z);
    else out.push([a, z]);
  }
  return out;
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignReport> {
  const queue = splitCases(o.first, o.runs, o.batch);
  const t0 = Date.now();
  const finished: BatchResult[] = [];
  const totals: Counts = {};
  let doneFinished = 0;
  let peak = 0;
  // The batches under way: their counts and memory so far.
  const live = new Map<number, { done: number; counts: Counts; mem: ChildMemory; child: ChildProcess }>();
  let failed = false;
  const progress = () => {
    if (o.onProgress === undefined) return;
    const counts: Counts = { ...totals };
    let done = doneFinished;
    for (const l of live.values()) {
      done += l.done;
      for (const [k, v] of Object.entries(l.counts)) bump(counts, k, v);
    }
    o.onProgress({ done, counts, running: [...live.values()].map((l) => l.mem), peakRssBytes: peak });
  };
  const stop = () => {
    for (const l of live.values()) {
      if (l.child.pid !== undefined) lastCpu.set(l.child.pid, procCpuMs(l.child.pid));
      l.child.kill('SIGTERM');
    }
  };
  o.signal?.addEventListener('abort', stop, { once: true });
  const worker = async (): Promise<void> => {
    for (;;) {
      if (failed || o.signal?.aborted === true) return;
      const b = queue.shift();
      if (b === undefined) return;
      const { child, result } = runBatch(o, b, (done, counts, mem) => {
        const l = live.get(b.first);
        if (l !== undefined) Object.assign(l, { done, counts, mem });
        peak = Math.max(peak, mem.rssBytes);
        progress();
      });
      live.set(b.first, { done: 0, counts: {}, mem: { rssBytes: 0, z3Bytes: null }, child });
      const r = await result;
      live.delete(b.first);
      finished.push(r);
      peak = Math.max(peak, r.peakRssBytes);
      doneFinished += r.cases;
      // A crashed or stopped child's counts are those of its last reported case.
      for (const [k, v] of Object.entries(r.counts)) bump(totals, k, v);
      if (r.failure !== null) {
        const rest = o.keepGoing === true ? remainderAfter(b, r.failedCase) : null;
        if (rest !== null) queue.unshift(rest);
        if (o.keepGoing !== true) failed = true;
      }
      o.onBatch?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, worker));
  o.signal?.removeEventListener('abort', stop);
  const failures = finished.filter((r) => r.failure !== null).sort((x, y) => (x.failedCase ?? 0) - (y.failedCase ?? 0));
  // A failed or cut-short batch covers the cases before its failing (or unfinished) one.
  const covered = mergeRanges(finished.map((r) => [r.first, r.first + (r.failure !== null ? Math.max(0, (r.failedCase ?? r.first) - r.first) : r.cases)] as const).filter(([a, z]) => z > a));
  return {
    cases: doneFinished, counts: totals, ms: Date.now() - t0, cpuMs: finished.reduce((s, r) => s + r.cpuMs, 0), peakRssBytes: peak,
    batches: finished, failures: failures.map((r) => r.failure ?? ''), covered, stopped: o.signal?.aborted === true,
  };
}
