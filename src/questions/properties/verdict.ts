// From a search result to a property result: a found witness is replayed and becomes a violation
// only when the evaluator agrees (else `unknown` with the disagreement as `error`); a solver or
// modelling unknown becomes `unknown` with its reason.
import type { Trace } from '../../evaluate/trace.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { claimOf, copies, replay, sameEnd, type SearchResult } from './search.ts';
import { unknown } from './common.ts';

type Found = Extract<SearchResult, { kind: 'found' }>;

/**
 * The violation a found witness shows, replayed. `expect` is checked on the replayed copy that ends
 * where the solver said; `say` words the violation from the replayed trace.
 */
export function violation(ctx: VerifyContext, property: string, subject: string, f: Found, say: (t: Trace) => string, expect?: (copy: Trace) => boolean): PropertyResult {
  const r = replay(ctx, f, expect);
  if (!r.ok) return { property, subject, verdict: 'unknown', witness: f.witness, trace: r.trace, message: 'internal error: solver and evaluator disagree', error: r.error };
  const claim = { says: `ends ${claimOf(f.end)}`, shownBy: (t: Trace) => copies(t).some((c) => sameEnd(c, f.end) && (expect?.(c) ?? true)) };
  return { property, subject, verdict: 'violated', witness: f.witness, trace: r.trace, message: say(r.trace), claim };
}

/**
 * A search that did not find a violation: `none` over some packet means nothing; `unknown` is reported
 * as such, and so is `none` over no packet where the question expects some (search.ts `overNothing`):
 * "no such end" is then empty, not a proof (a sender that cannot send to the subject is a mistake in
 * the question, e.g. the outside world of another subnet than the address's, never a `holds`).
 */
export function notFound(property: string, subject: string, r: Exclude<SearchResult, Found>, what: string): PropertyResult | null {
  if (r.kind === 'unknown') return unknown(property, subject, `${what}: ${r.reason}`);
  if (r.overNothing) return unknown(property, subject, `${what}: no packet was followed (none of them leaves the sender), so there is nothing to prove the property over`);
  return null;
}
