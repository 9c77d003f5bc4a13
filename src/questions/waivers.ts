// Waivers (`verify --waivers FILE`): a YAML list of { property, subject, reason, expires? } that turns a
// named result that is violated or unknown into `waived` — shown with its reason, not failing. A waiver
// that matches no result, that matches a result which holds anyway, or whose expiry date has passed is
// itself reported (and an expired one waives nothing), so a waiver file cannot silently rot.
import * as z from 'zod';
import type { InputError, Result } from '../errors.ts';
import { readTextFile, type InputLimits } from '../input/text-file.ts';
import { readSource } from '../topology/source.ts';
import { formatPath, type PathSegment } from '../topology/path.ts';
import type { PropertyResult } from './property.ts';

/** Whether YYYY-MM-DD names a day of the calendar: 2026-13-40 or 2026-02-30 would compare as text and never expire. */
function isCalendarDay(s: string): boolean {
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const WaiverSchema = z.strictObject({
  property: z.string().min(1),
  subject: z.string().min(1),
  reason: z.string().min(1),
  expires: z.union([
    z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').refine(isCalendarDay, 'not a day of the calendar (a date YYYY-MM-DD)'),
    z.date(),
  ]).optional(),
});

export interface Waiver {
  readonly property: string;
  readonly subject: string;
  readonly reason: string;
  /** YYYY-MM-DD: the last day the waiver applies; null for no expiry. */
  readonly expires: string | null;
  readonly file: string;
  readonly line: number | null;
}

/** What became of a waiver in a run. */
export type WaiverStatus = 'applied' | 'unneeded' | 'expired' | 'unmatched';

export interface WaiverOutcome {
  readonly waiver: Waiver;
  readonly status: WaiverStatus;
}

const CODES = { unknown: 'NP801', wrong: 'NP802', missing: 'NP803' } as const;

/** Parses a waiver file's text; every problem is an NP80x error with its line and path. */
export function parseWaivers(text: string, file: string): Result<Waiver[]> {
  const src = readSource(text, file);
  if (!src.ok) return src;
  const { data, locator } = src;
  if (data === null || data === undefined) return { ok: true, value: [] };
  const err = (code: InputError['code'], path: PathSegment[], message: string): InputError => ({ code, file, position: locator.locate(path), path: formatPath(path), message });
  if (!Array.isArray(data)) return { ok: false, errors: [err(CODES.wrong, [], 'expected a list of waivers { property, subject, reason, expires? }')] };
  const out: Waiver[] = [];
  const errors: InputError[] = [];
  data.forEach((item: unknown, i) => {
    const r = WaiverSchema.safeParse(item);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const path = [i, ...(issue.path as PathSegment[])];
        if (issue.code === 'unrecognized_keys') for (const k of issue.keys) errors.push(err(CODES.unknown, [...path, k], `unknown field "${k}"`));
        else if (issue.code === 'invalid_type' && (item === null || typeof item !== 'object' || !(String(path[path.length - 1]) in item))) errors.push(err(CODES.missing, path, issue.path.length === 0 ? 'expected a waiver (a map)' : `missing field "${String(path[path.length - 1])}"`));
        else errors.push(err(CODES.wrong, path, issue.message));
      }
      return;
    }
    const e = r.data.expires;
    out.push({
      property: r.data.property,
      subject: r.data.subject,
      reason: r.data.reason,
      expires: e === undefined ? null : typeof e === 'string' ? e : e.toISOString().slice(0, 10),
      file,
      line: locator.locate([i])?.line ?? null,
    });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

export function loadWaivers(path: string, limits?: InputLimits): Result<Waiver[]> {
  const text = readTextFile(path, limits);
  return text.ok ? parseWaivers(text.value, path) : text;
}

/**
 * Applies `waivers` to `results` as of `today` (YYYY-MM-DD): a violated or unknown result that a
 * waiver in force names becomes `waived`, its message followed by the reason.
 */
export function applyWaivers(results: readonly PropertyResult[], waivers: readonly Waiver[], today: string): { results: PropertyResult[]; outcomes: WaiverOutcome[] } {
  const inForce = (w: Waiver) => w.expires === null || w.expires >= today;
  const matches = (w: Waiver, r: PropertyResult) => w.property === r.property && w.subject === r.subject;
  const out = results.map((r) => {
    if (r.verdict !== 'violated' && r.verdict !== 'unknown') return r;
    const w = waivers.find((x) => inForce(x) && matches(x, r));
    return w === undefined ? r : { ...r, verdict: 'waived' as const, message: `${r.message} — waived: ${w.reason}${w.expires !== null ? ` (until ${w.expires})` : ''}` };
  });
  const outcomes = waivers.map((w): WaiverOutcome => {
    const hit = results.filter((r) => matches(w, r));
    if (hit.length === 0) return { waiver: w, status: 'unmatched' };
    if (!inForce(w)) return { waiver: w, status: 'expired' };
    return { waiver: w, status: hit.some((r) => r.verdict === 'violated' || r.verdict === 'unknown') ? 'applied' : 'unneeded' };
  });
  return { results: out, outcomes };
}
