// "Does some packet from these senders get to one of these destinations?" over ALL packets, with the
// SMT core, for `query` and the user properties alike. Senders come in groups that share a source
// address constraint (the outside world sends from outside addresses, VM ports by their own rules);
// destinations say where a packet must end and which addresses it is sent to.
// Guarantees: `reachable` only with a witness the evaluator replayed to the same end; a replay that
// ends elsewhere is `unknown` with `error` (both sides shown), never an answer; `unreachable` only
// when every group's answer is a proof; any solver `unknown` makes the answer `unknown`.
import type { Dataplane, Station } from '../ir/dataplane.ts';
import type { Ipv4, Packet } from '../ir/packet.ts';
import type { Cidr } from '../ir/openflow.ts';
import type { Evaluator } from '../evaluate/index.ts';
import type { Trace } from '../evaluate/trace.ts';
import type { Delivery } from '../semantics/delivery.ts';
import { exists, type Cond, type End, type Enc, type ExistsResult, type SentConstraint, type SourceSpec, type SymPacket } from '../smt/index.ts';
import type { VmPortStation } from './endpoints.ts';
import { inPrefix, ipv4ToNumber } from '../net/ipv4.ts';
import { canonicalWitnesses, reasonOfTrace, samePacket } from './canonical-witness.ts';
import { concreteFirst } from './concrete-first.ts';
import { disagreementText, replayWitness } from './witness-replay.ts';
import { checkedSources, proveSenders } from './spoof-proof.ts';

/** Where a packet must end. */
export type Dest =
  /**
   * Delivered to this VM port addressed to `finalDst` (its fixed address, or an address a router sends
   * to it as the next hop); sent to `ipDst` (the same address, or a floating IP).
   */
  | { readonly kind: 'port'; readonly station: VmPortStation; readonly ipDst: Ipv4; readonly finalDst: Ipv4 }
  /** Delivered to a namespace (a router or DHCP server) at one of its addresses. */
  | { readonly kind: 'namespace'; readonly host: string; readonly namespace: string; readonly ip: Ipv4 }
  /**
   * Reaches the outside world of `network` (any when null), sent to an address in `ipDst`: leaves the
   * cloud through the upstream router, or is delivered to the upstream router itself (its own address).
   */
  | { readonly kind: 'external'; readonly network: string | null; readonly ipDst: readonly Cidr[] }
  /** Sent to an address of `cidr` and delivered somewhere or exited. */
  | { readonly kind: 'prefix'; readonly cidr: Cidr };

/** Senders sharing a source-address constraint (absent: the senders' own rules alone). */
export interface SourceGroup {
  readonly sources: readonly SourceSpec[];
  readonly ipSrc?: readonly Cidr[];
}

/** Header constraints other than addresses (absent fields are free). */
export type FieldConstraint = Omit<SentConstraint, 'ipDst' | 'ipSrc' | 'packet'>;

export interface Finding {
  readonly verdict: 'reachable' | 'unreachable' | 'unknown';
  readonly witness: Packet | null;
  readonly source: Station | null;
  /** The witness's replay (reachable, or a disagreement). */
  readonly trace: Trace | null;
  /** The solver's reason: the end reached, the cause of unknown, or the proof's size. */
  readonly reason: string;
  /** Set when solver and evaluator disagree: the verdict is then `unknown`. */
  readonly error?: string;
}

export function destIps(d: Dest): Cidr[] {
  switch (d.kind) {
    case 'port':
      return [{ ip: d.ipDst, prefixLen: 32 }];
    case 'namespace':
      return [{ ip: d.ip, prefixLen: 32 }];
    case 'external':
      return [...d.ipDst];
    case 'prefix':
      return [d.cidr];
    default: {
      const never: never = d;
      throw new Error(`unknown destination ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Whether a path that ended so (how, and delivered to whom) is at `d`: no (false), or yes provided the
 * final packet is addressed to `finalDst` (null: whatever it is addressed to). The one test both the
 * solver's ends and the evaluator's traces are held to.
 */
function endsAt(d: Dest, disposition: string, del: Delivery | null): false | { readonly finalDst: Ipv4 | null } {
  const any = { finalDst: null };
  switch (d.kind) {
    case 'port':
      return disposition === 'delivered' && del?.kind === 'vm' && del.vm === d.station.vm && del.port === d.station.index && { finalDst: d.finalDst };
    case 'namespace':
      return disposition === 'delivered' && del?.kind === 'namespace' && del.host === d.host && del.namespace === d.namespace && any;
    case 'external':
      return (disposition === 'exited' || disposition === 'delivered') && del?.kind === 'external' && (d.network === null || del.network === d.network) && any;
    case 'prefix':
      return (disposition === 'delivered' || disposition === 'exited') && any;
    default: {
      const never: never = d;
      throw new Error(`unknown destination ${JSON.stringify(never)}`);
    }
  }
}

/** The solver-side test: does this end (with this final packet) satisfy `d`? (An ARP answer is no packet delivered.) */
function endHits(e: Enc, final: SymPacket, end: End, d: Dest): Cond {
  if (end.kind !== 'end' || end.arpOwner !== null) return false;
  const at = endsAt(d, end.disposition, end.delivery);
  if (at === false) return false;
  return at.finalDst === null ? true : e.eq(final.ip_dst, ipv4ToNumber(at.finalDst), 32);
}

/** The evaluator-side test, on a replayed trace. */
export function traceHits(t: Trace, d: Dest): boolean {
  const at = endsAt(d, t.disposition, t.deliveredTo);
  return at !== false && (at.finalDst === null || t.final.ip_dst === at.finalDst);
}

/**
 * Searches every group in turn for a packet that ends at one of `dests`. The first witness found is
 * replayed; groups with no senders are skipped. With the protocol free, TCP is tried first so that a
 * witness looks like traffic a person would send (the solver may otherwise pick e.g. an ICMP echo
 * reply that conntrack calls INVALID); the free search follows only when TCP finds nothing.
 */
/** Whether `findPacket` first tries the preferred packet concretely (concrete-first.ts); only a test turns it off, to hold it to the solver's way. */
export const concreteFirstShortcut = { on: true, taken: 0 };

/** Does the trace end where the solver said its end is (the same disposition, delivered to the same place)? */
function sameEnd(t: Trace, r: ExistsResult): boolean {
  return t.disposition === r.disposition && JSON.stringify(t.deliveredTo) === JSON.stringify(r.delivery ?? null);
}

export async function findPacket(
  dp: Dataplane,
  ev: Evaluator,
  groups: readonly SourceGroup[],
  dests: readonly Dest[],
  fields: FieldConstraint,
  timeoutMs: number,
): Promise<Finding> {
  const problem: Problem = { dp, ev, groups, dests, timeoutMs };
  const free = fields.proto === undefined && fields.icmpType === undefined && fields.icmpCode === undefined;
  // The preferred packet's replay, when it gets there, is the answer the first search would give.
  const first = free ? { ...fields, proto: 6 } : fields;
  const shortcut = concreteFirstShortcut.on ? concreteFirst(ev, groups, dests, first) : null;
  if (shortcut !== null) {
    concreteFirstShortcut.taken++;
    return shortcut;
  }
  if (free) {
    const tcp = await search(problem, { ...fields, proto: 6 });
    if (tcp.verdict === 'reachable' || tcp.error !== undefined) return tcp;
  }
  return search(problem, fields);
}

/** What stays the same across `findPacket`'s searches: everything but the header fields. */
interface Problem {
  readonly dp: Dataplane;
  readonly ev: Evaluator;
  readonly groups: readonly SourceGroup[];
  readonly dests: readonly Dest[];
  readonly timeoutMs: number;
}

async function search({ dp, ev, groups, dests, timeoutMs }: Problem, fields: FieldConstraint): Promise<Finding> {
  const ipDst = dests.flatMap(destIps);
  let unknown: string | null = null;
  let checked = 0;
  // Port-secured senders whose anti-spoofing the solver proves send their own packets and DHCP client
  // requests (spoof-proof.ts): proved for every group at once.
  await proveSenders(dp, ev, groups.flatMap((g) => g.sources), timeoutMs);
  for (const g of groups) {
    if (g.sources.length === 0 || dests.length === 0) continue;
    const sent: SentConstraint = { ...fields, ipDst, ...(g.ipSrc ? { ipSrc: g.ipSrc } : {}) };
    const sources = await checkedSources(dp, ev, g.sources, timeoutMs);
    const r = await exists(dp, sources, sent, (e, final, end) => e.or(...dests.map((d) => endHits(e, final, end, d))), { timeoutMs, converged: ev.converged });
    checked++;
    if (r.verdict === 'unknown') {
      unknown ??= r.reason;
      continue;
    }
    if (r.verdict === 'no') continue;
    if (r.witness === null || r.source === null) return { verdict: 'unknown', witness: null, source: null, trace: null, reason: r.reason, error: 'the solver found a packet but gave no witness' };
    const reaches = (t: Trace) => dests.some((d) => traceHits(t, d));
    const replay = replayWitness(ev, r.source, r.witness, reaches);
    if (!replay.agrees) {
      return {
        verdict: 'unknown',
        witness: r.witness,
        source: r.source,
        trace: replay.trace,
        reason: r.reason,
        error: disagreementText(`reaches ${r.reason}`, r.source, r.witness, replay.trace),
      };
    }
    // A replay that crossed something unmodelled is not an answer either.
    if (replay.trace.uncertain.length > 0) return { verdict: 'unknown', witness: r.witness, source: r.source, trace: replay.trace, reason: `the witness crosses unmodelled constructs: ${replay.trace.uncertain.join('; ')}` };
    // The witness's free fields at their canonical values (canonical-witness.ts), kept when that packet
    // too gets there by its replay and its end reads in the solver's words; the solver's packet otherwise.
    if (r.pinned !== undefined) {
      const to = dests.find((d) => destIps(d).some((c) => inPrefix(r.witness!.ip_dst, c.ip, c.prefixLen))) ?? null;
      for (const canonical of canonicalWitnesses(ev, r.source, r.witness, r.pinned, to, dp.stations)) {
        if (samePacket(canonical, r.witness)) break;
        const trace = ev.session().trace(r.source, canonical);
        const said = reasonOfTrace(trace) ?? (sameEnd(trace, r) ? r.reason : null);
        if (reaches(trace) && trace.uncertain.length === 0 && said !== null) return { verdict: 'reachable', witness: canonical, source: r.source, trace, reason: said };
      }
    }
    return { verdict: 'reachable', witness: r.witness, source: r.source, trace: replay.trace, reason: reasonOfTrace(replay.trace) ?? r.reason };
  }
  if (unknown !== null) return { verdict: 'unknown', witness: null, source: null, trace: null, reason: unknown };
  return { verdict: 'unreachable', witness: null, source: null, trace: null, reason: `no packet (${checked} sender group${checked === 1 ? '' : 's'} checked)` };
}
