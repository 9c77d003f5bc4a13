// `verify` for people: a table ([scenario,] property, subject, verdict, message), then each violation's (and each
// internal error's) witness and numbered trace, then what became of the waivers, then the summary line.
// On a terminal the verdicts are coloured and the messages wrapped to its width (style.ts).
import type { Assumption } from '../questions/assumptions.ts';
import { assumptionLines } from './assumptions.ts';
import type { PropertyVerdict, ScenarioTag } from '../questions/property.ts';
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

/** One table row: its leading cells (scenario, property, subject), its verdict (null: the header), its message. */
interface Row {
  readonly lead: readonly string[];
  readonly verdict: PropertyVerdict | null;
  readonly message: string;
}

/** The table: columns padded to their widest cell; the verdict coloured; the message wrapped to the width. */
function table(rows: readonly Row[], style: TextStyle): string[] {
  const cells = (r: Row) => [...r.lead, r.verdict === null ? 'VERDICT' : VERDICT[r.verdict].label];
  const n = cells(rows[0]!).length;
  const widths = [...Array(n).keys()].map((i) => Math.max(...rows.map((r) => cells(r)[i]!.length)));
  const indent = widths.reduce((a, b) => a + b + 2, 0);
  const room = style.width === null ? null : Math.max(24, style.width - indent);
  return rows.flatMap((r) => {
    const cs = cells(r);
    const v = cs[n - 1]!;
    const verdict = r.verdict === null ? v.padEnd(widths[n - 1]!) : `${paint(style, VERDICT[r.verdict].tones, v)}${' '.repeat(widths[n - 1]! - v.length)}`;
    const lead = cs.slice(0, n - 1).map((c, i) => `${c.padEnd(widths[i]!)}  `).join('');
    const [first = '', ...rest] = room === null ? [r.message] : wrapText(r.message, room);
    return [`${lead}${verdict}  ${first}`.trimEnd(), ...rest.map((l) => `${' '.repeat(indent)}${l}`)];
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

/** `network1 down, network1–network2 cut`, or `-` for none. */
export function scenarioWords(t: ScenarioTag | undefined): string {
  const parts = [...(t?.failed ?? []).map((h) => `${h} down`), ...(t?.cut ?? []).map(([a, b]) => `${a}–${b} cut`)];
  return parts.length === 0 ? '-' : parts.join(', ');
}

export function verifyText(r: VerifyReport, labels: Labels, opts: VerifyTextOptions = { rules: true }): string {
  const style = opts.style ?? PLAIN;
  // A SCENARIO column only when some result is under one (--fail, --cut, --failures).
  const scenarios = r.results.some((x) => (x.scenario?.failed.length ?? 0) + (x.scenario?.cut.length ?? 0) > 0);
  const shown = opts.onlyFailures === true ? r.results.filter((x) => failing(x.verdict) || x.error !== undefined) : r.results;
  const row = (x: VerifyReport['results'][number]): Row => ({ lead: [...(scenarios ? [scenarioWords(x.scenario)] : []), x.property, x.subject], verdict: x.verdict, message: x.message });
  const lines = shown.length === 0 && opts.onlyFailures === true
    ? ['no failures']
    : table([{ lead: [...(scenarios ? ['SCENARIO'] : []), 'PROPERTY', 'SUBJECT'], verdict: null, message: 'MESSAGE' }, ...shown.map(row)], style);
  const details = shown.filter((x) => x.verdict === 'violated' || x.error !== undefined);
  details.forEach((x, i) => {
    lines.push('', `── ${i + 1}. ${x.property} ${x.subject}${scenarios ? ` [${scenarioWords(x.scenario)}]` : ''}: ${paint(style, VERDICT[x.verdict].tones, VERDICT[x.verdict].label)}`, x.message);
    if (x.error !== undefined) lines.push(`INTERNAL ERROR: ${x.error}`);
    if (x.witness !== null) lines.push(`witness: ${packetSummary(x.witness)}`);
    if (x.trace !== null) lines.push(traceText(x.trace, labels, { rules: opts.rules }));
  });
  lines.push(...waiverLines(opts.waivers ?? []), ...assumptionLines(opts.assumptions ?? []), '', summaryLine(r));
  return lines.join('\n');
}
