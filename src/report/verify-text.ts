// `verify` for people: a table (property, subject, verdict, message), then each violation's (and each
// internal error's) witness and numbered trace, then what became of the waivers, then the summary line.
// On a terminal the verdicts are coloured and the messages wrapped to its width (style.ts).
import type { Assumption } from '../questions/assumptions.ts';
import { assumptionLines } from './assumptions.ts';
import type { PropertyVerdict } from '../questions/property.ts';
import type { VerifyReport } from '../questions/verify.ts';
import type { WaiverOutcome } from '../questions/waivers.ts';
import type { Labels } from './labels.ts';
import { paint, PLAIN, wrapText, type TextStyle, type Tone } from './style.ts';
import { packetSummary, traceText } from './trace-text.ts';

const VERDICT: Readonly<Record<PropertyVerdict, { readonly label: string; readonly tones: readonly Tone[] }>> = {
  holds: { label: 'holds', tones: ['green'] },
  violated: { label: 'VIOLATED', tones: ['red', 'bold'] },
  unknown: { label: 'UNKNOWN', tones: ['yellow', 'bold'] },
  'n/a': { label: 'n/a', tones: ['dim'] },
  waived: { label: 'waived', tones: ['cyan'] },
};

export interface VerifyTextOptions {
  readonly rules: boolean;
  readonly style?: TextStyle;
  /** Show only the results that fail (violated, unknown); the summary still counts every result. */
  readonly onlyFailures?: boolean;
  readonly waivers?: readonly WaiverOutcome[];
  /** What the results rest on, said before the summary. */
  readonly assumptions?: readonly Assumption[];
}

const failing = (v: PropertyVerdict): boolean => v === 'violated' || v === 'unknown';

/** The table: columns padded to their widest cell; the verdict coloured; the message wrapped to the width. */
function table(rows: readonly (readonly [string, string, PropertyVerdict | null, string])[], style: TextStyle): string[] {
  const cell = (r: (typeof rows)[number]) => [r[0], r[1], r[2] === null ? 'VERDICT' : VERDICT[r[2]].label] as const;
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => cell(r)[i]!.length)));
  const indent = widths.reduce((a, b) => a + b + 2, 0);
  const room = style.width === null ? null : Math.max(24, style.width - indent);
  return rows.flatMap((r) => {
    const [p, s, v] = cell(r);
    const verdict = r[2] === null ? v.padEnd(widths[2]!) : `${paint(style, VERDICT[r[2]].tones, v)}${' '.repeat(widths[2]! - v.length)}`;
    const [first = '', ...rest] = room === null ? [r[3]] : wrapText(r[3], room);
    return [`${p.padEnd(widths[0]!)}  ${s.padEnd(widths[1]!)}  ${verdict}  ${first}`.trimEnd(), ...rest.map((l) => `${' '.repeat(indent)}${l}`)];
  });
}

function waiverLines(outcomes: readonly WaiverOutcome[]): string[] {
  const said = outcomes.filter((o) => o.status !== 'applied');
  if (said.length === 0) return [];
  const where = (o: WaiverOutcome) => `${o.waiver.file}${o.waiver.line !== null ? `:${o.waiver.line}` : ''}`;
  const why: Readonly<Record<Exclude<WaiverOutcome['status'], 'applied'>, (o: WaiverOutcome) => string>> = {
    expired: (o) => `expired on ${o.waiver.expires ?? '?'}: not applied`,
    unmatched: () => 'matches no result (a property id or subject that does not exist here)',
    unneeded: () => 'not needed: the result holds',
  };
  return ['', 'waivers:', ...said.map((o) => `  ${o.waiver.property} ${o.waiver.subject} (${where(o)}): ${why[o.status as Exclude<WaiverOutcome['status'], 'applied'>](o)}`)];
}

export function summaryLine(r: VerifyReport): string {
  const s = r.summary;
  const extra = [...(s['n/a'] > 0 ? [`${s['n/a']} n/a`] : []), ...(s.waived > 0 ? [`${s.waived} waived`] : [])];
  return `${r.results.length} results: ${s.holds} hold, ${s.violated} violated, ${s.unknown} unknown${extra.map((e) => `, ${e}`).join('')}`;
}

export function verifyText(r: VerifyReport, labels: Labels, opts: VerifyTextOptions = { rules: true }): string {
  const style = opts.style ?? PLAIN;
  const shown = opts.onlyFailures === true ? r.results.filter((x) => failing(x.verdict) || x.error !== undefined) : r.results;
  const lines = shown.length === 0 && opts.onlyFailures === true
    ? ['no failures']
    : table([['PROPERTY', 'SUBJECT', null, 'MESSAGE'], ...shown.map((x) => [x.property, x.subject, x.verdict, x.message] as const)], style);
  const details = shown.filter((x) => x.verdict === 'violated' || x.error !== undefined);
  details.forEach((x, i) => {
    lines.push('', `── ${i + 1}. ${x.property} ${x.subject}: ${paint(style, VERDICT[x.verdict].tones, VERDICT[x.verdict].label)}`, x.message);
    if (x.error !== undefined) lines.push(`INTERNAL ERROR: ${x.error}`);
    if (x.witness !== null) lines.push(`witness: ${packetSummary(x.witness)}`);
    if (x.trace !== null) lines.push(traceText(x.trace, labels, { rules: opts.rules }));
  });
  lines.push(...waiverLines(opts.waivers ?? []), ...assumptionLines(opts.assumptions ?? []), '', summaryLine(r));
  return lines.join('\n');
}
