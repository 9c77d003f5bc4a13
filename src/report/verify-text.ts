// `verify` for people: a table (property, subject, verdict, message), then each violation's (and each
// internal error's) witness and numbered trace, then the summary line.
import type { VerifyReport } from '../questions/verify.ts';
import type { Labels } from './labels.ts';
import { packetSummary, traceText } from './trace-text.ts';

const VERDICT: Readonly<Record<'holds' | 'violated' | 'unknown', string>> = { holds: 'holds', violated: 'VIOLATED', unknown: 'UNKNOWN' };

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function verifyText(r: VerifyReport, labels: Labels, opts: { rules: boolean } = { rules: true }): string {
  const rows = [['PROPERTY', 'SUBJECT', 'VERDICT', 'MESSAGE'], ...r.results.map((x) => [x.property, x.subject, VERDICT[x.verdict], x.message])];
  const lines = table(rows);
  const details = r.results.filter((x) => x.verdict === 'violated' || x.error !== undefined);
  details.forEach((x, i) => {
    lines.push('', `── ${i + 1}. ${x.property} ${x.subject}: ${VERDICT[x.verdict]}`, x.message);
    if (x.error !== undefined) lines.push(`INTERNAL ERROR: ${x.error}`);
    if (x.witness !== null) lines.push(`witness: ${packetSummary(x.witness)}`);
    if (x.trace !== null) lines.push(traceText(x.trace, labels, opts));
  });
  const { holds, violated, unknown } = r.summary;
  lines.push('', `${r.results.length} results: ${holds} hold, ${violated} violated, ${unknown} unknown`);
  return lines.join('\n');
}
