// Timing helpers for the benchmark: run a phase several times and summarise with medians and
// percentiles (nearest-rank), so one slow run (a GC pause, the other core busy) does not set the figure.

/** Milliseconds spent in `fn`, and its result. */
export function timed<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

export async function timedAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/**
 * As timedAsync, with the process's CPU time spent meanwhile (user + system of every thread: Z3's
 * included), which a busy machine inflates less than wall time.
 */
export async function timedWithCpu<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const c0 = process.cpuUsage();
  const { ms, value } = await timedAsync(fn);
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

/** The p-th percentile (0 < p ≤ 100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** The median: the mean of the middle two for an even count. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * `count` distinct ordered pairs of indices below `n` (i ≠ j), spread deterministically by a fixed
 * LCG, so every run of the benchmark traces the same pairs. Fewer when n is small.
 */
export function samplePairs(n: number, count: number): Array<readonly [number, number]> {
  const max = n * (n - 1);
  const want = Math.min(count, max);
  const seen = new Set<number>();
  const out: Array<readonly [number, number]> = [];
  let x = 12345;
  while (out.length < want) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const k = x % max;
    if (seen.has(k)) continue;
    seen.add(k);
    const i = Math.floor(k / (n - 1));
    const r = k % (n - 1);
    out.push([i, r >= i ? r + 1 : r]);
  }
  return out;
}

/**
 * The growth exponent k of y ≈ c·nᵏ: the least-squares slope of log y over log n. Null with fewer than
 * two points of different n, or any y not positive.
 */
export function growthExponent(points: readonly { readonly n: number; readonly y: number }[]): number | null {
  const ps = points.filter((p) => p.n > 0 && p.y > 0 && Number.isFinite(p.y));
  if (ps.length < 2 || ps.length !== points.length) return null;
  const xs = ps.map((p) => Math.log(p.n));
  const ys = ps.map((p) => Math.log(p.y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  if (sxx === 0) return null;
  return xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / sxx;
}
