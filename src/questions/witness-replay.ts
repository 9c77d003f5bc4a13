// Replays a solver witness through the reference evaluator (one IR, two meanings: README.md, How it works). The
// solver says "this packet, sent by this station, ends so"; the evaluator follows the same packet in
// a fresh conntrack session and we compare. A disagreement is an internal error, never an answer:
// `disagreement` builds the `unknown` result (with both sides shown) that callers must report.
import type { Station } from '../ir/dataplane.ts';
import type { Packet } from '../ir/packet.ts';
import type { Evaluator } from '../evaluate/index.ts';
import type { Trace } from '../evaluate/trace.ts';
import type { PropertyResult } from './property.ts';

export interface Replay {
  readonly trace: Trace;
  /** The evaluator's trace ends as the solver claimed (`expect` holds of it). */
  readonly agrees: boolean;
}

/**
 * Follows `witness` from `source` in a new evaluator session (empty conntrack, the converged learning
 * state) and checks `expect` on the trace.
 */
export function replayWitness(ev: Evaluator, source: Station, witness: Packet, expect: (t: Trace) => boolean): Replay {
  const trace = ev.session().trace(source, witness);
  return { trace, agrees: expect(trace) };
}

/** How a trace ended, in one line: `delivered to vm4:0@compute2`, `dropped at qbr…@compute1: rule`. */
export function traceOutcome(t: Trace): string {
  const d = t.deliveredTo;
  const where =
    d === null ? '' : d.kind === 'vm' ? ` to ${d.vm}:${d.port}@${d.host}` : d.kind === 'namespace' ? ` to ${d.namespace}@${d.host}` : ` to external ${d.network}`;
  const drop = t.droppedAt ? ` at ${t.droppedAt.device}@${t.droppedAt.host}: ${t.droppedAt.rule}` : '';
  const unc = t.uncertain.length > 0 ? ` (crossed unmodelled: ${t.uncertain.join('; ')})` : '';
  return `${t.disposition}${where}${drop}${unc}`;
}

/** A station as people name it: `vm1:0`, `outside(public)`. */
export function stationName(s: Station): string {
  return s.kind === 'vm-port' ? `${s.vm}:${s.index}` : `outside(${s.network})`;
}

/** The error text of a disagreement: the solver's claim and the evaluator's outcome, side by side. */
export function disagreementText(solverClaim: string, source: Station, witness: Packet, trace: Trace): string {
  return (
    `solver and evaluator disagree on ${witness.ip_src} -> ${witness.ip_dst} proto ${witness.proto}` +
    `${witness.sport !== null ? ` sport ${witness.sport}` : ''}${witness.dport !== null ? ` dport ${witness.dport}` : ''} from ${stationName(source)}: ` +
    `solver: ${solverClaim}; evaluator: ${traceOutcome(trace)}`
  );
}

/**
 * The result to report when a replay does not agree: verdict `unknown` with `error` set, the witness
 * and the evaluator's trace kept so both sides can be shown.
 */
export function disagreement(
  base: { readonly property: string; readonly subject: string },
  solverClaim: string,
  source: Station,
  witness: Packet,
  trace: Trace,
): PropertyResult {
  const error = disagreementText(solverClaim, source, witness, trace);
  return { ...base, verdict: 'unknown', witness, trace, message: 'internal error: solver and evaluator disagree', error };
}
