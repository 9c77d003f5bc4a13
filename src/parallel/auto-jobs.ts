// `verify --jobs auto`: how many workers. One per core the process may use, but no more than the memory
// available now holds: every worker loads the whole model and keeps its own Z3 heap, and the process's
// own thread builds one more model for printing, so on a machine with many cores and a large cloud,
// one worker per core would ask for more memory than there is, and swap or be killed instead of
// finishing sooner. A worker's peak is estimated from the input's size in bytes, fitted to
// `npm run bench:jobs` and `npm run bench` peaks (one thread's peak RSS: 393 MiB for the medium
// topology's 49 KB, 1,163 MiB for the large one's 178 KB and 3.1 GiB for 540 KB). A cloud directory's
// factor is set so that the large size's 7.0 MiB of captures, the same model, are estimated as its
// topology file is. Larger inputs grow slower than that line, so the estimate errs towards fewer
// workers, never towards more than the memory holds.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, freemem, totalmem } from 'node:os';

const MiB = 2 ** 20;
/** What a worker holds before its input counts: the runtime, Z3's WebAssembly module, the rule tables. */
const BASE_BYTES = 100 * MiB;
/** Peak bytes per byte of input: a topology file is terse (a VM is a few lines), captures are not. */
const BYTES_PER_INPUT_BYTE = { topology: 6_100, cloud: 170 } as const;

export type InputKind = keyof typeof BYTES_PER_INPUT_BYTE;

/** A worker's estimated peak memory for an input of `bytes` bytes. */
export function workerPeakBytes(bytes: number, kind: InputKind): number {
  return BASE_BYTES + bytes * BYTES_PER_INPUT_BYTE[kind];
}

export interface AutoJobs {
  readonly jobs: number;
  readonly cores: number;
  /** Each worker's estimated peak, and the memory there was to share. */
  readonly perWorkerBytes: number;
  readonly availableBytes: number;
}

/**
 * Workers for `cores` cores and `availableBytes` of memory: as many as fit beside the process's own
 * model (n + 1 models), at least one and at most one per core.
 */
export function autoJobs(cores: number, availableBytes: number, perWorkerBytes: number): AutoJobs {
  const fit = Math.floor(availableBytes / perWorkerBytes) - 1;
  return { jobs: Math.max(1, Math.min(cores, fit)), cores, perWorkerBytes, availableBytes };
}

/** The input's bytes: a topology file's, or every file's under a cloud directory. */
export function inputSize(path: string): { bytes: number; kind: InputKind } {
  const st = statSync(path);
  if (!st.isDirectory()) return { bytes: st.size, kind: 'topology' };
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.isFile()) bytes += statSync(join(dir, e.name)).size;
    }
  };
  walk(path);
  return { bytes, kind: 'cloud' };
}

/** The memory this process may still take: what the system has available, within its cgroup's limit if any. */
export function availableMemory(): number {
  const free = freemem();
  const limit = process.constrainedMemory?.() ?? 0;
  // 0, or a figure above the machine's memory, means no limit of its own.
  if (limit <= 0 || limit >= totalmem()) return free;
  return Math.min(free, Math.max(0, limit - process.memoryUsage.rss()));
}

/** `--jobs auto` on `path`, on this machine now; an input that cannot be read counts as empty (loading it says why). */
export function autoJobsFor(path: string): AutoJobs {
  let size: { bytes: number; kind: InputKind } = { bytes: 0, kind: 'topology' };
  try {
    size = inputSize(path);
  } catch {
    // The model's load reports the missing or unreadable file with its usual error.
  }
  return autoJobs(availableParallelism(), availableMemory(), workerPeakBytes(size.bytes, size.kind));
}

/** The line said on stderr when memory, not cores, set the number of workers. */
export function cappedNote(a: AutoJobs): string | null {
  if (a.jobs >= a.cores) return null;
  const gib = (b: number) => (b / 2 ** 30).toFixed(1);
  return `netproof: verify --jobs auto: ${a.jobs} worker${a.jobs === 1 ? '' : 's'}, not ${a.cores} (one per core): ${gib(a.availableBytes)} GiB of memory available, and each worker and this process's own model need about ${gib(a.perWorkerBytes)} GiB for this input`;
}
