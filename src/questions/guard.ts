// The last check every answer passes before it is printed: an answer whose own trace contradicts it
// is no answer. A verdict that comes with a trace says what that trace shows (a `TraceClaim`: the
// packet gets there, never gets there, loops …); when the trace does not show it, or a violation's
// trace is not its witness's own, the verdict becomes `unknown` — exit 3 — with the verdict it would
// have had and the trace both shown, never VIOLATED/HOLDS/REACHABLE/UNREACHABLE.
// Guarantees: the guard only ever turns a verdict into `unknown`; it never makes one up.
import type { Packet } from '../ir/packet.ts';
import type { Trace } from '../evaluate/trace.ts';
import type { PropertyResult } from './property.ts';
import { traceOutcome } from './witness-replay.ts';

/** What a verdict says its trace shows, in words and as a test on the trace (its branches included). */
export interface TraceClaim {
  /** e.g. `reaches vm4:0`, `reaches no destination of vm1`, `loops`. */
  readonly says: string;
  readonly shownBy: (t: Trace) => boolean;
}

/** Every copy of a trace: the followed one and its branches (flooding), depth first. */
export function traceCopies(t: Trace): Trace[] {
  return [t, ...t.branches.flatMap(traceCopies)];
}

/** The same packet, but for the VLAN tag an outside sender puts on it on the wire. */
function samePacket(a: Packet, b: Packet): boolean {
  const k = (p: Packet) => [p.eth_src, p.eth_dst, p.eth_type, p.ip_src, p.ip_dst, p.proto, p.sport, p.dport, p.icmp_type, p.icmp_code, p.tun_id].join('|');
  return k(a) === k(b);
}

/**
 * Why `trace` contradicts `verdict` (named as printed), or null when it does not: the trace does not
 * show the claim, or a witness is given whose own trace it is not.
 */
export function contradiction(verdict: string, claim: TraceClaim | undefined, trace: Trace | null, witness: Packet | null): string | null {
  if (trace === null) return null;
  if (witness !== null && !samePacket(trace.packet, witness)) {
    return `the verdict ${verdict} shows a trace of another packet than its witness (${trace.packet.ip_src} → ${trace.packet.ip_dst}, not ${witness.ip_src} → ${witness.ip_dst})`;
  }
  if (claim !== undefined && !claim.shownBy(trace)) {
    return `the verdict ${verdict} says the packet ${claim.says}, but its own trace ends ${traceOutcome(trace)}`;
  }
  return null;
}

/** A property result as it may be printed: unchanged, or `unknown` when its trace contradicts it. */
export function guardResult(r: PropertyResult): PropertyResult {
  if (r.verdict === 'unknown') return r;
  const why = contradiction(r.verdict.toUpperCase(), r.claim, r.trace, r.verdict === 'violated' ? r.witness : null);
  if (why === null) return r;
  return { ...r, verdict: 'unknown', message: `not answered: ${r.message} — contradicted by its own trace`, error: why };
}
