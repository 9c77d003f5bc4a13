// `--format html` of verify, query and trace (and `netproof report`): each answer as one page (page.ts)
// — the picture of the cloud laid out by ELK (cloud-graph.ts, layout.ts, svg.ts), a row per result with
// the same verdicts as the JSON, and every violation's, witness's or trace's path drawn on the picture.
import type { Dataplane } from '../../ir/dataplane.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { Topology } from '../../topology/model.ts';
import type { VerifyReport } from '../../questions/verify.ts';
import type { Assumption } from '../../questions/assumptions.ts';
import type { Labels } from '../labels.ts';
import { scenarioWords } from '../verify-text.ts';
import { cloudGraph } from './cloud-graph.ts';
import { layoutCloud } from './layout.ts';
import { htmlPage, type NamedPath, type ReportRow } from './page.ts';
import { picturePath } from './path.ts';
import { cloudSvg } from './svg.ts';

/** What every page is drawn from. */
export interface HtmlContext {
  readonly topology: Topology;
  readonly dataplane: Dataplane;
  readonly labels: Labels;
  /** The command line as run. */
  readonly command: string;
  /** The `verify` command line that prints the same results as text, when the page shows verify's. */
  readonly equivalent?: string;
  readonly assumptions: readonly Assumption[];
  readonly notes?: readonly string[];
}

/** A row of the table and the path it shows, before the picture is drawn. */
interface Entry {
  readonly row: Omit<ReportRow, 'path'>;
  readonly trace: Trace | null;
  readonly name: string;
}

async function page(c: HtmlContext, title: string, counts: readonly (readonly [string, number])[], entries: readonly Entry[]): Promise<string> {
  const graph = cloudGraph(c.dataplane, c.topology, c.labels);
  const layout = await layoutCloud(graph);
  const paths: NamedPath[] = [];
  const rows = entries.map((e): ReportRow => {
    if (e.trace === null) return { ...e.row, path: null };
    paths.push({ name: e.name, ...picturePath(e.trace, graph, c.labels) });
    return { ...e.row, path: paths.length - 1 };
  });
  return htmlPage({ title, command: c.command, ...(c.equivalent !== undefined ? { equivalent: c.equivalent } : {}), counts, rows, paths, svg: cloudSvg(layout), assumptions: c.assumptions.map((a) => a.text), notes: c.notes ?? [] });
}

/** `verify --format html`: every result (or only the failing ones), each violation's trace on the picture. */
export function verifyHtml(c: HtmlContext, r: VerifyReport, opts: { onlyFailures?: boolean } = {}): Promise<string> {
  const failing = (v: string) => v === 'violated' || v === 'unknown';
  const shown = opts.onlyFailures === true ? r.results.filter((x) => failing(x.verdict) || x.error !== undefined) : r.results;
  const entries = shown.map((x): Entry => {
    const scenario = scenarioWords(x.scenario);
    return {
      row: { property: x.property, subject: x.subject, verdict: x.verdict, scenario: scenario === '-' ? '' : scenario, message: x.error !== undefined ? `${x.message} (internal error: ${x.error})` : x.message },
      trace: x.trace,
      name: `${x.property} ${x.subject}: ${x.verdict}`,
    };
  });
  const counts = (['holds', 'violated', 'unknown', 'n/a', 'waived'] as const).map((v) => [v, r.summary[v]] as const);
  return page(c, 'netproof verify', counts, entries);
}

/** `query --format html`: the answer, with the witness's trace (or where a representative packet stops) and the reply's. */
export function queryHtml(c: HtmlContext, q: { subject: string; verdict: string; reason: string; trace: Trace; reply: Trace | null }): Promise<string> {
  const entries: Entry[] = [
    { row: { property: 'query', subject: q.subject, verdict: q.verdict, scenario: '', message: q.reason }, trace: q.trace, name: `${q.subject}: ${q.verdict === 'reachable' ? 'the witness' : 'a packet of the query'}` },
    ...(q.reply === null ? [] : [{ row: { property: 'reply', subject: q.subject, verdict: q.reply.disposition, scenario: '', message: 'the reply through the connection state' }, trace: q.reply, name: `${q.subject}: the reply` }]),
  ];
  return page(c, 'netproof query', [[q.verdict, 1]], entries);
}

/** `trace --format html`: the one packet's path. */
export function traceHtml(c: HtmlContext, t: { subject: string; trace: Trace; message: string }): Promise<string> {
  const entry: Entry = { row: { property: 'trace', subject: t.subject, verdict: t.trace.disposition, scenario: '', message: t.message }, trace: t.trace, name: `trace ${t.subject}` };
  return page(c, 'netproof trace', [[t.trace.disposition, 1]], [entry]);
}
