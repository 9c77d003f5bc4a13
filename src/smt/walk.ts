// The symbolic walk: from a packet arriving at a device, explore every path through the device graph
// the evaluator walks (OVS bridges, Linux bridges, namespaces, VMs; patch/veth/internal/vif links,
// physical wires to other hosts and to the outside world, tunnels between hosts' tunnel ports) and
// collect how each copy ends, with its path condition and final symbolic packet.
// Guarantees: every copy of every packet satisfying the start's path condition ends in exactly one of
// the returned ends per path (branches partition); a copy entering a place (device, wire, underlay)
// again on its own path with the same headers is a `loop` end there, as in the evaluator
// (src/semantics/loop.ts); a path longer than `maxHops` device visits is an `unknown` end, and so is a
// walk that would list more than `maxEnds` ends (one `unknown` end standing for all its packets);
// nothing here calls the solver (concrete parts are folded; a fully concrete packet is evaluated
// exactly).
import { answersArp, type ArpAsked } from '../semantics/arp-answer.ts';
import { encLogic } from './martian.ts';
import type { Dataplane, Namespace, Station, Wire } from '../ir/dataplane.ts';
import { ETH_TYPE } from '../ir/packet.ts';
import type { ConvergedState, FdbEntry } from '../semantics/converged.ts';
import { TopologyIndex, type UpstreamRouter } from '../semantics/topology-index.ts';
import { type FlowTables, flowTables, isTunnelPort, portByName } from '../semantics/ovs-bridge.ts';
import { MAX_DEVICE_VISITS } from '../semantics/limits.ts';
import { loopRule, visitPlace, wireEntry } from '../semantics/loop.ts';
import { extendTrail, revisit, trailProjection, type Trail } from './loop.ts';
import type { Flow, OvsBridge, OvsPort } from '../ir/openflow.ts';
import type { NfChain } from '../ir/netfilter.ts';
import { watchingChains } from './netfilter/watch.ts';
import { Enc, type Cond } from './cond.ts';
import { formatIpv4, sameNetwork } from '../net/ipv4.ts';
import type { Ctx } from './z3.ts';
import type { SymPacket } from './headers.ts';
import { ipToNum, isArp, macToNum, symbolicPacket } from './headers.ts';
import type { End, EndSite, Path, Step } from './path.ts';
import { assume, cutEnd, ended, telling, unknownEnd, withPacket } from './path.ts';
import { symRunBridge } from './openflow.ts';
import { type RouteStep, symNamespace, toNextHop } from './namespace.ts';
import { symLinuxBridge } from './linux-bridge.ts';
import { addressOwners, ownersIn, type Owner } from './owners.ts';
import { mergeBy, mergeSteps, pathKey } from './merge.ts';
import type { ArpAnswer, ArpFrom, Port, WalkCtx } from './walk-ctx.ts';
import { hostRange, upstreamReceives } from '../semantics/upstream.ts';
import { crossingKey, stateless } from './untold.ts';
import { hairpinGroup, nextHopGroup, quietSplitsSwitch, type QuietSplit } from './quiet-splits.ts';
import { cutCrossings, type CutCrossing } from './cut-crossings.ts';
import { type AlikeExit, alikeExitsSwitch, portShape, shareable, sourceBlind, unicast, unnamed } from './alike-exits.ts';
import { alikeSurveysSwitch, fromAlike, type Hearer, type SharedSurvey, surveyBlind, type SurveyExit } from './walk-surveys.ts';

export interface WalkOptions {
  /** The converged learning state (MAC tables, learned flows); none = nothing learned, NORMAL floods. */
  readonly converged?: ConvergedState;
  /** Device visits per path before the path is `unknown` (default MAX_DEVICE_VISITS). */
  readonly maxHops?: number;
  /** Ends one walk may list before it stops and is one `unknown` end (default MAX_WALK_ENDS). */
  readonly maxEnds?: number;
  /**
   * Cut (do not follow) a copy a router has routed onto an external network when it arrives at
   * another router there, addressed to that router's own address on it, and that router can only
   * deliver it locally or into its own subnets (see `acrossExternal`): for questions that do not ask
   * about crossing an external network through a floating IP (how packets leave the cloud, what they
   * reach by fixed address).
   */
  readonly stopAcrossExternal?: boolean;
  /**
   * With `stopAcrossExternal`, the routers (host, namespace) a copy may be cut at; absent, every one.
   * `diff` cuts only where nothing that changed lies beyond (diff-crossing.ts), and keeps the cut
   * ends (also under `onlyTelling`) to compare them.
   */
  readonly stopAt?: (host: string, namespace: string) => boolean;
  /**
   * Devices and iptables chains to watch for (changed-devices.ts): the walker notes whether a walk
   * visits one of them, directly or through anything it reuses (its memo, ARP answers, surveys), for
   * `touching`.
   */
  readonly marks?: { has(host: string, device: string): boolean; hasChain(chain: NfChain): boolean };
  /** false: resolve every ARP request by its own walk, never by a survey (for tests that compare the two). */
  readonly surveyArp?: boolean;
  /**
   * Keep only the ends that tell something (path.ts `telling`) in what the walker keeps and hands on
   * from its memo: for questions that never ask about the others (the built-in properties).
   */
  readonly onlyTelling?: boolean;
  /** false: follow every copy a router sends onto an external network, never decide it untold (`untold`; for tests that compare the two). */
  readonly untoldCrossings?: boolean;
  /**
   * Walk two dataplanes at once (`diff`): this walker's and `other`'s, which differ only in the
   * devices `at` names (and what `marks` watches for, so that a walk entering anything else that
   * differs is seen). A copy arriving at such a device is followed on both from there — ends tagged
   * `side` 'this' and 'other' — and everything before it once for both (untagged). Valid for the
   * other dataplane only while `touchedOutside` stays false (see `SymWalker.split`).
   */
  readonly split?: { readonly other: SymWalker; readonly at: (host: string, device: string) => boolean };
  /**
   * With `split` and `stopAt` (diff's before side): a copy a router sends onto an external network
   * that can only end cut is given its cut ends without being walked, decided once per crossing key
   * (cut-crossings.ts); only in the part of a walk before any split.
   */
  readonly cutOnce?: boolean;
}

const BROADCAST = 0xffffffffffff;
/** The target of a surveying ARP request: 0.0.0.0, which no station owns, so no one answers it. */
const SURVEY_TARGET = 0;
/**
 * What the walker's memo holds at most, counted as its ends plus one per entry (a few hundred MiB at
 * the benchmark's sizes): an entry whose walk kept no end (`onlyTelling`) still holds its key and the
 * places its walk entered, and with only ends counted such entries grew without bound (at 10,000 VMs,
 * 2.8 million of them beside 0.35 million ends, about 3.5 GB).
 */
const MEMO_BUDGET = 500_000;
/**
 * Ends one walk (a sender's start, an ARP request) may list. A walk whose branches keep splitting
 * (each split a real one, so merging cannot fold them) grows its list of ends geometrically with depth;
 * past this many the walk stops and says so, as an `unknown` end for all its packets, instead of
 * exhausting memory or the stack. The benchmark's largest size lists far fewer per start.
 */
export const MAX_WALK_ENDS = 1_000_000;

/** Per survey (a list of the stations that would answer, in walk order), the MAC of the first that owns each address. */
const surveyAnswers = new WeakMap<readonly { readonly ips: readonly number[]; readonly mac: number }[], Map<number, number>>();

/**
 * The MAC of the first station of a survey that owns `target`, or null: the answer to a request for it.
 * Looked up in an index made once per survey (a survey's list is complete when kept): a scan per address
 * asked grew as the addresses of an external subnet times its stations, both growing with the cloud.
 */
function answerOf(heard: readonly { readonly ips: readonly number[]; readonly mac: number }[], target: number): ArpAnswer {
  let m = surveyAnswers.get(heard);
  if (m === undefined) {
    m = new Map();
    for (const h of heard) for (const ip of h.ips) if (!m.has(ip)) m.set(ip, h.mac);
    surveyAnswers.set(heard, m);
  }
  return m.get(target) ?? null;
}

/** Thrown inside a walk that has listed more than its budget of ends; caught where the walk started. */
class EndBudgetExceeded extends Error {}

/** Appends `items` to `out` one by one (a spread into `push` passes every item on the stack). */
function append<T>(out: T[], items: readonly T[]): void {
  for (const x of items) out.push(x);
}

/** What a memo entry holds: the ends of an arrival, or of a routed copy sent on to its next hop. */
type Memoized =
  | { readonly kind: 'arrive'; readonly at: Port; readonly hops: number }
  | { readonly kind: 'route'; readonly at: Port; readonly ns: Namespace; readonly r: RouteStep; readonly hops: number };

/**
 * One memo entry: the ends, the places the walk entered (its own and its sub-walks'), and the trail's
 * entries at those places it was computed behind (loop.ts `trailProjection`), so the ends are reused
 * only behind a trail that says the same there.
 */
interface MemoVariant {
  readonly places: ReadonlySet<string>;
  readonly projection: string;
  readonly rel: End[];
  /** With `marks`: the walk that made it visited a marked device or chain. */
  readonly touched: boolean;
  /** With `split`: whether the walk that made it visited a marked device or chain within a split (on this side). */
  readonly splitTouched: boolean;
  /** The ends of `rel` this walk's budget counts: its own (`maxEnds`; with `split`, not the other side's). */
  readonly own: number;
}

export class SymWalker implements WalkCtx {
  readonly e: Enc;
  readonly index: TopologyIndex;
  readonly owners: readonly Owner[];
  private dnat: readonly number[] | null = null;
  private readonly tables = new Map<string, FlowTables>();
  private readonly fdb = new Map<string, FdbEntry[]>();
  private learned: Map<string, Flow[]> | null = null;
  private readonly wirePorts = new Map<string, readonly Port[]>();
  private readonly arpCache = new Map<string, ArpAnswer>();
  /**
   * With `marks`: whether the walk being made has visited a marked device or chain, and per ARP
   * answer, survey and terminal decision, whether making it did (a reuse visits what its making did).
   */
  private touchedNow = false;
  /** With `split`: the walk being made visited a marked device or chain on this side of a split (not counted in `touchedNow`). */
  private splitTouchedNow = false;
  private readonly reuseTouched = new Map<string, boolean>();
  private readonly packets = new Map<string, SymPacket>();
  /** Downstream ends per arrival state, with conditions relative to the arrival (see `arrive`). */
  private readonly memo = new Map<string, MemoVariant[]>();
  /** What the memo holds against its budget: its ends and its entries (`MEMO_BUDGET`). */
  private memoWeight = 0;
  /** The places entered by each memoized walk under way, innermost last. */
  private readonly entering: Set<string>[] = [];
  /** Ends listed by the walk under way (`maxEnds`); null when no walk is under way. */
  private listed: number | null = null;
  private readonly maxEnds: number;
  /** Set while an ARP request is walked: it stops at the first answer (or, surveying, lists who would answer). */
  private hunt: { answered: boolean; heard: Hearer[] | null; asked: ArpAsked; places: Set<string> | null } | null = null;
  /** While a survey's walk is in a namespace: where the request is heard (a `Hearer`'s `at`). */
  private hearing: Hearer['at'] = null;
  /** Per class of alike router exits (walk-surveys.ts), a survey walked from one of them, to make the others' from. */
  private readonly alikeSurveys = new Map<string, SharedSurvey>();
  /** Per bridge (`host\0bridge`), whether no flow reads an ARP request's sender (walk-surveys.ts `surveyBlind`). */
  private readonly surveyBlindBridges = new Map<string, boolean>();
  /** Per requester, the stations its ARP broadcast reaches that would answer, in walk order (or unreliable: it crossed something unmodelled). */
  private readonly surveys = new Map<string, { ips: readonly number[]; mac: number }[] | 'unreliable'>();
  /** No flow matches an ARP request's target address, so who hears a request does not depend on it. */
  private readonly arpSurveyable: boolean;
  private readonly maxHops: number;
  /** `host/namespace/interface` of router interfaces on an external network (an outside station's subnet). */
  private readonly externalIfaces = new Set<string>();
  /** Per external router interface (`host/namespace/interface`), whether it is `terminal`. */
  private readonly terminals = new Map<string, boolean>();
  /** Per router and route prefix (`host/namespace/ip/len`), whether no other router has an address there (`intoOwnSubnet`). */
  private readonly ownSubnets = new Map<string, boolean>();
  /** `externalByAddress`'s map, built on first use. */
  private externalByAddr: Map<string, Port> | null = null;
  /** The MACs of every router interface: a frame carrying one as its source was sent by a router. */
  private readonly routerMacs = new Set<number>();
  /** Per `crossingKey`, whether a router's copy leaving by an external interface can only end untold (`untold`). */
  private readonly untoldCrossings = new Map<string, boolean>();
  private untoldCopies = 0;
  /** Per group of a split per external address, which addresses tell something (quiet-splits.ts). */
  private readonly quietSplits = new Map<string, QuietSplit>();
  /** Per class of alike router exits and copy (alike-exits.ts), the exit whose walk decided it untold. */
  private readonly alikeQuiet = new Map<string, AlikeExit>();
  /** Per bridge (`host\0bridge`), whether no flow reads or writes the source MAC; per bridge port, whether no flow names it. */
  private readonly blindBridges = new Map<string, boolean>();
  private readonly unnamedPorts = new Map<string, boolean>();
  private alikeShared = 0;
  /** Per `crossingKey`, the crossing's cuts when it can only end cut, else null (`cutOnce`). */
  private readonly cutOnly = new Map<string, CutCrossing | null>();
  /** Per class of alike router exits and copy (alike-exits.ts), the exit whose walk decided it cut-only, and its cuts. */
  private readonly alikeCut = new Map<string, { readonly exit: AlikeExit; readonly cut: CutCrossing }>();
  /** With `split`: how deep the walk is within a split's own part on this side (nothing is given uncut there). */
  private inSplit = 0;

  /** The converged state the walker reads (for reuse checks). */
  get converged(): ConvergedState | undefined {
    return this.opts.converged;
  }

  /** `enc`: an encoder shared with other walkers of the same Z3 context (so their terms mix). */
  constructor(ctx: Ctx, readonly dp: Dataplane, private readonly opts: WalkOptions = {}, enc?: Enc) {
    this.e = enc ?? new Enc(ctx);
    this.index = new TopologyIndex(dp);
    this.owners = addressOwners(dp);
    this.maxHops = opts.maxHops ?? MAX_DEVICE_VISITS;
    this.maxEnds = opts.maxEnds ?? MAX_WALK_ENDS;
    const learned = (opts.converged?.learnedFlows ?? []).map((l) => l.flow);
    // The survey asks for 0.0.0.0, which must be nobody's address.
    this.arpSurveyable = opts.surveyArp !== false && !this.owners.some((o) => o.ip === SURVEY_TARGET) && ![...dp.hosts.flatMap((h) => h.ovsBridges.flatMap((b) => b.flows)), ...learned].some((f) => f.match.arp_tpa !== undefined);
    const outside = dp.stations.flatMap((s) => (s.kind === 'outside' ? [{ ip: ipToNum(s.cidr.ip), len: s.cidr.prefixLen }] : []));
    for (const h of dp.hosts) {
      for (const ns of h.namespaces) {
        for (const i of ns.interfaces) {
          if (!ns.forwarding) continue; // a DHCP namespace is no router: what reaches it is delivered there
          this.routerMacs.add(macToNum(i.mac));
          if (i.addresses.some((a) => outside.some((o) => sameNetwork(ipToNum(a.ip), o.ip, o.len)))) this.externalIfaces.add(`${h.name}/${ns.name}/${i.name}`);
        }
      }
    }
    // Grouped once per bridge (appending: copying each bridge's list per entry grew as its square).
    for (const f of opts.converged?.fdb ?? []) {
      const k = `${f.host}\u0000${f.bridge}`;
      const list = this.fdb.get(k);
      if (list) list.push(f);
      else this.fdb.set(k, [f]);
    }
  }

  /** The learned flows per bridge, in the order learned, grouped on first use (not filtered per bridge). */
  private learnedOf(host: string, bridge: string): readonly Flow[] {
    if (this.learned === null) {
      this.learned = new Map();
      for (const l of this.opts.converged?.learnedFlows ?? []) {
        const k = `${l.host}\u0000${l.bridge}`;
        const list = this.learned.get(k);
        if (list) list.push(l.flow);
        else this.learned.set(k, [l.flow]);
      }
    }
    return this.learned.get(`${host}\u0000${bridge}`) ?? [];
  }

  tablesOf(host: string, bridge: string): FlowTables {
    const k = `${host}\u0000${bridge}`;
    let t = this.tables.get(k);
    if (!t) {
      const b = this.index.host(host)?.ovsBridges.find((x) => x.name === bridge);
      t = flowTables([...(b?.flows ?? []), ...this.learnedOf(host, bridge)]);
      this.tables.set(k, t);
    }
    return t;
  }

  fdbOf(host: string, bridge: string): readonly FdbEntry[] {
    return this.fdb.get(`${host}\u0000${bridge}`) ?? [];
  }

  /** Every address a DNAT rule rewrites a destination to, in any namespace (WalkCtx). */
  get dnatTargets(): readonly number[] {
    if (this.dnat === null) {
      const targets = new Set<number>();
      for (const h of this.dp.hosts) {
        for (const n of h.namespaces) {
          for (const t of n.netfilter.tables) for (const c of t.chains) for (const r of c.rules) if (r.target.kind === 'DNAT') targets.add(ipToNum(r.target.to));
        }
      }
      this.dnat = [...targets];
    }
    return this.dnat;
  }

  /** Where a station's packets enter the dataplane (the outside world: every bridge port on its physnet). */
  entryPoints(s: Station): readonly Port[] {
    if (s.kind === 'vm-port') return [s.attachment];
    let ports = this.wirePorts.get(s.physnet);
    if (!ports) this.wirePorts.set(s.physnet, (ports = this.dp.wires.filter((w) => w.physnet === s.physnet).flatMap((w) => w.members)));
    return ports;
  }

  /** All ends of the copies of a packet sent by `station` on `path`. */
  fromStation(s: Station, path: Path): End[] {
    return this.bounded(path, `from ${s.kind === 'vm-port' ? `${s.vm}:${s.index}` : `outside:${s.network}`}`, () => {
      if (s.kind === 'outside') return this.fromUpstream(s, path, 0, null);
      const ends: End[] = [];
      for (const p of this.entryPoints(s)) append(ends, this.arrive(p, path, 0, null));
      return ends;
    });
  }

  /**
   * Runs a walk within the budget of ends (`maxEnds`): past it, the walk is one `unknown` end for
   * every packet of `path`, saying why. A walk started inside another (an ARP request's) counts its own.
   */
  private bounded(path: Path, what: string, walk: () => End[]): End[] {
    const outer = this.listed;
    this.listed = 0;
    try {
      return walk();
    } catch (x) {
      if (!(x instanceof EndBudgetExceeded)) throw x;
      return [unknownEnd(`budget: the walk ${what} listed more than ${this.maxEnds} path ends and was stopped (branches that keep splitting)`, path)];
    } finally {
      this.listed = outer;
    }
  }

  /** Counts `n` more ends listed by the walk under way; past the budget, the walk stops (`bounded`). */
  private spend(n: number): void {
    if (this.listed === null) return;
    this.listed += n;
    if (this.listed > this.maxEnds) throw new EndBudgetExceeded();
  }

  /** A place entered: noted for every memoized walk under way (their ends depend on the trail there). */
  private enter(place: string): void {
    if (this.hunt === null) this.entering.at(-1)?.add(place);
    else this.hunt.places?.add(place);
  }

  /**
   * A copy entering `place` (the device `device` by `inPort` on `host`): its `loop` end for the packets
   * that entered it before on this path with the same headers, and the path going on for the others
   * (either may be absent).
   */
  private loopCheck(host: string, device: string, inPort: string | null, path: Path, trail: Trail | null): { place: string; looped: End | null; on: Path | null } {
    const place = visitPlace(host, device, inPort);
    this.enter(place);
    const again = revisit(this.e, trail, place, path.packet);
    if (again === false) return { place, looped: null, on: path };
    const l = assume(path, again);
    return { place, looped: l ? ended('loop', l, `${host}/${device}: ${loopRule(device, inPort)}`) : null, on: assume(path, this.e.not(again)) };
  }

  arp(from: ArpFrom, mac: number, ip: number, vlan: number | null, target: number, alone = false): ArpAnswer {
    const requester = `${'arrive' in from ? from.arrive.map((p) => `${p.host}/${p.device}:${p.port}`).join(',') : 'outside' in from ? `outside:${from.outside.network}` : `${from.host}/${from.device}:${from.port}`}|${mac}|${ip}|${vlan}`;
    const key = `${requester}|${target}`;
    // A route's next hop (`alone`) is walked for alone unless the requester's survey is made already:
    // a requester asks for few such addresses (a VM port its gateway, a router's external interface
    // the upstream gateway), and a walk that stops at the answer is cheaper than a survey of the
    // whole broadcast domain (at 1,000 VMs, an external interface's survey visits every router on
    // the external network: about 3.5 times the walk). Addresses on a connected subnet are surveyed.
    if (this.arpSurveyable && (!alone || this.surveys.has(requester))) {
      // Who hears this requester's broadcast does not depend on the address asked for: one walk
      // lists the stations that would answer, in walk order, and the first that owns `target` is
      // the answer — the one a walk of that very request stops at.
      // A survey that crossed something unmodelled is no list: each address is then walked for.
      let heard = this.surveys.get(requester);
      if (heard === undefined) {
        this.surveys.set(requester, []); // a request that comes back to this survey hears no one
        // A router exit alike to one whose survey is kept takes its survey from that one (walk-surveys.ts).
        const exit = this.surveyExit(from, mac, vlan);
        const rep = exit === null ? undefined : this.alikeSurveys.get(exit.cls);
        const shared = rep === undefined ? null : fromAlike(rep, exit!, ip, (i) => macToNum(i.mac));
        if (shared !== null) {
          heard = shared;
          alikeSurveysSwitch.shared++;
        } else {
          const list: Hearer[] = [];
          const places = exit === null || rep !== undefined ? null : new Set<string>();
          const walked = this.tracked(`S\u0000${requester}`, () => this.walkRequest(from, mac, ip, vlan, SURVEY_TARGET, list, places));
          heard = walked !== null && typeof walked === 'object' ? 'unreliable' : list;
          if (exit !== null && places !== null && heard !== 'unreliable' && this.sharable(exit, list, places)) this.alikeSurveys.set(exit.cls, { exit, sip: ip, heard: list });
        }
        this.surveys.set(requester, heard);
      } else this.reused(`S\u0000${requester}`);
      if (heard !== 'unreliable') return answerOf(heard, target);
    }
    if (this.arpCache.has(key)) {
      this.reused(`A\u0000${key}`);
      return this.arpCache.get(key)!;
    }
    this.arpCache.set(key, null); // a request that comes back to this resolution is not answered
    const answer = this.tracked(`A\u0000${key}`, () => this.walkRequest(from, mac, ip, vlan, target, null));
    this.arpCache.set(key, answer);
    return answer;
  }

  /** How many copies were not followed, decided untold (`untold`): for measurements and tests. */
  get copiesUntold(): number {
    return this.untoldCopies;
  }

  /** How many crossings were decided untold by another router's alike exit (`alikeExit`): for measurements and tests. */
  get crossingsShared(): number {
    return this.alikeShared;
  }

  /** How many ARP requests were walked for one address each (not answered from a survey): for measurements and tests. */
  get arpWalks(): number {
    return this.arpCache.size;
  }

  /** While surveying: a station reached by the request would answer ARP for `ips` with `mac`. */
  arpHeard(ips: readonly number[], mac: number): void {
    this.hunt?.heard?.push({ ips, mac, at: this.hearing });
  }

  /**
   * A requester that is a router exit a survey may be shared between (walk-surveys.ts): its gateway port
   * an internal port of an OVS bridge that no flow names, sending untagged from a unicast MAC; its class
   * the bridge's host and the port record but for name and number. Null otherwise, and for walkers that
   * watch devices or split their walks (what a survey visits is theirs to note).
   */
  private surveyExit(from: ArpFrom, mac: number, vlan: number | null): SurveyExit | null {
    if (!alikeSurveysSwitch.on || this.opts.marks !== undefined || this.opts.split !== undefined) return null;
    if ('arrive' in from || 'outside' in from || vlan !== null || !unicast(mac)) return null;
    const ref = this.index.device(from.host, from.device);
    const iface = ref?.kind === 'ns' ? ref.ns.interfaces.find((i) => i.name === from.port) : undefined;
    if (ref?.kind !== 'ns' || iface === undefined || macToNum(iface.mac) !== mac) return null;
    const exit = this.unnamedInternalPeer(from);
    if (exit === null) return null;
    return { cls: [exit.host, portShape(exit.bridge, exit.port)].join('\u0000'), host: from.host, ns: ref.ns, iface };
  }

  /**
   * Whether a survey walked from `exit` may be shared with its alike exits: it entered only places that
   * read no request's sender (walk-surveys.ts), and the exit's own namespace did not hear it.
   */
  private sharable(exit: SurveyExit, heard: readonly Hearer[], places: ReadonlySet<string>): boolean {
    if (heard.some((h) => h.at !== null && h.at.host === exit.host && h.at.ns.name === exit.ns.name)) return false;
    for (const place of places) {
      const a = place.indexOf('|');
      const b = place.indexOf('|', a + 1);
      if (a < 0 || b < 0) return false;
      const host = place.slice(0, a);
      const device = place.slice(a + 1, b);
      if (host === 'outside' || device === 'underlay' || device.startsWith('physnet:')) continue;
      const dev = this.index.device(host, device);
      if (dev === null || dev.kind === 'ns' || dev.kind === 'vm') continue;
      if (dev.kind !== 'ovs') return false;
      const k = `${host}\u0000${device}`;
      let blind = this.surveyBlindBridges.get(k);
      if (blind === undefined) this.surveyBlindBridges.set(k, (blind = surveyBlind(this.flowsOf(host, device, dev.bridge.flows))));
      if (!blind) return false;
    }
    return true;
  }

  get surveying(): boolean {
    return this.hunt?.heard != null;
  }

  /**
   * Walks a concrete ARP request for `target`, stopping at the first answer in the order ends are
   * listed (the same answer as a full walk), or, with `heard`, walking all of it and listing who
   * would answer. A copy not followed to its end before the first answer makes the answer unknown
   * (it might have been answered first).
   */
  private walkRequest(from: ArpFrom, mac: number, ip: number, vlan: number | null, target: number, heard: Hearer[] | null, places: Set<string> | null = null): ArpAnswer {
    const packet: SymPacket = {
      eth_src: mac, eth_dst: BROADCAST, vlan, tun_id: null, eth_type: ETH_TYPE.arp, ip_src: ip, ip_dst: target,
      proto: 1, sport: 0, dport: 0, icmp_type: 0, icmp_code: 0,
    };
    const path: Path = { pc: [], packet };
    const outer = this.hunt;
    const asked: ArpAsked = { mac, ip, target };
    // A request walked within a survey's walk: what it entered is not the survey's (not shared, walk-surveys.ts).
    outer?.places?.add('nested');
    this.hunt = { answered: false, heard, asked, places };
    let ends: End[];
    try {
      ends = this.bounded(path, `of an ARP request for ${target === SURVEY_TARGET ? 'anyone' : formatIpv4(target)}`, () => {
        if ('outside' in from) return this.fromUpstream(from.outside, path, 0, null);
        if (!('arrive' in from)) return this.leaveFrom(from, path, 0, null);
        const all: End[] = [];
        for (const p of from.arrive) {
          if (this.stopped()) break;
          append(all, this.arrive(p, path, 0, null));
        }
        return all;
      });
    } finally {
      this.hunt = outer;
    }
    for (const x of ends) {
      if (x.kind === 'unknown') return { unknown: x.reason };
      if (x.kind === 'end' && typeof x.arpOwner === 'number') return x.arpOwner;
      const reply = this.replyAnswer(x, asked);
      if (reply !== null) return reply;
    }
    return null;
  }

  /**
   * The MAC an end answers a request with when it is a reply the dataplane made of the request and
   * sent back to the requester (src/semantics/arp-answer.ts); null when it is not. A request's walk
   * is concrete, so is every reply made of it.
   */
  private replyAnswer(x: End, asked: ArpAsked): number | null {
    if (x.kind !== 'end' || (x.disposition !== 'delivered' && x.disposition !== 'exited')) return null;
    const p = x.path.packet;
    return answersArp(encLogic(this.e), p, asked) === true && typeof p.eth_src === 'number' ? p.eth_src : null;
  }

  /** The end answers the ARP request being walked. */
  private answersHunt(x: Step): boolean {
    return this.hunt !== null && x.kind === 'end' && (x.arpOwner !== null || this.replyAnswer(x, this.hunt.asked) !== null);
  }

  /** Each source's packet variables, one set per name (so equal explorations build equal terms). */
  symbolic(prefix: string, vlan: number | null): SymPacket {
    const k = `${prefix}|${vlan}`;
    let p = this.packets.get(k);
    if (!p) {
      p = symbolicPacket(this.e.ctx, prefix, vlan);
      this.packets.set(k, p);
    }
    return p;
  }

  /**
   * The ends of a packet arriving at `at` after `hops` device visits. What happens downstream
   * depends only on the packet (its terms), its approximations and the hop count, never on the path
   * condition so far: the downstream ends are computed once per such state, with conditions relative
   * to the arrival, and every path arriving in that state gets them behind its own condition.
   */
  private arrive(at: Port, path: Path, hops: number, trail: Trail | null): End[] {
    if (this.hunt !== null) return this.stopped() ? [] : this.arriveFresh(at, path, hops, trail);
    if (this.opts.split?.at(at.host, at.device) === true) return this.split(at, path, hops, trail);
    return this.arriveHere(at, path, hops, trail);
  }

  /**
   * With `split`: a copy arriving at a device that differs between the two dataplanes, followed from
   * here on each (in the same arrival state: its path, hop count and trail), this side's ends tagged
   * 'this', the other's 'other'. What this side's part visits that is marked is not the walk's
   * (`touchedNow`: what the part before a split visits) but the split's (`splitTouchedNow`).
   */
  private split(at: Port, path: Path, hops: number, trail: Trail | null): End[] {
    const outer = this.touchedNow;
    this.touchedNow = false;
    this.inSplit++;
    let mine: End[];
    try {
      mine = this.arriveHere(at, path, hops, trail);
    } finally {
      this.inSplit--;
      if (this.touchedNow) this.splitTouchedNow = true;
      this.touchedNow = outer;
    }
    const theirs = this.opts.split!.other.resume(at, path, hops, trail);
    // The places the other side's walk entered decide, as this side's do, behind which trails a memo
    // entry holding its ends may be reused.
    for (const p of theirs.places) this.enter(p);
    const out: End[] = [];
    // A split met again within this side's part (a copy coming back to a changed device) is this
    // side's only: the other side's part of it is in `theirs` already.
    for (const x of mine) if (x.side !== 'other') out.push(x.side === 'this' ? x : { ...x, side: 'this' });
    for (const x of theirs.ends) out.push({ ...x, side: 'other' });
    return out;
  }

  /**
   * The ends of a copy arriving at `at` in the given state, and the places the walk entered: for a
   * walker splitting its walk with this one (`split`), which hands on its own path, hops and trail.
   */
  resume(at: Port, path: Path, hops: number, trail: Trail | null): { readonly ends: End[]; readonly places: ReadonlySet<string> } {
    const places = new Set<string>();
    this.entering.push(places);
    try {
      // The walker splitting with this one watches its own chains only.
      return { ends: watchingChains(null, () => this.arrive(at, path, hops, trail)), places };
    } finally {
      this.entering.pop();
    }
  }

  /** `arrive` past the split: kept (`memoized`) where paths meet, else walked in place. */
  private arriveHere(at: Port, path: Path, hops: number, trail: Trail | null): End[] {
    // Kept where paths from different senders meet (a namespace: a router, a DHCP server) and where a
    // sender's packet enters (explored again by every question about that sender); elsewhere a path's
    // ends are computed in place, so the memo does not hold every ends list at every depth.
    if (hops > 0 && this.index.device(at.host, at.device)?.kind !== 'ns') return this.arriveFresh(at, path, hops, trail);
    if (this.opts.stopAcrossExternal === true && hops > 0 && (this.opts.stopAt?.(at.host, at.device) ?? true) && this.acrossExternal(at, path)) {
      return [cutEnd(`${at.host}/${at.device}:${at.port}: routed across an external network to another router's own address (not followed)`, path, { host: at.host, device: at.device, inPort: at.port })];
    }
    const key = `${at.host}\u0000${at.device}\u0000${at.port}\u0000${hops}\u0000${pathKey(path)}${this.memoPart()}`;
    return this.memoized(key, path, { kind: 'arrive', at, hops }, trail);
  }

  /**
   * A copy routed by a router, arriving at another router by its interface on an external network,
   * addressed to one of that interface's own addresses (its gateway address or a floating IP), where
   * that router can only deliver it locally or into its own subnets (`terminal`). What follows is the
   * crossing of an external network through a floating IP or to a gateway: never an exit to the
   * outside world, never a second router.
   */
  private acrossExternal(at: Port, path: Path): boolean {
    const { eth_src: src, ip_dst: dst } = path.packet;
    if (typeof src !== 'number' || !this.routerMacs.has(src) || typeof dst !== 'number') return false;
    const k = `${at.host}/${at.device}/${at.port}`;
    if (!this.externalIfaces.has(k)) return false;
    const ref = this.index.device(at.host, at.device);
    const ns = ref?.kind === 'ns' ? ref.ns : undefined;
    const iface = ns?.interfaces.find((i) => i.name === at.port);
    if (!ns || !iface || !iface.addresses.some((a) => ipToNum(a.ip) === dst)) return false;
    let t = this.terminals.get(k);
    if (t === undefined) this.terminals.set(k, (t = this.tracked(`T\u0000${k}`, () => this.terminal(at.host, ns, iface))));
    else this.reused(`T\u0000${k}`);
    return t;
  }

  /**
   * With `stopAt` (diff-crossing.ts): whether a copy that entered a router by its interface on an
   * external network, whatever sent it (the outside world, or another router's copy the upstream router
   * routed there by a destination in this router's subnets), is routed into one of the router's own
   * subnets, directly (no gateway, not out of an external interface) and to no other router's address
   * there — where the router may be cut at. What follows then is the router delivering it into its own
   * subnets, as `terminal` requires of a cut across an external network (by a destination anywhere in
   * the route's prefix, where `terminal` asks of the router's own addresses): the copy is cut there
   * and compared, as those are, with the other side's.
   */
  private intoOwnSubnet(at: Port, ns: Namespace, r: RouteStep): boolean {
    if (this.opts.stopAcrossExternal !== true || this.opts.stopAt === undefined) return false;
    if (!this.externalIfaces.has(`${at.host}/${at.device}/${at.port}`) || !this.opts.stopAt(at.host, at.device)) return false;
    if (r.route.via !== null || this.externalIfaces.has(`${at.host}/${ns.name}/${r.oif.name}`)) return false;
    const k = `${at.host}/${ns.name}/${r.route.dst.ip}/${r.route.dst.prefixLen}`;
    let v = this.ownSubnets.get(k);
    if (v === undefined) {
      const mine = new Set(ns.interfaces.map((i) => macToNum(i.mac)));
      v = !ownersIn(this.owners, ipToNum(r.route.dst.ip), r.route.dst.prefixLen).some((o) => this.routerMacs.has(o.mac) && !mine.has(o.mac));
      this.ownSubnets.set(k, v);
    }
    return v;
  }

  /**
   * With `stopAcrossExternal`: the router interface a router's routed copy would reach when the upstream
   * router sends it back onto its subnet to `mac` (the copy's `ip_dst` pinned), when that arrival is one
   * `acrossExternal` cuts — the same crossing of the external network, one hop later (the copy arrives
   * from the upstream router's MAC, so the arrival alone no longer shows that a router routed it); else null.
   */
  private hairpinAcross(path: Path, mac: number): Port | null {
    if (this.opts.stopAcrossExternal !== true) return null;
    const dst = path.packet.ip_dst;
    if (typeof dst !== 'number') return null;
    const at = this.externalByAddress().get(`${mac}\u0000${dst}`);
    if (at === undefined) return null;
    return this.acrossExternal(at, path) ? { ...at } : null;
  }

  /**
   * The external router interfaces by MAC and address (`mac\0ip`), the first of `externalIfaces` in
   * its order for each: built once, since `hairpinAcross` asks per address of an external subnet
   * (scanning every external interface per address grew as routers times addresses).
   */
  private externalByAddress(): ReadonlyMap<string, Port> {
    if (this.externalByAddr !== null) return this.externalByAddr;
    const m = new Map<string, Port>();
    for (const k of this.externalIfaces) {
      const [host, device, port] = k.split('/') as [string, string, string];
      const ref = this.index.device(host, device);
      const iface = ref?.kind === 'ns' ? ref.ns.interfaces.find((i) => i.name === port) : undefined;
      if (!iface) continue;
      const mac = macToNum(iface.mac);
      for (const a of iface.addresses) {
        const key = `${mac}\u0000${ipToNum(a.ip)}`;
        if (!m.has(key)) m.set(key, { host, device, port });
      }
    }
    return (this.externalByAddr = m);
  }

  /**
   * Whether a router, for any IPv4 packet arriving on `iface` addressed to one of its addresses there,
   * only delivers it locally, drops it, or routes it (after its own DNAT) straight to a station on one
   * of its internal subnets where no other router has an address: never out of an external interface,
   * never via a gateway, never to another router. Decided on its symbolic treatment of such a packet
   * (structurally: a routed branch counts even when its condition is unsatisfiable, so the answer errs
   * towards following the copy).
   */
  private terminal(host: string, ns: Namespace, iface: Namespace['interfaces'][number]): boolean {
    const e = this.e;
    const p = this.symbolic('t', null);
    this.visit(host, ns.name);
    const mine = new Set(ns.interfaces.map((i) => macToNum(i.mac)));
    // One address at a time, so the routing decision folds for it (and for what a DNAT makes of it).
    for (const a of iface.addresses) {
      const dst = ipToNum(a.ip);
      const start = assume({ pc: [], packet: p }, e.and(e.eq(p.eth_dst, macToNum(iface.mac), 48), e.eq(p.eth_type, ETH_TYPE.ipv4, 16), e.eq(p.ip_dst, dst, 32)),
        [{ field: 'eth_dst', value: macToNum(iface.mac) }, { field: 'eth_type', value: ETH_TYPE.ipv4 }, { field: 'ip_dst', value: dst }]);
      if (!start) continue;
      for (const s of symNamespace(this, host, ns, iface.name, start)) {
        if (s.kind === 'unknown' || s.kind === 'emit') return false;
        if (s.kind !== 'route') continue;
        if (s.route.via !== null || this.externalIfaces.has(`${host}/${ns.name}/${s.oif.name}`)) return false;
        const others = ownersIn(this.owners, ipToNum(s.route.dst.ip), s.route.dst.prefixLen).filter((o) => this.routerMacs.has(o.mac) && !mine.has(o.mac));
        if (others.length > 0) return false;
      }
    }
    return true;
  }

  /**
   * A routed copy leaving a namespace: its next hop resolved and every resulting copy walked on, once
   * per packet state (kept like `arrive`'s, relative to the routing decision).
   */
  private route(at: Port, ns: Namespace, r: RouteStep, hops: number, trail: Trail): End[] {
    if (this.hunt !== null) return this.walkSteps(at, toNextHop(this, at.host, ns, r.oif, r.route, r.path), hops - 1, trail);
    if (this.intoOwnSubnet(at, ns, r)) {
      return [cutEnd(`${at.host}/${at.device}:${at.port}: routed from an external network into the router's own subnet (not followed)`, r.path, { host: at.host, device: at.device, inPort: at.port })];
    }
    const key = `R\u0000${at.host}\u0000${at.device}\u0000${r.oif.name}\u0000${r.route.dst.ip}/${r.route.dst.prefixLen}\u0000${r.route.via}\u0000${hops}\u0000${pathKey(r.path)}${this.memoPart()}`;
    return this.memoized(key, r.path, { kind: 'route', at, ns, r, hops }, trail);
  }

  /**
   * Whether a copy a router sends out of its interface on an external network (`from`) can only end
   * untold, so that a walk keeping only telling ends (`onlyTelling`) need not follow it (untold.ts):
   * decided once per `crossingKey` by a walk of the copy with every other header field symbolic, no
   * open connection and no trail, which must list no telling end and enter no place with netfilter.
   * Only for walks that cut at other routers (`stopAcrossExternal`, where such copies end soon) and
   * neither compare cut ends (`stopAt`) nor watch devices (`marks`): those want every copy walked.
   */
  private untold(from: Port, path: Path, hops: number): boolean {
    if (this.opts.onlyTelling !== true || this.opts.untoldCrossings === false || this.opts.stopAcrossExternal !== true || this.opts.stopAt !== undefined || this.opts.marks !== undefined || this.hunt !== null) return false;
    if (!this.externalIfaces.has(`${from.host}/${from.device}/${from.port}`)) return false;
    const key = crossingKey(from, hops, path.packet);
    if (key === null) return false;
    let quiet = this.untoldCrossings.get(key);
    if (quiet === undefined) {
      const p = path.packet;
      const alike = alikeExitsSwitch.on ? this.alikeExit(from, hops, p) : null;
      const rep = alike === null ? undefined : this.alikeQuiet.get(alike.cls);
      if (alike !== null && rep !== undefined && shareable(rep, alike.exit, p.eth_dst as number, p.ip_dst as number)) {
        quiet = true;
        this.alikeShared++;
        alikeExitsSwitch.shared++;
      } else {
        const vlan = typeof p.vlan === 'number' ? p.vlan : null;
        const start: Path = { pc: [], packet: { ...this.symbolic('untold', vlan), eth_src: p.eth_src, eth_dst: p.eth_dst, vlan: p.vlan, tun_id: p.tun_id, eth_type: p.eth_type, ip_dst: p.ip_dst } };
        // The places it enters are its own (not the walk under way's: what it decides holds behind any trail).
        const places = new Set<string>();
        this.entering.push(places);
        let ends: End[];
        try {
          ends = this.bounded(start, `out of ${from.host}/${from.device}:${from.port}`, () => this.leaveFrom(from, start, hops, null));
        } finally {
          this.entering.pop();
        }
        quiet = ends.every((x) => !telling(x)) && [...places].every((pl) => stateless(this.index, pl));
        if (quiet && alike !== null && rep === undefined && [...places].every((pl) => this.placeBlind(pl))) this.alikeQuiet.set(alike.cls, alike.exit);
      }
      this.untoldCrossings.set(key, quiet);
    }
    if (quiet) this.untoldCopies++;
    return quiet;
  }

  /**
   * With `cutOnce`: what the memo keys of a split's own part add, so that its ends (every crossing
   * walked, as the other side's walker walks them) and those of the part before any split (crossings
   * given their cuts) are never reused for each other: the two sides' cut ends must stay term for term
   * alike within a split, where diff compares them (diff-crossing.ts `crossingAgrees`).
   */
  private memoPart(): string {
    return this.opts.cutOnce === true && this.inSplit > 0 ? '\u0000split' : '';
  }

  /**
   * With `cutOnce` (cut-crossings.ts): the cuts a copy leaving a router by its interface on an external
   * network can only end in, decided once per `crossingKey` by a walk of the copy with every other
   * header field symbolic, no connection and no trail, which must list only cut ends and ends that tell
   * nothing, enter no place with netfilter and visit nothing marked; null when it is not such a copy
   * (then it is walked). What the deciding walk visits is not the walk under way's.
   */
  private cutOnlyCrossing(from: Port, path: Path, hops: number): CutCrossing | null {
    const o = this.opts;
    if (o.cutOnce !== true || o.split === undefined || o.stopAt === undefined || o.stopAcrossExternal !== true || o.onlyTelling !== true || this.inSplit > 0 || this.hunt !== null) return null;
    if (!this.externalIfaces.has(`${from.host}/${from.device}/${from.port}`)) return null;
    const key = crossingKey(from, hops, path.packet);
    if (key === null) return null;
    const known = this.cutOnly.get(key);
    if (known !== undefined) return known;
    const p = path.packet;
    // Decided for an alike exit already: this exit's copy is the image of that one's (alike-exits.ts),
    // cut at the same router.
    const alike = alikeExitsSwitch.on ? this.alikeExit(from, hops, p) : null;
    const rep = alike === null ? undefined : this.alikeCut.get(alike.cls);
    if (alike !== null && rep !== undefined && shareable(rep.exit, alike.exit, p.eth_dst as number, p.ip_dst as number)) {
      this.cutOnly.set(key, rep.cut);
      return rep.cut;
    }
    const vlan = typeof p.vlan === 'number' ? p.vlan : null;
    const start: Path = { pc: [], packet: { ...this.symbolic('cut', vlan), eth_src: p.eth_src, eth_dst: p.eth_dst, vlan: p.vlan, tun_id: p.tun_id, eth_type: p.eth_type, ip_dst: p.ip_dst } };
    const places = new Set<string>();
    this.entering.push(places);
    const [touched, splitTouched] = [this.touchedNow, this.splitTouchedNow];
    this.touchedNow = false;
    this.splitTouchedNow = false;
    let ends: End[];
    let visited: boolean;
    try {
      ends = this.bounded(start, `out of ${from.host}/${from.device}:${from.port}`, () => watchingChains(this.chainWatch, () => this.leaveFrom(from, start, hops, null)));
      visited = this.touchedNow || this.splitTouchedNow;
    } finally {
      this.entering.pop();
      this.touchedNow = touched;
      this.splitTouchedNow = splitTouched;
    }
    const cuts = new Map<string, { where: string; at: EndSite }>();
    let only = !visited && [...places].every((pl) => stateless(this.index, pl));
    for (const x of ends) {
      if (!only) break;
      if (x.side !== undefined) only = false;
      else if (x.kind === 'cut' && x.at !== undefined && o.stopAt(x.at.host, x.at.device)) cuts.set(`${x.at.host}/${x.at.device}:${x.at.inPort}\u0000${x.where}`, { where: x.where, at: x.at });
      else if (x.kind === 'cut' || telling(x)) only = false;
    }
    const decided = only && cuts.size > 0 ? { cuts: [...cuts.values()] } : null;
    if (decided !== null && alike !== null && rep === undefined && [...places].every((pl) => this.placeBlind(pl))) this.alikeCut.set(alike.cls, { exit: alike.exit, cut: decided });
    this.cutOnly.set(key, decided);
    return decided;
  }

  /**
   * A router exit's class for a copy (alike-exits.ts): its gateway port an internal port of an OVS
   * bridge that no flow names, the port's shape, and the copy's key but for the exit and source; null
   * when the exit is none such or the source no router's MAC.
   */
  private alikeExit(from: Port, hops: number, p: SymPacket): { readonly cls: string; readonly exit: AlikeExit } | null {
    if (typeof p.eth_src !== 'number' || !this.routerMacs.has(p.eth_src)) return null;
    const exit = this.unnamedInternalPeer(from);
    if (exit === null) return null;
    const ns = this.index.device(from.host, from.device);
    const iface = ns?.kind === 'ns' ? ns.ns.interfaces.find((i) => i.name === from.port) : undefined;
    if (iface === undefined) return null;
    return {
      cls: [exit.host, portShape(exit.bridge, exit.port), hops, p.eth_dst, p.vlan, p.tun_id, p.eth_type, p.ip_dst].join('\u0000'),
      exit: { mac: p.eth_src, addrs: iface.addresses.map((a) => ipToNum(a.ip)) },
    };
  }

  /**
   * The OVS port `from` (a namespace's interface) is plugged into, when it is an internal port that no
   * flow of its bridge names (own or learned; remembered per port): what alike router exits and their
   * shared surveys rest on. Null otherwise.
   */
  private unnamedInternalPeer(from: Port): { readonly host: string; readonly bridge: OvsBridge; readonly port: OvsPort } | null {
    const peer = this.index.peer(from.host, from.device, from.port);
    const dev = peer === null ? null : this.index.device(peer.host, peer.device);
    if (peer === null || dev === null || dev.kind !== 'ovs') return null;
    const port = portByName(dev.bridge, peer.port);
    if (port === undefined || port.type !== 'internal') return null;
    const pk = `${peer.host}\u0000${dev.bridge.name}\u0000${port.name}`;
    let free = this.unnamedPorts.get(pk);
    if (free === undefined) this.unnamedPorts.set(pk, (free = unnamed(this.flowsOf(peer.host, dev.bridge.name, dev.bridge.flows), port)));
    return free ? { host: peer.host, bridge: dev.bridge, port } : null;
  }

  /** A bridge's own flows and those it learned. */
  private flowsOf(host: string, bridge: string, own: readonly Flow[]): readonly Flow[] {
    const learned = this.learnedOf(host, bridge);
    return learned.length === 0 ? own : [...own, ...learned];
  }

  /** A place (loop.ts `visitPlace`) that reads no source MAC: anything but an OVS bridge whose flows may (`stateless` places only are asked about). */
  private placeBlind(place: string): boolean {
    const a = place.indexOf('|');
    const b = place.indexOf('|', a + 1);
    if (a < 0 || b < 0) return false;
    const host = place.slice(0, a);
    const device = place.slice(a + 1, b);
    const dev = host === 'outside' ? null : this.index.device(host, device);
    if (dev === null || dev.kind !== 'ovs') return true;
    const k = `${host}\u0000${device}`;
    let blind = this.blindBridges.get(k);
    if (blind === undefined) this.blindBridges.set(k, (blind = sourceBlind(this.flowsOf(host, device, dev.bridge.flows))));
    return blind;
  }

  /**
   * Whether the walk keeps telling ends only and decides crossings untold (`untold`'s conditions, and
   * no split): where a split per external address may pass over the addresses that tell nothing.
   */
  private quietScope(): boolean {
    const o = this.opts;
    return quietSplitsSwitch.on && o.onlyTelling === true && o.untoldCrossings !== false && o.stopAcrossExternal === true && o.stopAt === undefined && o.marks === undefined && o.split === undefined && this.hunt === null;
  }

  /**
   * A routed copy (`path`, with an empty condition) sent to its next hop and walked on; `hops`: the
   * visits up to the router. A connected route's split of a copy with a symbolic destination out of an
   * external interface is kept per group (quiet-splits.ts): the group's first split is made whole and
   * shows which addresses' copies were untold; later ones branch on the others only, and count the
   * `no-arp` branch they leave out as the whole split's walk does.
   */
  private nextHop(at: Port, ns: Namespace, r: RouteStep, path: Path, hops: number, trail: Trail | null): End[] {
    const from: Port = { host: at.host, device: at.device, port: r.oif.name };
    const ethType = path.packet.eth_type;
    const group = this.quietScope() && r.route.via === null && typeof path.packet.ip_dst !== 'number' && typeof ethType === 'number' && this.externalIfaces.has(`${from.host}/${from.device}/${from.port}`)
      ? nextHopGroup(from, `${r.route.dst.ip}/${r.route.dst.prefixLen}`, hops, ethType)
      : null;
    const known = group === null ? undefined : this.quietSplits.get(group);
    if (known !== undefined) {
      quietSplitsSwitch.reused++;
      this.spend(1);
      this.untoldCopies += known.untold;
      return this.walkSteps(at, toNextHop(this, at.host, ns, r.oif, r.route, path, known.follow), hops - 1, trail);
    }
    const steps = toNextHop(this, at.host, ns, r.oif, r.route, path);
    const ends = this.walkSteps(at, steps, hops - 1, trail);
    if (group === null) return ends;
    const follow: number[] = [];
    let untold = 0;
    for (const s of steps) {
      if (s.kind === 'emit') {
        const k = crossingKey(from, hops, s.path.packet);
        if (k !== null && this.untoldCrossings.get(k) === true) {
          untold++;
          continue;
        }
      } else if (s.kind !== 'unknown') continue; // the no-arp branch
      const dst = s.path.packet.ip_dst;
      if (typeof dst !== 'number') return ends; // not an address's branch: no group kept
      follow.push(dst);
    }
    this.quietSplits.set(group, { follow, untold });
    return ends;
  }

  /** While resolving ARP: whether the answer has been found (the rest of the walk is skipped). */
  private stopped(): boolean {
    return this.hunt !== null && this.hunt.answered;
  }

  /** A device's steps walked on in order: copies left through their ports, ends kept. */
  private walkSteps(at: Port, steps: readonly Step[], hops: number, trail: Trail | null): End[] {
    const out: End[] = [];
    // Copies given their cuts unwalked (`cutOnlyCrossing`): one end for all, where the first was.
    let given: { readonly index: number; readonly path: Path; readonly sites: Map<string, EndSite> } | null = null;
    for (const s of steps) {
      if (this.stopped()) break;
      if (s.kind === 'emit') {
        const from = { host: at.host, device: at.device, port: s.port };
        if (this.untold(from, s.path, hops + 1)) continue;
        const cut = this.cutOnlyCrossing(from, s.path, hops + 1);
        if (cut === null) append(out, this.leaveFrom(from, s.path, hops + 1, trail));
        else {
          if (given === null) given = { index: out.length, path: s.path, sites: new Map() };
          for (const c of cut.cuts) given.sites.set(`${c.at.host}/${c.at.device}:${c.at.inPort}`, c.at);
          cutCrossings.given++;
        }
      } else {
        out.push(s);
        this.spend(1);
        if (this.hunt !== null && this.answersHunt(s)) this.hunt.answered = true;
      }
    }
    if (given !== null) {
      const [first, ...rest] = [...given.sites.values()];
      out.splice(given.index, 0, cutEnd(`${at.host}/${at.device}: copies routed across an external network to ${given.sites.size} other routers' own addresses, each cut there (not followed)`, given.path, first!, rest));
      this.spend(1);
    }
    return out;
  }

  /**
   * The ends of `what` for `path` with an empty condition, behind `trail`, kept per `key` and what the
   * trail says at the places the walk entered (`MemoVariant`), handed on behind `path`'s condition.
   */
  private memoized(key: string, path: Path, what: Memoized, trail: Trail | null): End[] {
    const variants = this.memo.get(key);
    let hit = variants?.find((v) => v.projection === trailProjection(trail, v.places));
    if (hit === undefined) {
      const base: Path = path.conns === undefined ? { pc: [], packet: path.packet } : { pc: [], packet: path.packet, conns: path.conns };
      const places = new Set<string>();
      this.entering.push(places);
      let made: { readonly value: End[]; readonly touched: boolean };
      const outerSplit = this.splitTouchedNow;
      this.splitTouchedNow = false;
      let splitTouched = false;
      try {
        made = this.touching(() => {
          if (what.kind === 'arrive') return this.arriveFresh(what.at, base, what.hops, trail);
          this.visit(what.at.host, what.at.device);
          return this.nextHop(what.at, what.ns, what.r, base, what.hops, trail);
        });
      } finally {
        this.entering.pop();
        splitTouched = this.splitTouchedNow;
        this.splitTouchedNow = outerSplit || splitTouched;
      }
      let rel = made.value;
      // Cut ends are kept where the cut is chosen (`stopAt`): the question compares them.
      if (this.opts.onlyTelling === true) rel = rel.filter((x) => telling(x) || (x.kind === 'cut' && this.opts.stopAt !== undefined));
      hit = { places, projection: trailProjection(trail, places), rel, touched: made.touched, splitTouched, own: this.opts.split === undefined ? rel.length : rel.filter((x) => x.side !== 'other').length };
      // A bounded memo: past its budget it starts over (the ends it held are recomputed on demand).
      const weight = rel.length + 1;
      this.memoWeight += weight;
      if (this.memoWeight > MEMO_BUDGET) {
        this.memo.clear();
        this.memoWeight = weight;
      }
      const list = this.memo.get(key);
      if (list) list.push(hit);
      else this.memo.set(key, [hit]);
    }
    // The walk under way entered these places too, through this one (and what they are, the marks say).
    for (const p of hit.places) this.enter(p);
    if (hit.touched) this.touchedNow = true;
    if (hit.splitTouched) this.splitTouchedNow = true;
    const rel = hit.rel;
    this.spend(hit.own);
    if (path.pc.length === 0) return rel;
    const out: End[] = [];
    for (const end of rel) out.push({ ...end, path: { ...end.path, pc: [...path.pc, ...end.path.pc] } });
    return out;
  }

  /**
   * Runs `make` (the making of what is kept under `key`) and notes whether it visited a marked device
   * or chain; the walk it is part of has then visited one too.
   */
  private tracked<T>(key: string, make: () => T): T {
    if (this.opts.marks === undefined) return make();
    // A reuse while it is being made (a request that comes back to itself) counts as touched: what it gives then depends on the order of the walk.
    this.reuseTouched.set(key, true);
    const made = this.touching(make);
    this.reuseTouched.set(key, made.touched);
    return made.value;
  }

  /** What is kept under `key` is reused: the walk visits what its making visited. */
  private reused(key: string): void {
    if (this.opts.marks !== undefined && this.reuseTouched.get(key) !== false) this.touchedNow = true;
  }

  /** A chain a traversal entered (netfilter/watch.ts): noted when it is marked. */
  private readonly chainWatch = (chain: NfChain): void => {
    if (this.opts.marks?.hasChain(chain) === true) this.touchedNow = true;
  };

  /** A device visit: noted when the device is marked. */
  private visit(host: string, device: string): void {
    if (this.opts.marks?.has(host, device) === true) this.touchedNow = true;
    // A Linux bridge's br_netfilter runs its host's root namespace's iptables.
    if (this.opts.marks !== undefined && this.index.device(host, device)?.kind === 'lb' && this.opts.marks.has(host, 'root')) this.touchedNow = true;
  }

  /**
   * `walk`'s result and whether it visited a marked device or chain (`marks`), directly or through
   * what it reused; the walk it is part of has then visited one too. Without marks: never.
   */
  touching<T>(walk: () => T): { readonly value: T; readonly touched: boolean } {
    if (this.opts.marks === undefined) return { value: walk(), touched: false };
    const outer = this.touchedNow;
    this.touchedNow = false;
    try {
      const value = watchingChains(this.chainWatch, walk);
      return { value, touched: this.touchedNow };
    } finally {
      this.touchedNow = outer || this.touchedNow;
    }
  }

  /**
   * `touching`, and with `split` also whether the walk visited a marked device or chain on this
   * side of a split (which `touched` leaves out).
   */
  splitting<T>(walk: () => T): { readonly value: T; readonly touched: boolean; readonly splitTouched: boolean } {
    const outer = this.splitTouchedNow;
    this.splitTouchedNow = false;
    try {
      const r = this.touching(walk);
      return { ...r, splitTouched: this.splitTouchedNow };
    } finally {
      this.splitTouchedNow = outer || this.splitTouchedNow;
    }
  }

  private arriveFresh(at: Port, path: Path, hops: number, trail: Trail | null): End[] {
    if (hops >= this.maxHops) return [unknownEnd(`path longer than ${this.maxHops} devices at ${at.host}/${at.device}`, path)];
    this.visit(at.host, at.device);
    const { place, looped, on } = this.loopCheck(at.host, at.device, at.port, path, trail);
    const out: End[] = looped ? [looped] : [];
    if (!on) return out;
    const here = extendTrail(trail, place, on.packet);
    const dev = this.index.device(at.host, at.device);
    if (dev === null) {
      out.push(ended('dropped', on, `${at.host}/${at.device}: nothing attached`));
      return out;
    }
    if (dev.kind === 'ns') {
      const routes: RouteStep[] = [];
      const steps: Step[] = [];
      // A survey notes where a namespace heard it (walk-surveys.ts).
      const outer = this.hearing;
      this.hearing = this.surveying ? { host: at.host, ns: dev.ns, iface: at.port } : null;
      let made: ReturnType<typeof symNamespace>;
      try {
        made = symNamespace(this, at.host, dev.ns, at.port, on);
      } finally {
        this.hearing = outer;
      }
      for (const s of made) {
        if (s.kind === 'route') routes.push(s);
        else steps.push(s);
      }
      // Routed copies of one route in the same state (the netfilter chains split a packet into
      // branches that mostly come out alike) go on as one: walked apart, each would hand on the whole
      // of what follows, and a loop between routers doubled its ends at every round.
      const merged = mergeBy(this.e, routes, (r) => `${r.oif.name}|${r.route.dst.ip}/${r.route.dst.prefixLen}|${r.route.via}`, (r) => r.path, (r, p) => ({ ...r, path: p }));
      for (const r of merged) append(out, this.route(at, dev.ns, r, hops + 1, here));
      append(out, this.walkSteps(at, mergeSteps(this.e, steps), hops, here));
      return out;
    }
    // Copies that leave by the same port in the same state go on as one (merge.ts).
    append(out, this.walkSteps(at, mergeSteps(this.e, this.layer2Steps(at, dev, on)), hops, here));
    return out;
  }

  /**
   * What one bridge or VM does with a packet entering it by `at`: its ends there, and the copies it
   * emits (not followed). For questions about one device, such as a port's own firewall; null for a
   * namespace (its routed copies need the walk) or nothing attached.
   */
  deviceSteps(at: Port, path: Path): Step[] | null {
    this.visit(at.host, at.device);
    const dev = this.index.device(at.host, at.device);
    return dev === null || dev.kind === 'ns' ? null : mergeSteps(this.e, this.layer2Steps(at, dev, path));
  }

  private layer2Steps(at: Port, dev: Exclude<NonNullable<ReturnType<TopologyIndex['device']>>, { kind: 'ns' }>, path: Path): Step[] {
    switch (dev.kind) {
      case 'ovs':
        return symRunBridge(this.e, { host: at.host, bridge: dev.bridge, tables: this.tablesOf(at.host, dev.bridge.name), fdb: this.fdbOf(at.host, dev.bridge.name) }, at.port, path);
      case 'lb':
        return symLinuxBridge(this, at.host, dev.bridge, at.port, path);
      case 'vm':
        return this.vm(at, dev.vm, path);
      default: {
        const never: never = dev;
        throw new Error(`unknown device ${JSON.stringify(never)}`);
      }
    }
  }

  /** A copy leaving through `from` (a walk of its own): to the link peer, the tunnel peer, or the physical wire. */
  leave(from: Port, path: Path, hops: number): End[] {
    return this.bounded(path, `out of ${from.host}/${from.device}:${from.port}`, () => this.leaveFrom(from, path, hops, null));
  }

  /**
   * A copy leaving through `from` behind `trail`. The underlay and a physical wire are places of their
   * own, as the evaluator's walk visits them (a copy entering one again with the same headers loops there).
   */
  private leaveFrom(from: Port, path: Path, hops: number, trail: Trail | null): End[] {
    const peer = this.index.peer(from.host, from.device, from.port);
    if (peer) return this.arrive(peer, path, hops, trail);
    const bridge = this.index.host(from.host)?.ovsBridges.find((b) => b.name === from.device);
    const port = bridge === undefined ? undefined : portByName(bridge, from.port);
    if (port && isTunnelPort(port)) {
      const { place, looped, on } = this.loopCheck(from.host, 'underlay', port.name, path, trail);
      const out: End[] = looped ? [looped] : [];
      if (!on) return out;
      const blocked = this.index.tunnelBlocked(from.host, port);
      const t = blocked === null ? this.index.tunnelPeer(from.host, port) : null;
      if (t) append(out, this.arrive(t, on, hops, extendTrail(trail, place, on.packet)));
      else out.push(ended('dropped', on, `${from.host}/${from.device}:${from.port}: ${blocked ?? 'no tunnel peer'}`));
      return out;
    }
    const wire = this.index.wireOf(from.host, from.device, from.port);
    if (!wire) return [ended('dropped', path, `${from.host}/${from.device}:${from.port}: nothing attached`)];
    const { place, looped, on } = this.loopCheck(from.host, `physnet:${wire.physnet}`, wireEntry(from, null), path, trail);
    const out: End[] = looped ? [looped] : [];
    if (!on) return out;
    this.ontoWire(wire, from, null, on, hops, extendTrail(trail, place, on.packet), out);
    return out;
  }

  /**
   * A frame on a physical wire, entered from `from` (a bridge port; null for the outside world): to every
   * bridge port on the wire and every upstream router there but `skipNetwork`'s (the sender's own), each a
   * walk of its own; their ends appended to `out`.
   */
  private ontoWire(wire: Wire, from: Port | null, skipNetwork: string | null, on: Path, hops: number, here: Trail, out: End[]): void {
    for (const m of this.index.wireTargets(wire, from)) {
      if (this.stopped()) return;
      append(out, this.arrive(m, on, hops, here));
    }
    for (const o of this.index.upstreamRouters(wire.physnet)) {
      if (o.network === skipNetwork) continue;
      if (this.stopped()) return;
      const ends = this.outside(o, on, hops, here);
      append(out, ends);
      if (this.hunt !== null && ends.some((x) => this.answersHunt(x))) this.hunt.answered = true;
    }
  }

  /**
   * A frame the outside world sends onto its network's physical wire (an outside station's packet,
   * its ARP request, a copy its upstream router sends back, hairpin): the wire is a place entered from
   * the outside world, as the evaluator's walk visits it; the frame reaches every bridge port on it and
   * every other network's upstream router there (they take it or not by VLAN and MAC).
   */
  private fromUpstream(u: { readonly network: string; readonly physnet: string }, path: Path, hops: number, trail: Trail | null): End[] {
    const wire = this.index.wireOfPhysnet(u.physnet);
    if (!wire) return [ended('dropped', path, `outside:${u.network}: no wire for physnet ${u.physnet}`)];
    const { place, looped, on } = this.loopCheck('outside', `physnet:${wire.physnet}`, wireEntry(null, u.network), path, trail);
    const out: End[] = looped ? [looped] : [];
    if (!on) return out;
    this.ontoWire(wire, null, u.network, on, hops, extendTrail(trail, place, on.packet), out);
    return out;
  }

  /** The upstream router receiving a frame, as src/semantics/upstream.ts decides (the evaluator's receiveOutside decides by it too). */
  private outside(o: UpstreamRouter, path0: Path, hops: number, trail: Trail | null): End[] {
    const e = this.e;
    const where = `outside:${o.network}`;
    const { place, looped, on: path } = this.loopCheck('outside', o.network, `physnet:${o.physnet}`, path0, trail);
    const out: End[] = looped ? [looped] : [];
    if (!path) return out;
    const pk = path.packet;
    if ((pk.vlan === null) !== (o.vlan === null)) return [...out, ended('dropped', path, `${where}: other VLAN`)];
    const vlanOk = pk.vlan === null || o.vlan === null ? true : e.eq(pk.vlan, o.vlan, 12);
    const mac = macToNum(o.mac);
    const gws = o.gateways.map(ipToNum);
    const external = { kind: 'external', network: o.network } as const;
    if (this.surveying && e.and(vlanOk, isArp(e, pk), e.eq(pk.proto, 1, 8)) === true) this.arpHeard(gws, mac);
    const here = extendTrail(trail, place, pk);
    for (const b of upstreamReceives(encLogic(e), o, pk)) {
      const p = assume(path, e.and(vlanOk, b.when));
      if (!p) continue;
      const a = b.then;
      switch (a.kind) {
        case 'arp-reply': out.push(ended('delivered', p, `${where}: ARP reply`, external, mac)); break;
        case 'broadcast': out.push(ended('delivered', p, `${where}: broadcast to the upstream router`, external)); break;
        case 'own': out.push(ended('delivered', p, `${where}: the upstream router`, external)); break;
        case 'exited': out.push(ended('exited', p, where, external)); break;
        case 'not-for-it': out.push(ended('dropped', p, `${where}: not for the upstream router`)); break;
        case 'hairpin': append(out, this.hairpin(o, a.station, p, hops, here)); break;
        default: {
          const never: never = a;
          throw new Error(`unknown upstream action ${JSON.stringify(never)}`);
        }
      }
    }
    const vlanOff = assume(path, e.not(vlanOk));
    if (vlanOff) out.push(ended('dropped', vlanOff, `${where}: other VLAN`));
    return out;
  }

  /**
   * A packet the upstream router sends back onto `st`'s subnet (src/semantics/upstream.ts): one
   * branch per address there that answers the router's ARP request, sent from its MAC to the answer;
   * the rest `no-arp`, as a router namespace's connected route (namespace.ts toNextHop).
   */
  private hairpin(u: UpstreamRouter, st: UpstreamRouter['stations'][number], path: Path, hops: number, trail: Trail): End[] {
    const e = this.e;
    const where = `outside:${u.network}`;
    const [first, last] = hostRange(st.cidr);
    const own = new Set(u.gateways.map(ipToNum));
    const out: End[] = [];
    const answered: Cond[] = [];
    const seen = new Set<number>();
    // With a symbolic destination, the split is kept per group (quiet-splits.ts): after the group's
    // first, only the addresses whose branch was not cut are branched on, and no `no-arp` branch.
    const src = path.packet.eth_src;
    const group = this.quietScope() && typeof path.packet.ip_dst !== 'number'
      ? hairpinGroup(u.network, `${st.network}|${st.cidr.ip}/${st.cidr.prefixLen}|${st.mac}|${st.gateway}|${st.vlan}`, typeof src === 'number' && this.routerMacs.has(src))
      : null;
    const known = group === null ? undefined : this.quietSplits.get(group);
    if (known !== undefined) quietSplitsSwitch.reused++;
    const follow: number[] = [];
    for (const ip of known?.follow ?? ownersIn(this.owners, ipToNum(st.cidr.ip), st.cidr.prefixLen).map((o) => o.ip)) {
      if (seen.has(ip) || own.has(ip) || ip < first || ip > last) continue;
      seen.add(ip);
      const hit = e.eq(path.packet.ip_dst, ip, 32);
      const p = assume(path, hit, [{ field: 'ip_dst', value: ip }]);
      if (!p) continue;
      const m = this.arp({ outside: st }, macToNum(st.mac), ipToNum(st.gateway), st.vlan, ip);
      if (m === null) continue;
      answered.push(hit);
      const across = typeof m === 'number' ? this.hairpinAcross(p, m) : null;
      if (across === null) follow.push(ip);
      if (typeof m === 'object') out.push(unknownEnd(`${where}: ARP for ${formatIpv4(ip)}: ${m.unknown}`, p));
      else if (across !== null) out.push(cutEnd(`${across.host}/${across.device}:${across.port}: routed across an external network to another router's own address, sent back onto the subnet by the upstream router of ${u.network} (not followed)`, p));
      else append(out, this.fromUpstream(u, withPacket(p, { ...p.packet, eth_src: macToNum(u.mac), eth_dst: m, vlan: u.vlan }), hops, trail));
    }
    if (known !== undefined) return out;
    if (group !== null) this.quietSplits.set(group, { follow, untold: 0 });
    const none = assume(path, e.and(...answered.map((c) => e.not(c))));
    if (none) out.push(ended('no-arp', none, `${where}: no ARP answer on ${st.cidr.ip}/${st.cidr.prefixLen}`));
    return out;
  }

  private vm(at: Port, vm: string, path: Path): Step[] {
    const e = this.e;
    const s = this.index.vmStation(vm, Number(at.port));
    const where = `${at.host}/vm:${vm}:${at.port}`;
    if (!s) return [ended('dropped', path, `${where}: no such port`)];
    const pk = path.packet;
    const mac = macToNum(s.mac);
    const ips = [s.ip, ...(s.vips ?? [])].map(ipToNum);
    const delivery = { kind: 'vm', vm, port: s.index, host: s.host } as const;
    const out: Step[] = [];
    // As the evaluator's receiveAtVm: an untagged frame to the VM's MAC or broadcast; an ARP request
    // is answered for its own address and the VIPs it holds only; anything else is delivered.
    if (pk.vlan !== null) return [ended('dropped', path, `${where}: tagged frame`)];
    const addressed = e.or(e.eq(pk.eth_dst, mac, 48), e.eq(pk.eth_dst, BROADCAST, 48));
    const arpReq = e.and(isArp(e, pk), e.eq(pk.proto, 1, 8));
    if (this.surveying && e.and(addressed, arpReq) === true) this.arpHeard(ips, mac);
    const arpHit = e.and(addressed, arpReq, e.or(...ips.map((ip) => e.eq(pk.ip_dst, ip, 32))));
    const arp = assume(path, arpHit);
    if (arp) out.push(ended('delivered', arp, `${where}: ARP reply`, delivery, mac));
    const take = e.and(addressed, e.not(arpReq));
    const got = assume(path, take);
    if (got) out.push(ended('delivered', got, where, delivery));
    const rest = assume(path, e.and(e.not(arpHit), e.not(take)));
    if (rest) out.push(ended('dropped', rest, `${where}: not for this VM`));
    return out;
  }
}
