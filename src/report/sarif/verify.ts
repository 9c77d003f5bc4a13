// `verify --format sarif`: the verify report as SARIF (log.ts): a rule per property checked, a result
// per violated or unknown answer, and waived answers kept as suppressed results with their reason.
import type * as Sarif from 'sarif';
import type { PropertyCheck } from '../../questions/property.ts';
import type { ResolvedProperty } from '../../questions/user-properties/check.ts';
import { subjectOf } from '../../questions/user-properties/model.ts';
import type { VerifyReport } from '../../questions/verify.ts';
import type { WaiverOutcome } from '../../questions/waivers.ts';
import type { Topology } from '../../topology/model.ts';
import { subjectPath, portPath } from '../../topology/object-paths.ts';
import { sourceOf } from '../../topology/source-map.ts';
import type { Labels } from '../labels.ts';
import type { Baseline } from '../../questions/baseline.ts';
import { fileLocation } from './locations.ts';
import { sarifLog, type SarifFinding, type SarifRuleInfo } from './log.ts';

export interface VerifySarifInput {
  readonly report: VerifyReport;
  readonly topology: Topology;
  readonly labels: Labels;
  readonly builtins: readonly PropertyCheck[];
  readonly user: readonly ResolvedProperty[];
  readonly waivers: readonly WaiverOutcome[];
  readonly commandLine: string;
  readonly exitCode: number;
  readonly cwd: string;
  /** A saved run (`--baseline`): each result says its baselineState, and the baseline's failures that are no more are written as absent. */
  readonly baseline?: Baseline | null;
}

/** The verdicts SARIF writes a result for. */
const FAILING = new Set(['violated', 'unknown', 'waived']);

/** SARIF's baselineState of a result written now, by the verdict the baseline had for its property and subject. */
function stateSince(before: string | undefined, now: string): Sarif.Result.baselineState {
  if (before === undefined || !FAILING.has(before)) return 'new';
  return before === now ? 'unchanged' : 'updated';
}

function builtinRule(b: PropertyCheck): SarifRuleInfo {
  return {
    id: b.id,
    short: b.description,
    help: `Built-in invariant \`${b.id}\` of \`netproof verify\`: ${b.description}. A violation comes with a witness packet, replayed through the evaluator, and its trace hop by hop; an unknown is never a proof (a solver timeout, something not modelled, or the solver and the evaluator disagreeing). See docs/properties.md.`,
  };
}

function userRule(u: ResolvedProperty): SarifRuleInfo {
  const p = u.property;
  const what = p.kind === 'isolate' ? `no packet from ${p.from} reaches ${p.to} by fixed address` : `${p.from} ${p.expect === 'reachable' ? 'reaches' : 'does not reach'} ${p.to}`;
  return {
    id: p.name,
    short: `user property ${subjectOf(p)}: ${what}`,
    help: `User property \`${p.name}\` (${p.file}${p.position !== null ? `:${p.position.line}` : ''}): ${what}. See docs/properties.md.`,
  };
}

export function verifySarif(v: VerifySarifInput): Sarif.Log {
  const rules = [...v.builtins.map(builtinRule), ...v.user.map(userRule)];
  const data = sourceOf(v.topology)?.data;
  const declared = new Map(v.user.map((u) => [u.property.name, u.property]));
  const applied = v.waivers.filter((w) => w.status === 'applied').map((w) => w.waiver);
  const findings: SarifFinding[] = [];
  const key = (x: { property: string; subject: string }) => `${x.property}\u0000${x.subject}`;
  const before = new Map((v.baseline?.results ?? []).map((b) => [key(b), b.verdict]));
  for (const r of v.report.results) {
    if (!FAILING.has(r.verdict)) continue;
    const user = declared.get(r.property);
    const related = user !== undefined && user.position !== null ? [{ physicalLocation: { artifactLocation: fileLocation(user.file, v.cwd), region: { startLine: user.position.line, startColumn: user.position.column } }, message: { text: `the property ${user.name}` } }] : [];
    // A user property's subject is its own; the object it concerns is where its witness got to.
    const reached = r.trace?.deliveredTo;
    const path = user === undefined ? (data === undefined ? null : subjectPath(data, r.subject)) : reached?.kind === 'vm' ? portPath(reached.vm, reached.port) : null;
    const waiver = r.verdict === 'waived' ? applied.find((w) => w.property === r.property && w.subject === r.subject) : undefined;
    findings.push({
      ruleId: r.property,
      subject: r.subject,
      // A waived result keeps its level: violated when it came with a witness, else unknown.
      kind: r.verdict === 'violated' || (r.verdict === 'waived' && r.witness !== null) ? 'fail' : 'open',
      message: r.message,
      subjectPath: path,
      related,
      witness: r.witness,
      trace: r.trace,
      properties: { verdict: r.verdict, ...(r.error !== undefined ? { error: r.error } : {}) },
      ...(waiver !== undefined ? { waived: waiver.reason } : {}),
      ...(v.baseline ? { baselineState: stateSince(before.get(key(r)), r.verdict) } : {}),
    });
  }
  // A failure of the baseline that is no more (it holds now, is n/a, or its subject is gone): an absent result.
  const now = new Map(v.report.results.map((r) => [key(r), r.verdict]));
  for (const b of v.baseline?.results ?? []) {
    const after = now.get(key(b));
    if (!FAILING.has(b.verdict) || (after !== undefined && FAILING.has(after))) continue;
    findings.push({
      ruleId: b.property,
      subject: b.subject,
      kind: 'pass',
      message: after === undefined ? `was ${b.verdict} in the baseline; no such result now` : `was ${b.verdict} in the baseline; ${after} now`,
      subjectPath: data === undefined || declared.has(b.property) ? null : subjectPath(data, b.subject),
      related: [],
      witness: null,
      trace: null,
      properties: { ...(after !== undefined ? { verdict: after } : {}), baselineVerdict: b.verdict },
      baselineState: 'absent',
    });
  }
  return sarifLog({
    topology: v.topology,
    labels: v.labels,
    rules,
    findings,
    commandLine: v.commandLine,
    exitCode: v.exitCode,
    cwd: v.cwd,
    internalErrors: v.report.results.flatMap((r) => (r.error !== undefined && r.verdict !== 'waived' ? [`${r.property} ${r.subject}: ${r.error}`] : [])),
  });
}
