// SARIF 2.1.0 output (`verify --format sarif`, `query --format sarif`), for code-review systems and the
// usual code-scanning upload: one run of the tool `netproof` whose rules are the properties checked
// (built-in ids with their help text, user properties by name, `query` for a query), and one result
// per violated or unknown answer — located at the topology file's line of the object it is about (the
// subject: port, router, floating IP, network, host; for a user property, the port its witness reached,
// else the security-group rule that decided it) and at the rendered artifact line of the rule that
// decided it (decisive.ts), with that security-group rule's line related, and the trace as a code flow. Waived results are kept, suppressed with the waiver's reason.
import { createHash } from 'node:crypto';
import type * as Sarif from 'sarif';
import pkg from '../../../package.json' with { type: 'json' };
import type { Trace } from '../../evaluate/trace.ts';
import type { Packet } from '../../ir/packet.ts';
import type { Topology } from '../../topology/model.ts';
import { sgRulePath } from '../../topology/object-paths.ts';
import type { Path } from '../../topology/path.ts';
import { sourceOf } from '../../topology/source-map.ts';
import { decidingRule } from '../decisive.ts';
import type { Labels } from '../labels.ts';
import { packetJson } from '../packet-json.ts';
import { locatorFor, uriBases, type Locator } from './locations.ts';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** A rule of the run: a property (or `query`) with what it means. */
export interface SarifRuleInfo {
  readonly id: string;
  /** One line: what the property asks. */
  readonly short: string;
  /** Longer help, in Markdown (plain text is derived from it). */
  readonly help: string;
}

/** One answer to report: failing (`fail`), unknown (`open`), or, for a query, also passing or informational. */
export interface SarifFinding {
  readonly ruleId: string;
  readonly subject: string;
  readonly kind: 'fail' | 'open' | 'pass' | 'informational';
  readonly message: string;
  /** The topology object the answer is about (field path), if written in the file. */
  readonly subjectPath: Path | null;
  /** Other places worth showing (a user property's declaration, a query's destination). */
  readonly related: readonly Sarif.Location[];
  readonly witness: Packet | null;
  readonly trace: Trace | null;
  readonly properties?: Record<string, unknown>;
  /** Set when a waiver names it: the reason. */
  readonly waived?: string;
  /** With a baseline: whether the result is new, unchanged, updated (another failing verdict) or absent (fixed or gone). */
  readonly baselineState?: Sarif.Result.baselineState;
}

const LEVEL: Readonly<Record<SarifFinding['kind'], Sarif.Result.level>> = { fail: 'error', open: 'warning', pass: 'none', informational: 'note' };

function fingerprint(ruleId: string, subject: string): string {
  return createHash('sha256').update(`${ruleId}\u0000${subject}`).digest('hex').slice(0, 32);
}

function ruleDescriptor(r: SarifRuleInfo): Sarif.ReportingDescriptor {
  return {
    id: r.id,
    name: r.id.replace(/(^|[-_:\s]+)(\w)/g, (_m, _s, c: string) => c.toUpperCase()),
    shortDescription: { text: r.short },
    fullDescription: { text: r.short },
    help: { text: r.help.replace(/`/g, ''), markdown: r.help },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['netproof', 'openstack', 'neutron', 'reachability'], precision: 'very-high', 'problem.severity': 'error' },
  };
}

function result(f: SarifFinding, ruleIndex: number, at: Locator, topo: Topology): Sarif.Result {
  const src = sourceOf(topo);
  const decision = f.trace === null ? null : decidingRule(f.trace);
  const rulePath = decision?.sgRule && src ? sgRulePath(topo, src.data, decision.sgRule.ruleId) : null;
  const subjectLoc = f.subjectPath === null ? null : at.topology(f.subjectPath, f.subject);
  const ruleLoc = rulePath === null ? null : at.topology(rulePath, `the security-group rule that decided it (${decision!.sgRule!.group})`);
  const renderedLoc = decision === null ? null : at.rendered(decision.origin, `the rule that decided it: ${decision.rule}`);
  // The first location is the one code-scanning shows: the object the result is about, else the group
  // rule that decided it, else the first related place (a user property's declaration).
  const primary = subjectLoc ?? ruleLoc ?? f.related[0] ?? null;
  const locations = [primary, renderedLoc].filter((l): l is Sarif.Location => l !== null);
  const related = [...(ruleLoc !== null && ruleLoc !== primary ? [ruleLoc] : []), ...f.related.filter((l) => l !== primary)].map((l, i) => ({ ...l, id: i + 1 }));
  return {
    ruleId: f.ruleId,
    ruleIndex,
    kind: f.kind,
    level: LEVEL[f.kind],
    message: { text: `${f.subject}: ${f.message}` },
    ...(locations.length > 0 ? { locations } : {}),
    ...(related.length > 0 ? { relatedLocations: related } : {}),
    ...(f.trace !== null && f.trace.hops.length > 0 ? { codeFlows: [at.codeFlow(f.trace, f.witness !== null ? 'the witness, hop by hop' : 'a packet, hop by hop')] } : {}),
    partialFingerprints: { 'netproofSubject/v1': fingerprint(f.ruleId, f.subject) },
    properties: { subject: f.subject, ...(f.witness !== null ? { witness: packetJson(f.witness) } : {}), ...f.properties },
    ...(f.waived !== undefined ? { suppressions: [{ kind: 'external', status: 'accepted', justification: f.waived }] } : {}),
    ...(f.baselineState !== undefined ? { baselineState: f.baselineState } : {}),
  };
}

export interface SarifRun {
  readonly topology: Topology;
  readonly labels: Labels;
  readonly rules: readonly SarifRuleInfo[];
  readonly findings: readonly SarifFinding[];
  /** The command line, for the invocation record. */
  readonly commandLine: string;
  readonly exitCode: number;
  readonly cwd: string;
  /** Internal errors of the run (a check that crashed, solver and evaluator disagreeing). */
  readonly internalErrors: readonly string[];
}

export function sarifLog(run: SarifRun): Sarif.Log {
  const at = locatorFor(run.topology, run.labels, run.cwd);
  const index = new Map(run.rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'netproof',
            version: pkg.version,
            semanticVersion: pkg.version,
            rules: run.rules.map(ruleDescriptor),
          },
        },
        invocations: [
          {
            commandLine: run.commandLine,
            executionSuccessful: run.internalErrors.length === 0,
            exitCode: run.exitCode,
            ...(run.internalErrors.length > 0 ? { toolExecutionNotifications: run.internalErrors.map((e) => ({ level: 'error' as const, message: { text: e } })) } : {}),
          },
        ],
        originalUriBaseIds: uriBases(run.cwd),
        results: run.findings.map((f) => result(f, index.get(f.ruleId) ?? -1, at, run.topology)),
        columnKind: 'unicodeCodePoints',
      },
    ],
  };
}
