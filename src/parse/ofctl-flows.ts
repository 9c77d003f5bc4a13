// `ovs-ofctl dump-flows BRIDGE` text → Flow[], for every layout the samples show: with or without
// the `NXST_FLOW`/`OFPST_FLOW` header and statistics, `--names` (quoted) or numeric ports, OpenFlow
// 1.0 or 1.3 renders. Absent `priority` is 32768 and absent `table` is 0, as in OVS. Each flow keeps
// its line as Origin; whatever is not modelled is kept as `unsupported` with a warning.
import type { Flow } from '../ir/openflow.ts';
import { indexOutsideQuotes, sourceLines, splitTopLevel } from './lex.ts';
import { parseActions } from './ofctl-actions.ts';
import { FlowMatchBuilder } from './ofctl-match.ts';
import { PARSE_WARNING, WarningSink, type Parsed } from './parsed.ts';
import { parseIntAuto } from './values.ts';

export const OFP_DEFAULT_PRIORITY = 32768;

/** Flow fields that describe the flow entry rather than the packets it matches. */
const ENTRY_FIELDS = new Set([
  'duration', 'n_packets', 'n_bytes', 'idle_age', 'hard_age', 'idle_timeout', 'hard_timeout', 'importance',
]);
/** Flags some OVS versions print among the fields; they do not change forwarding. */
const ENTRY_FLAGS = new Set(['reset_counts', 'send_flow_rem', 'check_overlap', 'no_packet_counts', 'no_byte_counts']);

/** Parses a whole dump; `file` goes into every Origin and Warning. */
export function parseDumpFlows(text: string, file: string): Parsed<Flow[]> {
  const sink = new WarningSink(file);
  const flows: Flow[] = [];
  for (const { line, text: t } of sourceLines(text)) {
    if (t === '' || t.startsWith('#') || /^(NXST|OFPST)_FLOW reply\b/.test(t)) continue;
    const flow = parseFlowLine(t, file, line, sink);
    if (flow) flows.push(flow);
  }
  return { value: flows, warnings: sink.warnings };
}

/** One flow line (trimmed); null (with a warning) when it is not a flow at all. */
export function parseFlowLine(t: string, file: string, line: number, sink: WarningSink): Flow | null {
  const at = findActions(t);
  if (at < 0) {
    sink.add(PARSE_WARNING.unrecognisedLine, line, `not a flow (no actions=): ${t}`);
    return null;
  }
  const head = t.slice(0, at);
  const actionsText = t.slice(at + 'actions='.length);
  let table = 0;
  let priority = OFP_DEFAULT_PRIORITY;
  let cookie: string | null = null;
  const match = new FlowMatchBuilder(sink, line);
  // Whitespace and commas both separate fields (one sample even glues `n_bytes=0,priority=2`).
  for (const item of splitTopLevel(head.replace(/\s+/g, ','), ',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? '' : item.slice(eq + 1);
    if (key === 'table' || key === 'priority') {
      const n = parseIntAuto(value);
      if (n === null) sink.add(PARSE_WARNING.badValue, line, `cannot read ${item}`);
      else if (key === 'table') table = n;
      else priority = n;
    } else if (key === 'cookie') cookie = value;
    else if (ENTRY_FIELDS.has(key) || (eq < 0 && ENTRY_FLAGS.has(key))) continue;
    else match.add(item);
  }
  return {
    table,
    priority,
    match: match.build(),
    actions: parseActions(actionsText, sink, line),
    cookie,
    origin: { file, line, text: t },
  };
}

/** Index of the `actions=` that starts the action list (a field start, outside quotes), or -1. */
function findActions(t: string): number {
  let from = 0;
  for (;;) {
    const i = indexOutsideQuotes(t.slice(from), 'actions=');
    if (i < 0) return -1;
    const at = from + i;
    if (at === 0 || /[\s,]/.test(t[at - 1] as string)) return at;
    from = at + 1;
  }
}
