// `query --format sarif`: the answer as one SARIF result of the rule `query` — failing when `--expect`
// did not hold, open when the answer is unknown, passing when `--expect` held, informational without
// `--expect` — located at the sender's object in the topology file, the destination's as related.
import type * as Sarif from 'sarif';
import type { QueryAnswer } from '../../questions/query.ts';
import type { Topology } from '../../topology/model.ts';
import { portPath, subjectPath } from '../../topology/object-paths.ts';
import type { Path } from '../../topology/path.ts';
import { sourceOf } from '../../topology/source-map.ts';
import type { Labels } from '../labels.ts';
import { locatorFor } from './locations.ts';
import { sarifLog, type SarifFinding } from './log.ts';

export interface QuerySarifInput {
  readonly answer: QueryAnswer;
  readonly expect: 'reachable' | 'unreachable' | null;
  readonly topology: Topology;
  readonly labels: Labels;
  /** `query:vm1->vm4 tcp dport 22`: what was asked. */
  readonly subject: string;
  readonly commandLine: string;
  readonly exitCode: number;
  readonly cwd: string;
}

export const QUERY_RULE = {
  id: 'query',
  short: 'is there any packet from one endpoint to another with the given fields? (a proof over all packets)',
  help: '`netproof query` asks whether any packet matching the given fields gets from `--from` to `--to`: REACHABLE with a witness packet and its trace, UNREACHABLE with the trace of a representative packet and the rule that stops it, or UNKNOWN (never a proof). With `--expect`, an answer that differs is a failure. See docs/cli.md.',
} as const;

export function querySarif(q: QuerySarifInput): Sarif.Log {
  const a = q.answer;
  const data = sourceOf(q.topology)?.data;
  // From a set (project:, network:, a CIDR, external), the sender that sent the witness, else the first.
  const source = a.verdict === 'reachable' ? a.plan.senders.find((s) => s.group.sources.some((x) => x.station.mac === a.trace.packet.eth_src)) : undefined;
  const from = (source ?? a.plan.senders[0]!).rep;
  const fromPath: Path | null = from.kind === 'port' ? portPath(from.station.vm, from.station.index) : ['networks', from.station.network];
  const at = locatorFor(q.topology, q.labels, q.cwd);
  const destPaths = a.plan.dests.flatMap((d): Path[] => {
    if (d.kind === 'port') return [d.ipDst !== d.finalDst && data !== undefined ? (subjectPath(data, `fip:${d.ipDst}`) ?? portPath(d.station.vm, d.station.index)) : portPath(d.station.vm, d.station.index)];
    if (d.kind === 'external' && d.network !== null) return [['networks', d.network]];
    return [];
  });
  const related = destPaths.flatMap((p) => at.topology(p, 'the destination') ?? []);
  const kind: SarifFinding['kind'] = a.verdict === 'unknown' ? 'open' : q.expect === null ? 'informational' : a.verdict === q.expect ? 'pass' : 'fail';
  const finding: SarifFinding = {
    ruleId: QUERY_RULE.id,
    subject: q.subject,
    kind,
    message: `${a.verdict.toUpperCase()}${q.expect !== null ? ` (expected ${q.expect})` : ''} — ${a.reason}`,
    subjectPath: fromPath,
    related,
    witness: a.verdict === 'reachable' ? a.trace.packet : null,
    trace: a.trace,
    properties: { verdict: a.verdict, ...(q.expect !== null ? { expect: q.expect } : {}), ...(a.error !== undefined ? { error: a.error } : {}) },
  };
  return sarifLog({
    topology: q.topology,
    labels: q.labels,
    rules: [QUERY_RULE],
    findings: [finding],
    commandLine: q.commandLine,
    exitCode: q.exitCode,
    cwd: q.cwd,
    internalErrors: a.error !== undefined ? [a.error] : [],
  });
}
