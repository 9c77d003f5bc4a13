// What a cloud's notes do to verify's answers: a verdict whose subject a note taints (something netproof
// left out or could not read may change it) becomes `unknown`, saying which note and where it came from. A
// violation found in the modelled part is kept as a hint (witness and trace) but no longer claimed.
import type { PropertyResult } from '../questions/property.ts';
import { summarize, type VerifyReport } from '../questions/verify.ts';
import { ALL_SUBJECTS, tainted, type CloudNote } from './notes.ts';

/** The subjects a user property touches: its own subject's parts (`isolate:a->b` → a, b) and every subject when unsure. */
function subjectsOf(r: PropertyResult): string[] {
  const m = /^[a-z-]+:(.+)->(.+)$/.exec(r.subject);
  return m ? [m[1] as string, m[2] as string] : [r.subject];
}

function taintingNote(r: PropertyResult, notes: readonly CloudNote[]): CloudNote | null {
  for (const n of notes) {
    if (n.taints.length === 0) continue;
    const set = new Set(n.taints);
    if (subjectsOf(r).some((s) => tainted(s, set))) return n;
    // User properties name endpoints in their own words: any note that may change every verdict applies.
    if (set.has(ALL_SUBJECTS)) return n;
  }
  return null;
}

export function taintReport(report: VerifyReport, notes: readonly CloudNote[]): VerifyReport {
  if (!notes.some((n) => n.taints.length > 0)) return report;
  const results = report.results.map((r): PropertyResult => {
    // An `n/a` (nothing to check) may be wrong too: what is missing could be what there is to check.
    if (r.verdict === 'waived') return r;
    const n = taintingNote(r, notes);
    if (n === null) return r;
    // An answer already unknown (its trace crossed what is missing) still says what is missing.
    const was = r.verdict === 'n/a' ? 'nothing to check in the modelled part' : r.verdict === 'unknown' ? 'not decided in the modelled part' : `${r.verdict} in the modelled part`;
    return { ...r, verdict: 'unknown', message: `${was}, but ${n.message} (${n.file}:${n.line}) — ${r.message}` };
  });
  return { results, summary: summarize(results) };
}

