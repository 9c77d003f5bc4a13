// Checking user properties (semantics of the issue and properties/README.md):
// - reach, expect reachable: every sending station of `from` reaches some destination of `to`
//   (with `bidirectional`, the reply of such a packet also comes back, un-NATed; when the replies of
//   every packet tried fail, the verdict is unknown: bidirectional.ts);
// - reach, expect unreachable: no packet from any sender of `from` reaches any destination of `to`;
// - isolate: no packet from `from` reaches `to` by fixed addresses (floating IPs do not count), as
//   the built-in `project-isolation` means it (ports on shared networks left out on both sides).
// Endpoints are resolved for every property before any is checked, so a bad endpoint is an input
// error (exit 2) and nothing is half-verified.
import type { Dataplane } from '../../ir/dataplane.ts';
import type { InputError, Result } from '../../errors.ts';
import type { Topology } from '../../topology/model.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { fieldsOf, representativeAddress, representativeFields, type Sender } from '../query.ts';
import { roundTrip } from '../bidirectional.ts';
import { proveSenders } from '../spoof-proof.ts';
import { findPacket, traceHits, type Dest, type FieldConstraint, type Finding } from '../reach-set.ts';
import { traceBetween } from '../trace.ts';
import { traceCopies } from '../guard.ts';
import { resolveSet, type EndpointSet } from './endpoints.ts';
import { subjectOf, type PortSpec, type UserProperty } from './model.ts';

export interface ResolvedProperty {
  readonly property: UserProperty;
  readonly from: EndpointSet;
  readonly to: EndpointSet;
}

export function resolveUserProperties(topo: Topology, dp: Dataplane, props: readonly UserProperty[]): Result<ResolvedProperty[]> {
  const out: ResolvedProperty[] = [];
  const errors: InputError[] = [];
  for (const p of props) {
    const field = p.kind === 'reach' ? 'reach' : 'isolate';
    const from = resolveSet(topo, dp, p.from, 'from');
    const to = resolveSet(topo, dp, p.to, 'to');
    for (const [r, key] of [[from, 'from'], [to, 'to']] as const) {
      if (!r.ok) errors.push({ code: r.code, file: p.file, position: p.position, path: `[${p.index}].${field}.${key}`, message: `${key === 'from' ? p.from : p.to}: ${r.message}` });
    }
    // A reply is sent by a station (a VM port or the outside world); namespaces and bare prefixes send none here.
    if (to.ok && p.kind === 'reach' && p.bidirectional && to.set.dests.some((d) => d.kind === 'namespace' || d.kind === 'prefix')) {
      errors.push({ code: 'NP702', file: p.file, position: p.position, path: `[${p.index}].bidirectional`, message: `${p.to}: bidirectional needs VM ports or the outside world as destinations` });
    }
    if (from.ok && to.ok) out.push({ property: p, from: from.set, to: to.set });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

function constraintOf(p: UserProperty): FieldConstraint {
  return p.kind === 'reach' ? fieldsOf(p) : {};
}

function repFields(p: UserProperty) {
  if (p.kind !== 'reach') return representativeFields({});
  const one = (x: PortSpec | undefined) => (x === undefined ? undefined : typeof x === 'number' ? x : x[0]);
  const sport = one(p.sport);
  const dport = one(p.dport);
  return representativeFields({ ...(p.proto !== undefined ? { proto: p.proto } : {}), ...(sport !== undefined ? { sport } : {}), ...(dport !== undefined ? { dport } : {}) });
}

/** Fixed addresses only: a floating-IP destination counts as its port's own address. */
function byFixedAddress(d: Dest): Dest {
  return d.kind === 'port' ? { ...d, ipDst: d.finalDst } : d;
}

export async function checkUserProperty(ctx: VerifyContext, rp: ResolvedProperty): Promise<PropertyResult> {
  const { property: p } = rp;
  const base = { property: p.name, subject: subjectOf(p) };
  const { topology: topo, dataplane: dp, evaluator: ev, timeoutMs } = ctx;
  const fields = constraintOf(p);
  const representative = (rep: Sender, d: Dest): Trace => traceBetween(topo, ev, rep, representativeAddress(d), repFields(p));
  // The senders' anti-spoofing proved in one batch, before the searches ask for it one sender at a time.
  await proveSenders(dp, ev, rp.from.senders.flatMap((s) => s.group.sources), timeoutMs);

  if (p.kind === 'reach' && p.expect === 'reachable') {
    let unknown: PropertyResult | null = null;
    for (const [i, s] of rp.from.senders.entries()) {
      ctx.progress?.(i, rp.from.senders.length, 'senders');
      const f = await findPacket(dp, ev, [s.group], rp.to.dests, fields, timeoutMs);
      if (f.error !== undefined) return { ...base, verdict: 'unknown', witness: f.witness, trace: f.trace, message: 'internal error: solver and evaluator disagree', error: f.error };
      if (f.verdict === 'unknown') {
        unknown ??= { ...base, verdict: 'unknown', witness: null, trace: null, message: `${s.label}: ${f.reason}` };
        continue;
      }
      if (f.verdict === 'unreachable') {
        const d = rp.to.dests[0]!;
        const claim = { says: `reaches no destination of ${p.to}`, shownBy: (t: Trace) => !reachesAny(t, rp.to.dests) };
        return { ...base, verdict: 'violated', witness: null, trace: representative(s.rep, d), message: `${s.label} reaches no destination of ${p.to} (${f.reason}); the trace shows a packet to ${representativeAddress(d)}`, claim };
      }
      if (p.bidirectional && f.witness !== null && f.trace !== null) {
        const d = rp.to.dests.find((x) => traceHits(f.trace!, x));
        if (d) {
          const r = await roundTrip(topo, dp, ev, s.rep, s.group, d, fields, f.witness, timeoutMs);
          if (!r.ok) {
            unknown ??= { ...base, verdict: 'unknown', witness: f.witness, trace: r.first.reply ?? r.first.request, message: `${s.label} reaches ${p.to}, but ${r.reason}` };
            continue;
          }
        }
      }
    }
    if (unknown) return unknown;
    const n = rp.from.senders.length;
    return { ...base, verdict: 'holds', witness: null, trace: null, message: `every sender of ${p.from} (${n}) reaches ${p.to}${p.bidirectional ? ' and gets the reply back' : ''}` };
  }

  if (p.kind === 'isolate') {
    // As project-isolation means it: ports on shared networks are left out on both sides.
    const left = outsideShared(topo, rp);
    const said = left.excluded > 0 ? `; ${left.excluded} port${left.excluded === 1 ? '' : 's'} on shared networks left out` : '';
    if (left.senders.length === 0 || left.dests.length === 0) {
      return { ...base, verdict: 'n/a', witness: null, trace: null, message: `nothing to isolate: no ${left.senders.length === 0 ? `sender of ${p.from}` : `destination of ${p.to}`} outside shared networks${said}` };
    }
    const dests = left.dests.map(byFixedAddress);
    const f = await findPacket(dp, ev, left.senders.map((s) => s.group), dests, fields, timeoutMs);
    return verdictOf(base, p.from, `${p.to} by fixed address`, f, said, dests);
  }
  return verdictOf(base, p.from, p.to, await findPacket(dp, ev, rp.from.senders.map((s) => s.group), rp.to.dests, fields, timeoutMs), '', rp.to.dests);
}

/** The senders and destinations of an `isolate` that are not on a shared network, and how many ports were left out. */
function outsideShared(topo: Topology, rp: ResolvedProperty): { senders: EndpointSet['senders']; dests: readonly Dest[]; excluded: number } {
  const shared = new Set(topo.networks.filter((n) => n.shared).map((n) => n.name));
  const onShared = (s: Sender) => s.kind === 'port' && shared.has(s.station.network);
  const senders = rp.from.senders.filter((s) => !onShared(s.rep));
  const dests = rp.to.dests.filter((d) => !(d.kind === 'port' && shared.has(d.station.network)));
  return { senders, dests, excluded: rp.from.senders.length - senders.length + rp.to.dests.length - dests.length };
}

/** Some copy of `t` ends at one of `dests`. */
function reachesAny(t: Trace, dests: readonly Dest[]): boolean {
  return traceCopies(t).some((c) => dests.some((d) => traceHits(c, d)));
}

/** An `expect: unreachable` or `isolate` answer: holds when no packet gets there, else the witness. */
function verdictOf(base: { property: string; subject: string }, from: string, to: string, f: Finding, note: string, dests: readonly Dest[]): PropertyResult {
  if (f.error !== undefined) return { ...base, verdict: 'unknown', witness: f.witness, trace: f.trace, message: 'internal error: solver and evaluator disagree', error: f.error };
  switch (f.verdict) {
    case 'unknown':
      return { ...base, verdict: 'unknown', witness: null, trace: null, message: `${f.reason}${note}` };
    case 'unreachable':
      return { ...base, verdict: 'holds', witness: null, trace: null, message: `no packet from ${from} reaches ${to} (${f.reason})${note}` };
    case 'reachable': {
      const src = f.source;
      const who = src === null ? from : src.kind === 'vm-port' ? `${src.vm}:${src.index}` : `the outside (${src.network})`;
      const claim = { says: `reaches ${to}`, shownBy: (t: Trace) => reachesAny(t, dests) };
      return { ...base, verdict: 'violated', witness: f.witness, trace: f.trace, message: `${who} reaches ${to} — ${f.reason}${note}`, claim };
    }
    default: {
      const never: never = f.verdict;
      throw new Error(`unknown verdict ${String(never)}`);
    }
  }
}
