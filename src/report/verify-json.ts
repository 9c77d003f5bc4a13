// `verify --format json`: exactly the contract of DESIGN §4 — `results` (property, subject, verdict,
// witness, trace, message, and `error` on an internal error) and `summary` {holds, violated, unknown}.
import type { VerifyReport } from '../questions/verify.ts';
import type { Labels } from './labels.ts';
import { packetJson, type PacketJson } from './packet-json.ts';
import { traceJson, type TraceJson } from './trace-json.ts';

export interface VerifyResultJson {
  property: string;
  subject: string;
  verdict: 'holds' | 'violated' | 'unknown';
  witness: PacketJson | null;
  trace: TraceJson | null;
  message: string;
  error?: string;
}

export interface VerifyJson {
  results: VerifyResultJson[];
  summary: { holds: number; violated: number; unknown: number };
}

export function verifyJson(r: VerifyReport, labels: Labels): VerifyJson {
  return {
    results: r.results.map((x) => ({
      property: x.property,
      subject: x.subject,
      verdict: x.verdict,
      witness: x.witness === null ? null : packetJson(x.witness),
      trace: x.trace === null ? null : traceJson(x.trace, labels),
      message: x.message,
      ...(x.error !== undefined ? { error: x.error } : {}),
    })),
    summary: { ...r.summary },
  };
}
