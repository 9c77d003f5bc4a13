// `verify --baseline OLD.json`: the results whose verdict changed since a saved `verify --format json`
// run — newly violated, fixed, newly unknown, subjects that appeared or went away — matched by
// property and subject. The baseline is read as the JSON contract (docs/json.md) says; anything else
// is refused as input (NP606), naming the file and what is wrong.
// Guarantees: every current result and every baseline result is in exactly one of: unchanged, or one
// change (before → after, null on the side that lacks it).
import type { Result } from '../errors.ts';
import { readTextFile, type InputLimits } from '../input/text-file.ts';
import type { PropertyResult, PropertyVerdict } from './property.ts';

export interface BaselineResult {
  readonly property: string;
  readonly subject: string;
  readonly verdict: string;
}

export interface Baseline {
  readonly file: string;
  readonly results: readonly BaselineResult[];
}

export interface BaselineChange {
  readonly property: string;
  readonly subject: string;
  /** The verdict in the baseline, null when the subject was not there. */
  readonly before: string | null;
  /** The verdict now, null when the subject is gone. */
  readonly after: PropertyVerdict | null;
}

const bad = (file: string, path: string, message: string): Result<Baseline> => ({ ok: false, errors: [{ code: 'NP606', file, position: null, path, message }] });

export function loadBaseline(file: string, limits: InputLimits): Result<Baseline> {
  const text = readTextFile(file, limits);
  if (!text.ok) return { ok: false, errors: text.errors.map((e) => ({ ...e, path: e.path === '' ? '--baseline' : e.path })) };
  let data: unknown;
  try {
    data = JSON.parse(text.value);
  } catch (err) {
    return bad(file, '--baseline', `not JSON (${(err as Error).message}); give the output of verify --format json`);
  }
  const results = (data as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return bad(file, 'results', 'no results list: give the output of verify --format json');
  const out: BaselineResult[] = [];
  for (const [i, r] of results.entries()) {
    const x = r as Record<string, unknown> | null;
    for (const f of ['property', 'subject', 'verdict'] as const) {
      if (typeof x?.[f] !== 'string') return bad(file, `results[${i}].${f}`, `missing or not a string`);
    }
    out.push({ property: x!.property as string, subject: x!.subject as string, verdict: x!.verdict as string });
  }
  return { ok: true, value: { file, results: out } };
}

const key = (r: { property: string; subject: string }) => `${r.property}\u0000${r.subject}`;

/** What changed since the baseline, in the current results' order, then the subjects gone. */
export function changesSince(baseline: Baseline, now: readonly PropertyResult[]): BaselineChange[] {
  const old = new Map(baseline.results.map((r) => [key(r), r]));
  const changes: BaselineChange[] = [];
  for (const r of now) {
    const b = old.get(key(r));
    if (b === undefined || b.verdict !== r.verdict) changes.push({ property: r.property, subject: r.subject, before: b?.verdict ?? null, after: r.verdict });
  }
  const current = new Set(now.map(key));
  for (const b of baseline.results) if (!current.has(key(b))) changes.push({ property: b.property, subject: b.subject, before: b.verdict, after: null });
  return changes;
}

/** The change in words: `newly violated`, `fixed`, `new subject`, `gone` … */
export function changeWords(c: BaselineChange): string {
  if (c.before === null) return `new: ${c.after}`;
  if (c.after === null) return `gone (was ${c.before})`;
  if (c.after === 'violated') return `newly violated (was ${c.before})`;
  if (c.before === 'violated' && c.after === 'holds') return 'fixed (was violated)';
  return `${c.before} → ${c.after}`;
}
