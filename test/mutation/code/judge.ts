// How `npm run mutation:code` (run.ts) reads a vitest run: passed, failed (by which test: the kill), or
// failed only by running out of time — which says nothing about a fault (a loaded machine runs the
// suites several times slower) and so is never taken for a kill, nor for a failing fault-free run.
// The failures come from failures-reporter.ts.

export interface Failure {
  /** `test/…/file.test.ts > suite > test`, or a module, or `errors outside any test`. */
  readonly what: string;
  readonly messages: readonly string[];
}

export type SuiteRun = { readonly kind: 'passed' } | { readonly kind: 'failed'; readonly by: string } | { readonly kind: 'timed out'; readonly what: string };

const TIMEOUT = /^(Test|Hook) timed out in \d+ ?ms/;

/**
 * `ok`: vitest exited 0. `failures`: what the reporter wrote (null when it wrote nothing: vitest did
 * not get that far, which is a failure). A run whose failures are all timeouts is "timed out".
 */
export function judge(ok: boolean, failures: readonly Failure[] | null, out: string): SuiteRun {
  if (ok) return { kind: 'passed' };
  if (failures === null || failures.length === 0) {
    const last = out.trim().split('\n').slice(-3).join(' / ').slice(0, 200);
    return { kind: 'failed', by: `vitest failed without a failing test (${last})` };
  }
  const real = failures.find((f) => f.messages.length === 0 || !f.messages.every((m) => TIMEOUT.test(m)));
  if (real) return { kind: 'failed', by: real.what.slice(0, 160) };
  return { kind: 'timed out', what: failures.map((f) => f.what).join('; ').slice(0, 200) };
}
