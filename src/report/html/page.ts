// The HTML report as one self-contained page: a header (what was run, the counts), the verdict table
// (a row per result, the same verdicts as the JSON), the picture of the cloud with the steps of the
// selected path beside it, and what the answers assume. Style, script and picture are all inline:
// the page opens with no network access.
import { xmlEscape } from '../verify-junit.ts';
import { CLIENT_JS } from './client.ts';
import { PAGE_CSS } from './page-style.ts';
import type { PicturePath } from './path.ts';

export interface ReportRow {
  readonly property: string;
  readonly subject: string;
  readonly verdict: string;
  /** The failure scenario in words, '' for none. */
  readonly scenario: string;
  readonly message: string;
  /** The index in `paths` of the path this row shows, or null. */
  readonly path: number | null;
}

export interface NamedPath extends PicturePath {
  /** What the path is: `nat-egress router:router1 (witness)`, `trace vm1 → vm4`. */
  readonly name: string;
}

export interface HtmlReport {
  readonly title: string;
  readonly command: string;
  /** The `verify` command line that prints the same results as text (verify and report pages). */
  readonly equivalent?: string;
  /** Counts per verdict, in order: `[['holds', 7], ['violated', 1]]`. */
  readonly counts: readonly (readonly [string, number])[];
  readonly rows: readonly ReportRow[];
  readonly paths: readonly NamedPath[];
  /** The picture of the cloud (svg.ts). */
  readonly svg: string;
  readonly assumptions: readonly string[];
  /** Lines shown under the header: the scenario, notes about the input. */
  readonly notes: readonly string[];
}

const cls = (verdict: string) => `verdict v-${verdict.replace(/[^a-z/-]/g, '')}`;

function row(r: ReportRow, scenarios: boolean): string {
  const attrs = `data-property="${xmlEscape(r.property)}" data-subject="${xmlEscape(r.subject)}" data-verdict="${xmlEscape(r.verdict)}"`;
  const path = r.path === null ? '' : ` class="has-path" data-path="${r.path}"`;
  const cells = [
    `<td>${xmlEscape(r.property)}</td>`,
    `<td>${xmlEscape(r.subject)}</td>`,
    `<td class="${cls(r.verdict)}">${xmlEscape(r.verdict)}</td>`,
    ...(scenarios ? [`<td>${xmlEscape(r.scenario)}</td>`] : []),
    `<td class="message">${xmlEscape(r.message)}</td>`,
    `<td>${r.path === null ? '' : '<button class="show" type="button">path</button>'}</td>`,
  ];
  return `<tr ${attrs}${path}>${cells.join('')}</tr>`;
}

/** JSON inside a <script> element: `<` escaped so no string can close the element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function htmlPage(r: HtmlReport): string {
  const scenarios = r.rows.some((x) => x.scenario !== '');
  const head = ['property', 'subject', 'verdict', ...(scenarios ? ['scenario'] : []), 'message', ''];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // No request leaves the page: everything it shows is in it.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${xmlEscape(r.title)}</title>`,
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${xmlEscape(r.title)}</h1>`,
    `<div class="cmd">${xmlEscape(r.command)}</div>`,
    ...(r.equivalent !== undefined ? [`<div class="cmd equivalent">as text in a terminal: ${xmlEscape(r.equivalent)}</div>`] : []),
    `<div class="summary">${r.counts.map(([v, n]) => `<span class="${cls(v)}">${n} ${xmlEscape(v)}</span>`).join('')}</div>`,
    ...r.notes.map((n) => `<div class="note">${xmlEscape(n)}</div>`),
    '</header>',
    '<main>',
    '<h2>Results</h2>',
    `<table class="verdicts"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>`,
    ...r.rows.map((x) => row(x, scenarios)),
    '</tbody></table>',
    `<h2>The cloud${r.paths.length > 0 ? ' and the selected path' : ''} <button class="show" id="zoom" title="the picture scaled to the page's width, or at its own size (scrolled)">actual size</button></h2>`,
    '<div class="view">',
    // Scaled to fit the page's width when it opens: a wide cloud is seen whole, not cut off at the side.
    `<div class="picture fit" id="picture">${r.svg}</div>`,
    `<aside class="steps" id="steps">${r.paths.length > 0 ? '' : '<div class="empty">No result has a path to show: every violation, witness or trace is drawn here when there is one.</div>'}</aside>`,
    '</div>',
    ...(r.assumptions.length > 0 ? ['<h2>Assumes</h2>', `<ul class="assumptions">${r.assumptions.map((a) => `<li>${xmlEscape(a)}</li>`).join('')}</ul>`] : []),
    '</main>',
    `<script type="application/json" id="netproof-paths">${scriptJson(r.paths)}</script>`,
    `<script>${CLIENT_JS}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** How many result rows a page written by htmlPage has, and how many of them show a path. */
export function pageCounts(html: string): { rows: number; paths: number } {
  return { rows: (html.match(/<tr data-property=/g) ?? []).length, paths: (html.match(/<tr [^>]*class="has-path"/g) ?? []).length };
}
