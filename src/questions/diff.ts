// The `diff` question (docs/cli.md, netproof diff): which packets meet another fate after a change?
// Every station both models have (VM ports by VM and port number, the outside world by external
// network; `--from` picks one) sends the same symbolic packet into both dataplanes (smt/diff.ts);
// a sender whose walk on the before side visits no device or chain that differs between the two
// (smt/changed-devices.ts) is settled there, the same on both sides, with no second walk or question;
// VM ports alike in both models are asked once per class (diff-classes.ts), the others' answers
// following from their representative's; a copy crossing an external network to a router with nothing
// changed beyond it is not followed there when that changes no answer (diff-crossing.ts); the after
// side is walked within the before side's walk, apart only from the devices that differ on
// (diff-split.ts);
// per place it may be delivered to, the packets gained, lost or translated differently are asked for
// one class at a time — a protocol and port (or ICMP type) when only that one differs, else the whole
// protocol — until none is left, each with a witness replayed through both evaluators (a witness
// preference for another destination address than every end of the question has is not asked:
// diff-pins.ts).
// Guarantees: a difference is printed only when both replays show it (a copy delivered there on one
// side and not the other, or with other headers); a replay that contradicts the solver, or crosses
// something not modelled, makes that sender `unknown` with both traces kept, never a difference.
// `complete` says the classes listed cover every differing packet of the sender (the last check was
// unsat); a sender whose packets reach a path not followed to its end is `unknown` for those packets.
import type { Dataplane, Station } from '../ir/dataplane.ts';
import type { Cidr } from '../ir/openflow.ts';
import { IP_PROTO, ipProtoName, protoHasPorts, type Packet } from '../ir/packet.ts';
import type { Topology } from '../topology/model.ts';
import type { InputError, Result } from '../errors.ts';
import type { Evaluator } from '../evaluate/index.ts';
import type { Trace } from '../evaluate/trace.ts';
import type { Delivery } from '../semantics/delivery.ts';
import { checkSat, defaultPreferences, getZ3, holds, type Cond, type Enc, type SourceSpec, type SymPacket } from '../smt/index.ts';
import { deliveryKey, diffQuestions, exploreSide, sameEnds, type DiffKind, type DiffQuestion, type Side, type SplitAt } from '../smt/diff.ts';
import { splitDevices } from './diff-split.ts';
import { changedDevices, type ChangedDevices } from '../smt/changed-devices.ts';
import { ipToNum } from '../smt/headers.ts';
import { inPrefix } from '../net/ipv4.ts';
import { FreshQuestions, QuestionSession, type Questions } from '../smt/question-session.ts';
import { macToNumber } from '../net/mac.ts';
import type { Model } from '../pipeline.ts';
import { resolveEndpoint, checkVia, type Endpoint } from './endpoints.ts';
import { destsOf, fieldsOf, isSetEndpoint } from './query.ts';
import { resolveSet } from './user-properties/endpoints.ts';
import { destIps, type FieldConstraint } from './reach-set.ts';
import { firstPacketOf, type Sender } from './trace.ts';
import { packetFieldsError, type ProtoArg } from './packet.ts';
import { outsideAddresses, portSender } from './senders.ts';
import { traceCopies } from './guard.ts';
import { stationName } from './witness-replay.ts';
import { diffSenderClasses } from './diff-classes.ts';
import { crossingAgrees, crossingFor, type Crossing } from './diff-crossing.ts';
import { candidates, changedHeaders, type ChangedHeaders } from './diff-concrete.ts';
import { decode } from '../smt/witness.ts';
import { questionPins } from './diff-pins.ts';

export interface DiffParams {
  readonly from: string | null;
  readonly to: string | null;
  readonly via: string | null;
  readonly proto?: ProtoArg | 'any';
  readonly sport?: number;
  readonly dport?: number;
  readonly icmpType?: number;
}

/** How a class of packets' fate changed. */
export type Change = 'newly-delivered' | 'delivered-elsewhere' | 'newly-dropped' | 'translated-differently';
const CHANGES: readonly Change[] = ['newly-delivered', 'delivered-elsewhere', 'newly-dropped', 'translated-differently'];

/** One class of differing packets, with a witness and its trace on each side. */
export interface DiffClass {
  /** `tcp/22`, `icmp type 8`, `udp (several ports)`, `other protocols`. */
  readonly packets: string;
  /** Only this one port (or ICMP type) of the protocol differs here. */
  readonly exact: boolean;
  /** The witness as the sender puts it on the wire before the change (after: its own next-hop MAC). */
  readonly witness: Packet;
  readonly before: Trace;
  readonly after: Trace;
}

/** Packets from one sender whose fate at one place changed the same way. */
export interface Difference {
  readonly from: string;
  /** Where the packets are (or were) delivered. */
  readonly delivery: Delivery;
  readonly change: Change;
  readonly classes: readonly DiffClass[];
  /**
   * The other ports of the sender's class (diff-classes.ts), asked through it: each has this difference
   * too, with its own addresses in place of the sender's — and where the place is the sender's own
   * port, at its own port (where the place is a port of the class, at the sender's). Absent when none.
   */
  readonly standsFor?: readonly string[];
}

export interface SenderResult {
  readonly from: string;
  /** Every differing packet of this sender is in a class listed (no further class was found). */
  readonly complete: boolean;
  /** Why some of this sender's packets are not answered (a path not modelled, a timeout, a replay that disagreed), or null. */
  readonly unknown: string | null;
  /** The places its packets are delivered to on either side. */
  readonly places: number;
  /** Of those, the places both sides reach by the very same paths (conditions and headers term for term): settled without a solver question. */
  readonly placesUnchanged: number;
  /**
   * Its packets reach no device or iptables chain that differs between the two dataplanes (shown by its walk on the
   * before side, its ARP resolution included): they meet the same fate on both sides, settled without
   * walking the after side or asking the solver.
   */
  readonly untouched: boolean;
  /** A witness whose replay contradicted the solver: both traces, never a difference. */
  readonly error?: { readonly message: string; readonly before: Trace; readonly after: Trace };
  /**
   * The port of its class that was asked in its place (diff-classes.ts): this sender's answer is that
   * port's, by their equivalence. Absent when it was asked itself.
   */
  readonly representedBy?: string;
}

export interface DiffAnswer {
  readonly verdict: 'same' | 'different' | 'unknown';
  readonly differences: readonly Difference[];
  readonly senders: readonly SenderResult[];
  /** Stations only one side has (they send nothing on the other). */
  readonly onlyBefore: readonly string[];
  readonly onlyAfter: readonly string[];
  /** How many classes the senders were asked in (one representative each); as many as senders when none stood for another. */
  readonly senderClasses: number;
}

/**
 * The protocols a class is asked in, in the order a difference lists its classes: each protocol
 * named here, then every other protocol as one. A class covers every packet of its protocol left in
 * the question (one port, a span of ports, or the whole protocol), so a question has at most one
 * class per entry, and which classes it lists does not depend on the order the solver finds them in.
 */
const FAMILIES: readonly number[] = [IP_PROTO.tcp, IP_PROTO.udp, IP_PROTO.icmp, IP_PROTO.dccp, IP_PROTO.sctp, IP_PROTO.udplite];
const familyOf = (proto: number): number => { const i = FAMILIES.indexOf(proto); return i < 0 ? FAMILIES.length : i; };

export { stationName };

export function placeName(d: Delivery, labels: { of(device: string): string | null }): string {
  switch (d.kind) {
    case 'vm':
      return `${d.vm}:${d.port}`;
    case 'namespace':
      return `${labels.of(d.namespace) ?? d.namespace}@${d.host}`;
    case 'external':
      return `outside(${d.network})`;
    default: {
      const never: never = d;
      throw new Error(`unknown delivery ${JSON.stringify(never)}`);
    }
  }
}

interface Party {
  readonly model: Model;
  readonly ev: Evaluator;
}

const byName = (dp: Dataplane) => new Map(dp.stations.map((s) => [stationName(s), s]));

/** A station as a sender of `ip_src` (for ARP-resolving its first hop in a replay). */
function senderOf(s: Station, ip: string): Sender {
  return s.kind === 'vm-port' ? { kind: 'port', station: s, ip } : { kind: 'outside', station: s, ip };
}

/** Resolves an endpoint on the side that has it (before first). */
function resolveEither(before: Model, after: Model, text: string, flag: string, via: string | null): Result<{ readonly side: Model; readonly ep: Endpoint }> {
  const b = resolveEndpoint(before.topology, before.dataplane, text, flag, via);
  if (b.ok) return { ok: true, value: { side: before, ep: b.endpoint } };
  const a = resolveEndpoint(after.topology, after.dataplane, text, flag, via);
  if (a.ok) return { ok: true, value: { side: after, ep: a.endpoint } };
  return { ok: false, errors: [b.error] };
}

interface Plan {
  readonly stations: readonly string[];
  readonly fields: FieldConstraint;
  readonly ipDst: readonly Cidr[] | null;
  /** The outside world's source addresses, when `--from` names one or a prefix outside the cloud. */
  readonly outsideSrc: readonly Cidr[] | null;
  readonly onlyBefore: readonly string[];
  readonly onlyAfter: readonly string[];
}

function plan(before: Model, after: Model, p: DiffParams): Result<Plan> {
  const impossible = packetFieldsError(before.topology, p);
  if (impossible !== null) return { ok: false, errors: [impossible] };
  const via = checkVia(before.topology, before.dataplane, p.via);
  if (via !== null && checkVia(after.topology, after.dataplane, p.via) !== null) return { ok: false, errors: [via] };
  const b = byName(before.dataplane);
  const a = byName(after.dataplane);
  let stations = [...b.keys()].filter((n) => a.has(n));
  let outsideSrc: Cidr[] | null = null;
  const errors: InputError[] = [];
  if (p.from !== null && isSetEndpoint(p.from)) {
    // A set, as `query --from` takes it: its senders on either side (a VM one side lacks is listed apart).
    const names = new Set<string>();
    const found = [before, after].map((side) => resolveSet(side.topology, side.dataplane, p.from!, 'from'));
    for (const r of found) {
      if (!r.ok) continue;
      for (const s of r.set.senders) {
        names.add(stationName(s.group.sources[0]!.station));
        if (s.rep.kind === 'outside' && /^[0-9.]+\/\d+$/.test(p.from)) outsideSrc = [...(s.group.ipSrc ?? [])];
      }
    }
    const first = found[0]!;
    if (names.size === 0) errors.push({ code: 'NP405', file: before.topology.file, position: null, path: '--from', message: `${p.from}: ${!first.ok ? first.message : 'no sender on either side'}` });
    stations = stations.filter((n) => names.has(n));
  } else if (p.from !== null) {
    const r = resolveEither(before, after, p.from, '--from', p.via);
    if (!r.ok) errors.push(...r.errors);
    else if (r.value.ep.kind === 'address') errors.push({ code: 'NP405', file: before.topology.file, position: null, path: '--from', message: `${p.from} is not a sender: give a VM port, a project, a network, a prefix or an address outside the cloud` });
    else {
      const ep = r.value.ep;
      const name = stationName(ep.station);
      if (ep.kind === 'outside' && p.via === null && !inPrefix(ep.ip, ep.station.cidr.ip, ep.station.cidr.prefixLen)) {
        // An address out on the internet may arrive through any external network's upstream router, as
        // query's does (docs/cli.md): asking only the first written would prove "no change" for a change
        // reached through another.
        const outside = new Set([...b.values(), ...a.values()].filter((s) => s.kind === 'outside').map(stationName));
        stations = stations.filter((n) => outside.has(n));
      } else stations = stations.filter((n) => n === name);
      if (ep.kind === 'outside') outsideSrc = [{ ip: ep.ip, prefixLen: 32 }];
    }
  }
  let ipDst: Cidr[] | null = null;
  if (p.to !== null) {
    // The destination's addresses on either side (a floating IP moved, a port renumbered).
    ipDst = [];
    for (const side of [before, after]) {
      if (isSetEndpoint(p.to)) {
        const r = resolveSet(side.topology, side.dataplane, p.to, 'to');
        if (r.ok) ipDst.push(...r.set.dests.flatMap(destIps));
        continue;
      }
      const r = resolveEndpoint(side.topology, side.dataplane, p.to, '--to', p.via);
      if (!r.ok) continue;
      const dests = destsOf(side.topology, side.dataplane, r.endpoint);
      if (!('code' in dests)) ipDst.push(...dests.flatMap(destIps));
      else ipDst.push({ ip: r.endpoint.ip, prefixLen: 32 });
    }
    if (ipDst.length === 0) {
      if (isSetEndpoint(p.to)) {
        const r = resolveSet(before.topology, before.dataplane, p.to, 'to');
        errors.push({ code: 'NP405', file: before.topology.file, position: null, path: '--to', message: `${p.to}: ${!r.ok ? r.message : 'no destination on either side'}` });
      } else {
        const r = resolveEndpoint(before.topology, before.dataplane, p.to, '--to', p.via);
        errors.push(r.ok ? { code: 'NP405', file: before.topology.file, position: null, path: '--to', message: `${p.to} is no destination on either side` } : r.error);
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const onlyBefore = [...b.keys()].filter((n) => !a.has(n));
  const onlyAfter = [...a.keys()].filter((n) => !b.has(n));
  return { ok: true, value: { stations, fields: fieldsOf(p), ipDst, outsideSrc, onlyBefore, onlyAfter } };
}

/** The sender's rules on both sides; when they differ (port security, address pairs), any source on both. */
function specs(before: Model, after: Model, sb: Station, sa: Station): [SourceSpec, SourceSpec] {
  if (sb.kind !== 'vm-port' || sa.kind !== 'vm-port') return [{ station: sb }, { station: sa }];
  const b = portSender(before.topology, sb);
  const a = portSender(after.topology, sa);
  const rules = (s: SourceSpec) => JSON.stringify([s.anySource ?? false, s.allowedAddressPairs ?? []]);
  return rules(a) === rules(b) ? [b, a] : [{ station: sb, anySource: true }, { station: sa, anySource: true }];
}

const inAny = (e: Enc, v: SymPacket['ip_src'], cidrs: readonly Cidr[]): Cond => e.or(...cidrs.map((c) => e.prefix(v, ipToNum(c.ip), c.prefixLen)));

/** A class of packets: its words, whether it is one port/type, and its condition (to leave it out next). */
interface PacketClass {
  readonly label: string;
  readonly exact: boolean;
  readonly cond: Cond;
}

/**
 * The ports of one protocol a class of differing packets spans: the lowest and highest destination
 * port with a differing packet (the end port itself, then a binary search, a check per halving), and whether every port between
 * differs too — the witness's other headers kept, each port in the range is asked at once. Null when
 * the solver gave up on a check.
 */
async function portSpan(e: Enc, p: SymPacket, ask: Ask, inClass: Cond, drawn: Cond, w: Packet, timeoutMs: number): Promise<{ lo: number; hi: number; whole: boolean } | null> {
  const ctx = await getZ3();
  const sat = async (c: Cond): Promise<boolean | null> => {
    const r = await ask(c);
    return r.status === 'unknown' ? null : r.status === 'sat';
  };
  const bound = async (low: boolean): Promise<number | null> => {
    // The end port itself first: a class of every port (a floating IP moved, a rule for any port) has
    // it, and then one check settles what the halving would take sixteen for.
    const end = low ? 0 : 65535;
    const atEnd = await sat(e.range(p.dport, end, end, 16));
    if (atEnd === null) return null;
    if (atEnd) return end;
    let [a, b] = low ? [1, 65535] : [0, 65534];
    while (a < b) {
      const mid = (a + b) >> 1;
      const s = await sat(low ? e.range(p.dport, 0, mid, 16) : e.range(p.dport, mid + 1, 65535, 16));
      if (s === null) return null;
      if (low === s) b = mid;
      else a = mid + 1;
    }
    return a;
  };
  const lo = await bound(true);
  const hi = await bound(false);
  if (lo === null || hi === null) return null;
  // Every port of the span differs for the witness's headers: no port in it leaves the class (the
  // kernel's random draws taken as a replay shows them, as in the class itself).
  const others = e.and(e.eq(p.eth_src, macToNumber(w.eth_src), 48), e.eq(p.eth_dst, macToNumber(w.eth_dst), 48), e.eq(p.eth_type, w.eth_type, 16),
    e.eq(p.ip_src, ipToNum(w.ip_src), 32), e.eq(p.ip_dst, ipToNum(w.ip_dst), 32), e.eq(p.sport, w.sport ?? 0, 16), e.eq(p.icmp_type, 0, 8), e.eq(p.icmp_code, 0, 8));
  const gap = await checkSat(ctx, e, e.and(others, drawn, e.eq(p.proto, w.proto, 8), e.range(p.dport, lo, hi, 16), e.not(inClass)), timeoutMs);
  if (gap.status === 'unknown') return null;
  return { lo, hi, whole: gap.status === 'unsat' };
}

/** The satisfiability of the question being classified (outside the classes already found) and `c`. */
type Ask = (c: Cond) => Promise<{ readonly status: 'sat' | 'unsat' | 'unknown' }>;

async function classify(e: Enc, p: SymPacket, ask: Ask, within: Cond, drawn: Cond, w: Packet, timeoutMs: number, forced: number | null = null): Promise<PacketClass> {
  const proto = e.eq(p.proto, w.proto, 8);
  // A port the question forces (`forcedPort`: no packet of it has another) is the only one of any protocol.
  const only = async (field: 'dport' | 'icmp_type', v: number, bits: number) =>
    (field === 'dport' && forced === v) || (await ask(e.and(proto, e.not(e.eq(p[field], v, bits))))).status === 'unsat';
  const name = ipProtoName(w.proto) ?? String(w.proto);
  if (protoHasPorts(w.proto) && w.dport !== null) {
    if (await only('dport', w.dport, 16)) return { label: `${name}/${w.dport}`, exact: true, cond: e.and(proto, e.eq(p.dport, w.dport, 16)) };
    // Several ports: the span they lie in, as a security-group rule's range reads (`tcp/2000-2100`).
    const span = await portSpan(e, p, (c) => ask(e.and(proto, c)), e.and(within, proto), drawn, w, timeoutMs);
    if (span !== null && span.whole) {
      return { label: span.lo === 0 && span.hi === 65535 ? `${name} (every port)` : `${name}/${span.lo}-${span.hi}`, exact: true, cond: e.and(proto, e.range(p.dport, span.lo, span.hi, 16)) };
    }
    if (span !== null) return { label: `${name} (some ports of ${span.lo}-${span.hi}, e.g. ${w.dport})`, exact: false, cond: proto };
    return { label: `${name} (several ports, e.g. ${w.dport})`, exact: false, cond: proto };
  }
  if (w.proto === IP_PROTO.icmp && w.icmp_type !== null) {
    if (await only('icmp_type', w.icmp_type, 8)) return { label: `icmp type ${w.icmp_type}`, exact: true, cond: e.and(proto, e.eq(p.icmp_type, w.icmp_type, 8)) };
    return { label: `icmp (several types, e.g. ${w.icmp_type})`, exact: false, cond: proto };
  }
  // Every protocol without a family of its own (FAMILIES) is one class: a named one is never swallowed here.
  const common = e.or(...FAMILIES.map((x) => e.eq(p.proto, x, 8)));
  const others = await ask(e.and(e.not(common), e.not(proto)));
  if (others.status === 'unsat') return { label: `protocol ${w.proto}`, exact: true, cond: proto };
  return { label: `other protocols (e.g. ${w.proto})`, exact: false, cond: e.not(common) };
}

/**
 * The destination port every packet of the question has, when the model's packet is TCP or UDP and
 * no packet of the question (outside its blocked classes) has another: the model's port, proved by one
 * check. Null when some packet has another (or the model's is no TCP or UDP packet), undefined when the
 * solver gave up.
 */
async function forcedPort(e: Enc, p: SymPacket, ask: Ask, m: Parameters<typeof holds>[1]): Promise<number | null | undefined> {
  const w = decode(m, p);
  if (w.dport === null) return null;
  const r = await ask(e.not(e.eq(p.dport, w.dport, 16)));
  if (r.status === 'unsat') shortcuts.forced++;
  return r.status === 'unsat' ? w.dport : r.status === 'sat' ? null : undefined;
}

const shortcuts = { concrete: 0, forced: 0, pinned: 0 };

/**
 * How many senders' first check went to the incremental solver on a concrete packet's word, how
 * many witnesses had their destination port proved forced, and how many witness preferences a
 * question's own destination address ruled out unasked (diff-pins.ts; this process): for
 * measurements and tests.
 */
export function diffShortcuts(): { readonly concrete: number; readonly forced: number; readonly pinned: number } {
  return { ...shortcuts };
}

/** Whether a candidate packet (diff-concrete.ts) shows, replayed on both sides, one of the differences asked. */
function showsDifference(work: SenderWork, questions: readonly DiffQuestion[], headers: readonly ChangedHeaders[]): boolean {
  const places = [...new Map(questions.map((q) => [q.place, q.delivery])).values()];
  const sides = [work.before, work.after].map((s) => ({ topology: s.model.topology, stations: s.model.dataplane.stations }));
  for (const c of candidates(work.before.station, places, headers, sides)) {
    const bt = replay(work.before, work.before.station, c.packet);
    const at = replay(work.after, work.after.station, c.packet);
    const place = deliveryKey(c.place);
    if (questions.some((q) => q.place === place && shown(q.kind, place, bt, at))) return true;
  }
  return false;
}

/** A side's replay of the witness: its first hop ARP-resolved there, then followed. */
function replay(party: Party, station: Station, w: Packet): Trace {
  const fields = { proto: w.proto, ...(w.sport !== null ? { sport: w.sport } : {}), ...(w.dport !== null ? { dport: w.dport } : {}), ...(w.icmp_type !== null ? { icmpType: w.icmp_type } : {}), ...(w.icmp_code !== null ? { icmpCode: w.icmp_code } : {}) };
  const first = firstPacketOf(party.model.topology, party.ev, senderOf(station, w.ip_src), w.ip_dst, fields);
  if ('stopped' in first) return { ...first.stopped, packet: { ...w, eth_dst: first.stopped.packet.eth_dst }, final: { ...w, eth_dst: first.stopped.packet.eth_dst } };
  return party.ev.session().trace(station, { ...w, eth_dst: first.packet.eth_dst, vlan: first.packet.vlan });
}

/** The headers of the copies a trace delivers at `place`. */
function arrivals(t: Trace, place: string): string[] {
  return traceCopies(t)
    .filter((c) => (c.disposition === 'delivered' || c.disposition === 'exited') && c.deliveredTo !== null && deliveryKey(c.deliveredTo) === place)
    .map((c) => [c.final.ip_src, c.final.ip_dst, c.final.proto, c.final.sport, c.final.dport, c.final.icmp_type, c.final.icmp_code].join('|'))
    .sort();
}

const deliversAnywhere = (t: Trace) => traceCopies(t).some((c) => (c.disposition === 'delivered' || c.disposition === 'exited') && c.deliveredTo !== null);

/** Whether the two replays show the difference the solver claims. */
function shown(kind: DiffKind, place: string, before: Trace, after: Trace): boolean {
  const b = arrivals(before, place);
  const a = arrivals(after, place);
  switch (kind) {
    case 'gained':
      return a.length > 0 && b.length === 0;
    case 'lost':
      return b.length > 0 && a.length === 0;
    case 'translated':
      return a.length > 0 && b.length > 0 && a.join(',') !== b.join(',');
    default: {
      const never: never = kind;
      throw new Error(`unknown difference ${String(never)}`);
    }
  }
}

function changeOf(kind: DiffKind, before: Trace): Change {
  if (kind === 'translated') return 'translated-differently';
  if (kind === 'lost') return 'newly-dropped';
  return deliversAnywhere(before) ? 'delivered-elsewhere' : 'newly-delivered';
}

interface SenderWork {
  readonly name: string;
  readonly before: Party & { readonly station: Station };
  readonly after: Party & { readonly station: Station };
}

/** The preferred witness: the place's own address when it is a VM port, then the usual preferences. */
function preferences(e: Enc, p: SymPacket, w: SenderWork, q: DiffQuestion) {
  const st = w.before.station;
  const subnet = st.kind === 'vm-port' ? { ip: ipToNum(st.ip), prefixLen: st.prefixLen } : null;
  const target = q.delivery.kind === 'vm' ? [w.before, w.after].map((s) => s.model.dataplane.stations.find((x) => x.kind === 'vm-port' && q.delivery.kind === 'vm' && x.vm === q.delivery.vm && x.index === q.delivery.port)).find((x) => x !== undefined) : undefined;
  const own = target?.kind === 'vm-port' ? [{ name: "the place's own address", cond: e.eq(p.ip_dst, ipToNum(target.ip), 32), pins: { ip_dst: ipToNum(target.ip) } }]
    // Towards the outside world, an address everybody knows.
    : q.delivery.kind === 'external' ? [{ name: 'a well-known internet host', cond: e.eq(p.ip_dst, 0x08080808, 32), pins: { ip_dst: 0x08080808 } }] : [];
  return [...own, ...defaultPreferences(e, p, subnet)];
}

async function diffSender(work: SenderWork, pl: Plan, timeoutMs: number, how: DiffHow, changed: ChangedDevices, crossing: Crossing | null, splitAt: SplitAt['at'] | null, headers: readonly ChangedHeaders[], out: Difference[]): Promise<SenderResult> {
  const ctx = await getZ3();
  const [sb, sa] = specs(work.before.model, work.after.model, work.before.station, work.after.station);
  const sent = { ...pl.fields, ...(pl.ipDst !== null ? { ipDst: pl.ipDst } : {}), ...(pl.outsideSrc !== null && sb.station.kind === 'outside' ? { ipSrc: pl.outsideSrc } : {}) };
  // The outside world sends from addresses outside the cloud on both sides.
  const extra = (e: Enc, p: SymPacket): Cond =>
    sb.station.kind === 'outside' && pl.outsideSrc === null ? e.and(inAny(e, p.ip_src, outsideAddresses(work.before.model.topology)), inAny(e, p.ip_src, outsideAddresses(work.after.model.topology))) : true;
  // A sender whose walk on the before side visits no device that differs, when nothing read across
  // devices differs and the sender is the same on both sides, meets the same fate on both: the after
  // side's walk would build the very same ends (changed-devices.ts).
  const settle = how.prune !== false && changed.global === null && specKey(sb) === specKey(sa)
    && (sb.station.kind !== 'outside' || pl.outsideSrc !== null || JSON.stringify(outsideAddresses(work.before.model.topology)) === JSON.stringify(outsideAddresses(work.after.model.topology)));
  // Copies crossing to a router with nothing changed beyond are not followed there (diff-crossing.ts),
  // unless that could change an answer: then both sides are walked whole.
  const cut = crossing === null ? {} : { stopAt: crossing.stopAt };
  // The after side walked in the same walk where only what follows a changed device can differ
  // (diff-split.ts), as a sender is settled: its own rules and what is read across devices the same.
  // Crossings that can only be cut given their cuts unwalked (cut-crossings.ts) for VM ports: decided
  // once, a crossing serves every sender behind the same router exits. Not for the outside world, one
  // sender whose copies reach every router's exits from outside: each crossing decided would serve it
  // alone (at the large size its walk took more CPU so, and a check of its question ran past the
  // timeout under load in two full runs), so it is walked as before.
  const cutOnce = how.cutOnce !== false && work.before.station.kind === 'vm-port';
  const split = settle && splitAt !== null ? { split: { dp: work.after.model.dataplane, ...(work.after.ev.converged ? { converged: work.after.ev.converged } : {}), at: splitAt }, cutOnce } : {};
  let before = await exploreSide(work.before.model.dataplane, sb, sent, extra, { converged: work.before.ev.converged, ...(settle ? { marks: changed } : {}), ...cut, ...split });
  if (settle && !before.touched) return untouched(ctx, work.name, before, timeoutMs);
  let after: Side = before.other ?? await exploreSide(work.after.model.dataplane, sa, sent, extra, { converged: work.after.ev.converged, ...cut });
  if (crossing !== null && !crossingAgrees(crossing, before, after, differingPlaces(before, after), (d) => portsAt(work, d))) {
    before = await exploreSide(work.before.model.dataplane, sb, sent, extra, { converged: work.before.ev.converged });
    after = await exploreSide(work.after.model.dataplane, sa, sent, extra, { converged: work.after.ev.converged });
  }
  const e = before.e;
  const p = before.packet;
  // A port --random-fully SNAT draws is taken as the draw a replay shows, on both sides: a difference
  // that exists only for some draws of the kernel's random port is not one a replay could show.
  const drawn = e.and(before.e.choicesAsReplayed(), after.e.choicesAsReplayed());
  const dq = diffQuestions(before, after, drawn);
  const result = (complete: boolean, unknown: string | null, error?: SenderResult['error']): SenderResult => ({ from: work.name, complete, unknown, places: dq.places, placesUnchanged: dq.sameAt, untouched: false, ...(error ? { error } : {}) });

  const unknown = await unmodelled(ctx, e, [...before.unknown, ...after.unknown], dq.unknown, timeoutMs);
  // Whether anything differs at all is asked first of a fresh solver: most senders of most changes
  // have no difference, and there Z3's bit-blasting solver proves it faster than the incremental one.
  // Unless a concrete packet built from what changed already shows a difference in both replays
  // (diff-concrete.ts): then the incremental solver asks it, internalizing the question once.
  const likely = how.incremental && how.concrete !== false && dq.questions.length > 0 && showsDifference(work, dq.questions, headers);
  if (likely) shortcuts.concrete++;
  const any = likely ? null : await checkSat(ctx, e, dq.any, timeoutMs);
  if (any?.status === 'unsat') return result(unknown === null, unknown);
  // The reason says it is the solver's already.
  if (any?.status === 'unknown') return result(false, unknown ?? any.reason);

  // One question over every (question, class) left: a model names the question it satisfies, whose
  // class is then decoded within that question alone — a check per class found, not per place asked.
  // Every check after the first is asked of one incremental solver holding every question (or, to
  // hold it to the straightforward way, of a fresh solver each).
  const found = dq.questions.map(() => new Set<number>());
  const mine: { i: number; d: Difference }[] = [];
  const flush = () => {
    // In the order of the questions (gained, lost, translated; places sorted), then of the changes,
    // and each difference's classes in the order of FAMILIES: the same whatever order the solver found them in.
    for (const { d } of mine.sort((x, y) => x.i - y.i || CHANGES.indexOf(x.d.change) - CHANGES.indexOf(y.d.change))) {
      (d.classes as DiffClass[]).sort((x, y) => familyOf(x.witness.proto) - familyOf(y.witness.proto));
      out.push(d);
    }
  };
  const qs: Questions = how.incremental ? new QuestionSession(e, ctx, dq.questions.map((q) => q.cond), timeoutMs) : new FreshQuestions(e, ctx, dq.questions.map((q) => q.cond), timeoutMs);
  for (let first = true; ; first = false) {
    const open = dq.questions.map((_, i) => i).filter((i) => qs.isOpen(i));
    const r = first && any !== null ? any : await qs.next();
    if (r.status === 'unsat') break;
    if (r.status === 'unknown') { flush(); return result(false, unknown ?? r.reason); }
    const i = open.find((x) => holds(e, r.model, qs.within(x)));
    if (i === undefined) { flush(); return result(false, unknown ?? 'solver: a model of the differences satisfies none of them'); }
    const q = dq.questions[i]!;
    // A destination port every packet of the question has (as a single changed rule's port makes it)
    // rules out each preference for another port unasked: one check instead of one per preference.
    const forced = how.forcedPort === false ? null : await forcedPort(e, p, (c) => qs.ask(i, c), r.model);
    if (forced === undefined) { flush(); return result(false, unknown ?? 'solver: gave up on the destination port'); }
    // The destination address every packet of the question has, read off its ends (diff-pins.ts):
    // a preference for another one (the place's own address, through a floating IP) is dropped unasked.
    const prefs = preferences(e, p, work, q);
    const pins = how.questionPins === false ? {} : questionPins(e, p, q, before, after, r.model);
    shortcuts.pinned += prefs.filter((pref) => Object.entries(pref.pins ?? {}).some(([f, v]) => f in pins && pins[f as keyof typeof pins] !== v)).length;
    const dec = await qs.witness(i, r.model, p, prefs, { ...pins, ...(forced === null ? {} : { dport: forced }) });
    if (dec.reliesOnRandom) { flush(); return result(false, unknown ?? 'the packets found depend on the source port --random-fully SNAT draws at random'); }
    const w = dec.packet;
    // Each class covers what is left of its protocol family (FAMILIES), so a family found again is the solver's error.
    if (found[i]!.has(familyOf(w.proto))) { flush(); return result(false, unknown ?? `solver: protocol ${w.proto} found again after its class was excluded`); }
    const cls = await classify(e, p, (c) => qs.ask(i, c), qs.within(i), drawn, w, timeoutMs, forced);
    qs.block(i, cls.cond);
    found[i]!.add(familyOf(w.proto));
    const bt = replay(work.before, work.before.station, w);
    const at = replay(work.after, work.after.station, w);
    const claim = `${q.kind} at ${q.place}`;
    if (!shown(q.kind, q.place, bt, at)) {
      flush();
      return result(false, 'solver and evaluator disagree', { message: `solver: ${w.ip_src} → ${w.ip_dst} proto ${w.proto}${w.dport !== null ? ` dport ${w.dport}` : ''} from ${work.name} is ${claim}; the replays do not show it`, before: bt, after: at });
    }
    const unc = [...bt.uncertain, ...at.uncertain];
    if (unc.length > 0) { flush(); return result(false, `a witness crosses unmodelled constructs: ${unc.join('; ')}`); }
    const change = changeOf(q.kind, bt);
    const entry = { packets: cls.label, exact: cls.exact, witness: bt.packet, before: bt, after: at };
    const group = mine.find(({ d }) => deliveryKey(d.delivery) === q.place && d.change === change);
    if (group) {
      (group.d.classes as DiffClass[]).push(entry);
      group.i = Math.min(group.i, i);
    } else mine.push({ i, d: { from: work.name, delivery: q.delivery, change, classes: [entry] } });
  }
  flush();
  return result(unknown === null, unknown);
}

/** The places the two sides do not reach by the very same ends (where the sender's packets may differ). */
function differingPlaces(before: Side, after: Side): Delivery[] {
  const keys = new Set([...before.delivered.keys(), ...after.delivered.keys()]);
  return [...keys].filter((k) => !sameEnds(before.delivered.get(k), after.delivered.get(k))).map((k) => (before.places.get(k) ?? after.places.get(k))!);
}

/** The VM ports a place names, on either side. */
function portsAt(work: SenderWork, d: Extract<Delivery, { kind: 'vm' }>): Station[] {
  return [work.before, work.after].flatMap((s) => s.model.dataplane.stations.filter((x) => x.kind === 'vm-port' && x.vm === d.vm && x.index === d.port));
}

/** Why some of a sender's packets are not answered: those that cross something not modelled (`region`, on either side), or null. */
async function unmodelled(ctx: Awaited<ReturnType<typeof getZ3>>, e: Enc, ends: Side['unknown'], region: Cond, timeoutMs: number): Promise<string | null> {
  const u = await checkSat(ctx, e, region, timeoutMs);
  if (u.status === 'unknown') return `the packets that cross something not modelled: ${u.reason}`;
  if (u.status === 'unsat') return null;
  const which = ends.find((x) => holds(e, u.model, x.cond));
  return `some packets cross something not modelled${which?.end.kind === 'unknown' ? `: ${which.end.reason}` : ''}`;
}

/** A sender whose packets reach nothing that changed: the same fate on both sides, but for what is not modelled. */
async function untouched(ctx: Awaited<ReturnType<typeof getZ3>>, name: string, before: Side, timeoutMs: number): Promise<SenderResult> {
  const e = before.e;
  // The after side's unknown ends are these very ends: its walk would visit the same devices.
  const unknown = await unmodelled(ctx, e, before.unknown, e.or(...before.unknown.map((x) => x.cond)), timeoutMs);
  return { from: name, complete: unknown === null, unknown, places: before.delivered.size, placesUnchanged: before.delivered.size, untouched: true };
}

/** A sender's rules as a comparable key (its station is compared with the rest of the dataplane). */
const specKey = (s: SourceSpec): string => JSON.stringify({ ...s, station: null });

/** How the questions are asked (the answers are the same either way; tests hold the two to each other). */
export interface DiffHow {
  /** One incremental solver per sender (default) rather than a fresh solver per check. */
  readonly incremental: boolean;
  /**
   * Settle a sender on one side when its walk there visits nothing that differs (default true);
   * false walks both sides of every sender.
   */
  readonly prune?: boolean;
  /** Ask one port per class of senders alike on both sides (diff-classes.ts; default true); false asks every sender. */
  readonly classes?: boolean;
  /**
   * Stop following a copy at a router across an external network when nothing beyond it changed
   * (diff-crossing.ts; default true); false follows every copy to its end.
   */
  readonly cross?: boolean;
  /**
   * Walk the after side in the before side's walk, split at the devices that differ (diff-split.ts;
   * default true); false walks it on its own.
   */
  readonly split?: boolean;
  /**
   * In a split walk, give a copy crossing an external network that can only end cut its cut ends
   * without walking it, decided once per crossing (cut-crossings.ts; default true); false walks each.
   */
  readonly cutOnce?: boolean;
  /**
   * Ask a sender's first check of its incremental solver when a concrete packet built from what
   * changed shows a difference in both replays (diff-concrete.ts; default true); false asks it of a
   * fresh solver always.
   */
  readonly concrete?: boolean;
  /**
   * Prove a question's destination port forced in one check before the witness's port preferences
   * (`forcedPort`; default true); false asks each preference.
   */
  readonly forcedPort?: boolean;
  /**
   * Rule out unasked the witness preferences for another destination address than the one every end
   * of the question has (diff-pins.ts; default true); false asks each.
   */
  readonly questionPins?: boolean;
}

/** Which packets meet another fate in `after` than in `before`. */
export async function runDiff(before: Party, after: Party, p: DiffParams, timeoutMs: number, how: DiffHow = { incremental: true }): Promise<Result<DiffAnswer>> {
  const planned = plan(before.model, after.model, p);
  if (!planned.ok) return planned;
  const pl = planned.value;
  const b = byName(before.model.dataplane);
  const a = byName(after.model.dataplane);
  const differences: Difference[] = [];
  const answered = new Map<string, SenderResult>();
  const changed = changedDevices(before.model.dataplane, after.model.dataplane, before.ev.converged, after.ev.converged);
  const crossing = how.cross === false ? null : crossingFor(before.model.dataplane, after.model.dataplane, changed);
  const splitAt = how.split === false ? null : splitDevices(before.model.dataplane, changed);
  const headers = changedHeaders(before.model.topology, after.model.topology);
  const classes = how.classes === false ? pl.stations.map((n) => ({ rep: n, members: [] })) : diffSenderClasses(before.model, after.model, pl.stations, changed);
  for (const c of classes) {
    const found: Difference[] = [];
    const r = await diffSender({ name: c.rep, before: { ...before, station: b.get(c.rep)! }, after: { ...after, station: a.get(c.rep)! } }, pl, timeoutMs, how, changed, crossing, splitAt, headers, found);
    answered.set(c.rep, r);
    // The classmates' answers follow from the representative's (diff-classes.ts): said, not asked.
    for (const m of c.members) {
      const { error: _asked, ...same } = r;
      answered.set(m, { ...same, from: m, representedBy: c.rep });
    }
    differences.push(...found.map((d) => (c.members.length > 0 ? { ...d, standsFor: c.members } : d)));
  }
  const senders = pl.stations.map((n) => answered.get(n)!);
  const verdict = differences.length > 0 ? 'different' : senders.some((s) => s.unknown !== null) ? 'unknown' : 'same';
  return { ok: true, value: { verdict, differences, senders, onlyBefore: pl.onlyBefore, onlyAfter: pl.onlyAfter, senderClasses: classes.length } };
}
