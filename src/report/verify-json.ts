// `verify --format json` (docs/json.md): `results` (property, subject, verdict, witness, trace, message,
// and `error` on an internal error), `summary` (a count per verdict), with --waivers `waivers` (what
// became of each), and `assumptions` (what the results rest on). With --only-failures, `results` holds only the failing ones.
import type { Assumption } from '../questions/assumptions.ts';
import { assumptionsJson } from './assumptions.ts';
import type { PropertyResult, PropertyVerdict } from '../questions/property.ts';
import type { VerifyReport, VerifySummary } from '../questions/verify.ts';
import type { WaiverOutcome, WaiverStatus } from '../questions/waivers.ts';
import type { Labels } from './labels.ts';
import { packetJson, type PacketJson } from './packet-json.ts';
import { traceJson, type TraceJson } from './trace-json.ts';

export interface VerifyResultJson {
  property: string;
  subject: string;
  verdict: PropertyVerdict;
  witness: PacketJson | null;
  trace: TraceJson | null;
  message: string;
  error?: string;
  /** The failure scenario (an addition to DESIGN §4): hosts down and underlay connections cut; empty for none. */
  scenario: { failed: string[]; cut: [string, string][] };
  /** For a verdict that depends on which HA instances are masters: theirs, router → hosts. */
  masters?: Record<string, string[]>;
}

export interface WaiverJson {
  property: string;
  subject: string;
  reason: string;
  expires: string | null;
  file: string;
  line: number | null;
  status: WaiverStatus;
}

export interface VerifyJson {
  results: VerifyResultJson[];
  summary: VerifySummary;
  waivers?: WaiverJson[];
  assumptions: { id: string; text: string }[];
}

export interface VerifyJsonOptions {
  readonly onlyFailures?: boolean;
  /** What became of each waiver; null when no waiver file was given. */
  readonly waivers?: readonly WaiverOutcome[] | null;
  /** What the results rest on. */
  readonly assumptions?: readonly Assumption[];
}

/** Whether `--only-failures` shows a result: violated, unknown, or with an internal error. */
export const shownInJson = (x: PropertyResult): boolean => x.verdict === 'violated' || x.verdict === 'unknown' || x.error !== undefined;

export function verifyJson(r: VerifyReport, labels: Labels, opts: VerifyJsonOptions = {}): VerifyJson {
  const shown = opts.onlyFailures === true ? r.results.filter(shownInJson) : r.results;
  return {
    results: shown.map((x) => ({
      property: x.property,
      subject: x.subject,
      verdict: x.verdict,
      witness: x.witness === null ? null : packetJson(x.witness),
      trace: x.trace === null ? null : traceJson(x.trace, labels),
      message: x.message,
      ...(x.error !== undefined ? { error: x.error } : {}),
      scenario: { failed: [...(x.scenario?.failed ?? [])], cut: (x.scenario?.cut ?? []).map(([a, b]) => [a, b] as [string, string]) },
      ...(x.masters !== undefined ? { masters: Object.fromEntries(Object.entries(x.masters).map(([k, v]) => [k, [...v]])) } : {}),
    })),
    summary: { ...r.summary },
    ...(opts.waivers != null ? { waivers: opts.waivers.map((o) => ({ ...o.waiver, status: o.status })) } : {}),
    assumptions: assumptionsJson(opts.assumptions ?? []),
  };
}
