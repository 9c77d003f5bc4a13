// `verify`: runs the built-in properties, then the user properties, and sums up the verdicts. A check
// that throws does not stop the run: it becomes an `unknown` result with `error` set (an internal
// error), so one broken property never hides the others' answers. Every result then passes the guard
// (guard.ts): one its own trace contradicts is reported `unknown`.
import type { PropertyCheck, PropertyResult, VerifyContext } from './property.ts';
import { checkUserProperty, type ResolvedProperty } from './user-properties/check.ts';
import { guardResult } from './guard.ts';

export interface VerifySummary {
  readonly holds: number;
  readonly violated: number;
  readonly unknown: number;
  readonly 'n/a': number;
  readonly waived: number;
}

export interface VerifyReport {
  readonly results: readonly PropertyResult[];
  readonly summary: VerifySummary;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function crashed(property: string, subject: string, e: unknown): PropertyResult {
  return { property, subject, verdict: 'unknown', witness: null, trace: null, message: 'internal error while checking', error: message(e) };
}

export function summarize(results: readonly PropertyResult[]): VerifySummary {
  return {
    holds: results.filter((r) => r.verdict === 'holds').length,
    violated: results.filter((r) => r.verdict === 'violated').length,
    unknown: results.filter((r) => r.verdict === 'unknown').length,
    'n/a': results.filter((r) => r.verdict === 'n/a').length,
    waived: results.filter((r) => r.verdict === 'waived').length,
  };
}

/** Exit code of a finished run (docs/exit-codes.md): 1 any violated, else 3 any unknown or unwaived internal error, else 0. */
export function verifyExitCode(r: VerifyReport): 0 | 1 | 3 {
  if (r.summary.violated > 0) return 1;
  if (r.summary.unknown > 0 || r.results.some((x) => x.error !== undefined && x.verdict !== 'waived')) return 3;
  return 0;
}

/** Told before each property is checked: its index, how many there are, its id, and the results so far. */
export type VerifyStep = (index: number, total: number, id: string, results: number) => void;

export async function runVerify(ctx: VerifyContext, builtins: readonly PropertyCheck[], user: readonly ResolvedProperty[], onStep: VerifyStep = () => {}): Promise<VerifyReport> {
  const results: PropertyResult[] = [];
  const total = builtins.length + user.length;
  for (const [i, b] of builtins.entries()) {
    onStep(i, total, b.id, results.length);
    try {
      results.push(...(await b.check(ctx)));
    } catch (e) {
      results.push(crashed(b.id, '-', e));
    }
  }
  for (const [i, u] of user.entries()) {
    onStep(builtins.length + i, total, u.property.name, results.length);
    try {
      results.push(await checkUserProperty(ctx, u));
    } catch (e) {
      results.push(crashed(u.property.name, `${u.property.kind}:${u.property.from}->${u.property.to}`, e));
    }
  }
  // No answer is reported that its own trace contradicts.
  const guarded = results.map(guardResult);
  return { results: guarded, summary: summarize(guarded) };
}
