// The walk: follows every copy of a packet from device to device until each copy is delivered,
// exits, is dropped or loops, and turns the copies into one Trace (the copy that gets somewhere is
// the main path, the others are branches).
// Guarantees: visiting the same (host, device, in-port, packet) twice on one path is a `loop`
// (src/semantics/loop.ts, as the solver's walk);
// the number of copies followed (leaves) and the device visits per path are capped (the solver has
// the same bound, src/semantics/limits.ts), and hitting a cap is
// recorded in `uncertain`; a copy that NORMAL/flooding did not send back out of its input port
// simply does not exist (it is no drop of the trace). A learning walk passes over the copies of a
// flood that end at once in a namespace in bulk (flood-plan.ts), keeps no outcome for them and does
// not count them against the copy limit (nor does it, followed one by one, each such copy): its
// outcomes are never read, and such a copy learns nothing.
import type { Endpoint, Wire } from '../ir/dataplane.ts';
import { UNPLUGGED } from '../ir/dataplane.ts';
import type { Ipv4, Mac, Packet } from '../ir/packet.ts';
import type { OvsPort } from '../ir/openflow.ts';
import type { Delivery, DeviceKind, Disposition, DropPoint, Hop, HopEvent, Trace, TraceStep } from './trace.ts';
import type { Copy, DropKind, FloodCopy, OutCopy, Visit } from './device.ts';
import { dropCopy, emitCopy } from './device.ts';
import { floodCopies, floodCopyTo } from './normal.ts';
import { floodPlan } from './flood-plan.ts';
import type { DeviceRef, TopologyIndex, UpstreamRouter } from '../semantics/topology-index.ts';
import { vmDevice } from '../semantics/topology-index.ts';
import type { FlowTables } from '../semantics/ovs-bridge.ts';
import { runBridge } from './openflow.ts';
import { runLinuxBridge } from './linux-bridge.ts';
import { runNamespace } from './namespace.ts';
import { receiveAtVm, receiveOutside, type UpstreamArp } from './stations.ts';
import { isTunnelPort, portByName } from '../semantics/ovs-bridge.ts';
import { MAX_DEVICE_VISITS } from '../semantics/limits.ts';
import { loopKey, loopRule, visitPlace, wireEntry } from '../semantics/loop.ts';
import type { LearningStore } from './state.ts';
import type { NfEnv } from './hooks.ts';
import { ETH_TYPE } from '../ir/packet.ts';

export interface WalkLimits {
  /** Device visits on one path before the walk gives up on it (src/semantics/limits.ts). */
  readonly maxHops: number;
  /** Copies (paths) followed per walk. */
  readonly maxLeaves: number;
  /** Branches listed in a trace (the rest are counted in a note). */
  readonly maxBranches: number;
}

export const DEFAULT_LIMITS: WalkLimits = { maxHops: MAX_DEVICE_VISITS, maxLeaves: 512, maxBranches: 32 };

export interface WalkEnv {
  readonly index: TopologyIndex;
  readonly state: LearningStore;
  /** Convergence: record MACs and run `learn` actions. */
  readonly learn: boolean;
  /** Keep no path: each copy's outcome says how it ended, its hops only the sender's (convergence, and `outcomeOnly` traces). */
  readonly pathless?: boolean;
  /** Follow every copy of a learning walk's floods one by one (the reference the bulk count is held to). */
  readonly copyByCopy?: boolean;
  tablesOf(host: string, bridge: string): FlowTables;
  readonly nf: NfEnv;
  /** ARP resolution for a namespace's next hop (a walk of its own, cached by the evaluator). */
  resolveNsArp(host: string, ns: string, iface: string, ip: Ipv4): { readonly mac: Mac | null; readonly note: string | null; readonly uncertain?: readonly string[] };
  /** ARP resolution by the upstream router on one of its subnets (the outside station's ARP walk, cached by the evaluator). */
  readonly resolveUpstreamArp: UpstreamArp;
  readonly limits: WalkLimits;
}

/** Where a copy arrives next. */
export type Arrival =
  | { readonly kind: 'device'; readonly host: string; readonly device: string; readonly inPort: string; readonly packet: Packet; readonly pre: readonly HopEvent[] }
  | { readonly kind: 'underlay'; readonly host: string; readonly bridge: string; readonly port: OvsPort; readonly packet: Packet }
  | { readonly kind: 'wire'; readonly host: string; readonly wire: Wire; readonly from: Endpoint | null; readonly fromOutside: string | null; readonly packet: Packet }
  | { readonly kind: 'outside'; readonly station: UpstreamRouter; readonly packet: Packet };

/** One followed copy, start to end. */
export interface Outcome {
  readonly disposition: Disposition;
  readonly deliveredTo: Delivery | null;
  readonly droppedAt: DropPoint | null;
  readonly final: Packet;
  readonly hops: readonly Hop[];
  readonly dropKind: DropKind | null;
  readonly arpOwner: Mac | null;
}

export interface WalkResult {
  readonly outcomes: readonly Outcome[];
  readonly uncertain: readonly string[];
}

const epKey = (e: Endpoint) => `${e.host}/${e.device}/${e.port}`;

export type Next = Arrival | { readonly kind: 'dead'; readonly rule: string };
interface Processed { readonly visit: Visit; readonly next: (c: Extract<Copy, { kind: 'emit' }>) => Next }

/** The far end of a device port: a link or patch peer, the underlay, or a physnet wire. */
function follow(env: WalkEnv, host: string, device: string, port: string, packet: Packet): Next {
  const ref = env.index.device(host, device);
  if (ref?.kind === 'ovs') {
    const p = portByName(ref.bridge, port);
    if (p && isTunnelPort(p)) return { kind: 'underlay', host, bridge: device, port: p, packet };
  }
  const peer = env.index.peer(host, device, port);
  if (peer) return { kind: 'device', host: peer.host, device: peer.device, inPort: peer.port, packet, pre: [] };
  const wire = env.index.wireOf(host, device, port);
  if (wire) return { kind: 'wire', host, wire, from: { host, device, port }, fromOutside: null, packet };
  return { kind: 'dead', rule: `${port} on ${device}: nothing attached` };
}

function process(env: WalkEnv, a: Arrival): Processed {
  switch (a.kind) {
    case 'device': return processDevice(env, a, env.index.device(a.host, a.device));
    case 'underlay': {
      const blocked = env.index.tunnelBlocked(a.host, a.port);
      const to = blocked === null ? env.index.tunnelPeer(a.host, a.port) : null;
      const events: HopEvent[] = [];
      const base = { host: a.host, device: 'underlay', deviceKind: 'underlay' as DeviceKind, inPort: a.port.name, in: a.packet, steps: [], uncertain: [] };
      if (!to) {
        const rule = blocked ?? `no host with tunnel IP ${a.port.remoteIp ?? '?'} and a ${a.port.type} port back to ${a.host}`;
        return { visit: { ...base, events, copies: [dropCopy(a.packet, { host: a.host, device: 'underlay', rule, origin: null }, 'default')] }, next: () => ({ kind: 'dead', rule }) };
      }
      // The tunnel carries the frame untagged, with its key in the tunnel metadata.
      if (a.packet.vlan !== null) events.push({ kind: 'note', text: `VLAN ${a.packet.vlan} not carried over the tunnel` });
      const out: Packet = { ...a.packet, vlan: null };
      const tunId = out.tun_id ?? 0;
      return {
        visit: { ...base, events, copies: [emitCopy(epKey(to), out)] },
        next: (c) => ({ kind: 'device', host: to.host, device: to.device, inPort: to.port, packet: c.packet, pre: [{ kind: 'tunnel-decap', tunId, port: to.port }] }),
      };
    }
    case 'wire': {
      const members = env.index.wireTargets(a.wire, a.from);
      const outside = env.index.upstreamRouters(a.wire.physnet).filter((s) => s.network !== a.fromOutside);
      const targets = new Map<string, Next>();
      for (const m of members) targets.set(epKey(m), { kind: 'device', host: m.host, device: m.device, inPort: m.port, packet: a.packet, pre: [] });
      for (const s of outside) targets.set(`outside:${s.network}`, { kind: 'outside', station: s, packet: a.packet });
      const copies = [...targets.keys()].map((k) => emitCopy(k, a.packet));
      const device = `physnet:${a.wire.physnet}`;
      const visit: Visit = {
        host: a.host, device, deviceKind: 'wire', inPort: wireEntry(a.from, a.fromOutside), in: a.packet,
        steps: [], events: [], uncertain: [],
        copies: copies.length > 0 ? copies : [dropCopy(a.packet, { host: a.host, device, rule: `nothing else on physnet ${a.wire.physnet}`, origin: null }, 'quiet')],
      };
      return { visit, next: (c) => targets.get(c.port) ?? { kind: 'dead', rule: `${c.port}: not on the wire` } };
    }
    case 'outside': {
      const s = a.station;
      const visit: Visit = { host: 'outside', device: s.network, deviceKind: 'outside', inPort: `physnet:${s.physnet}`, in: a.packet, steps: [], events: [], uncertain: [], copies: [receiveOutside(s, a.packet, env.resolveUpstreamArp)] };
      // A copy sent back onto its network (hairpin) enters the physical wire from the outside world.
      const wire = env.index.wireOfPhysnet(s.physnet);
      return { visit, next: (c) => (wire ? { kind: 'wire', host: 'outside', wire, from: null, fromOutside: s.network, packet: c.packet } : { kind: 'dead', rule: `no wire for physnet ${s.physnet}` }) };
    }
    default: {
      const never: never = a;
      throw new Error(`unknown arrival ${JSON.stringify(never)}`);
    }
  }
}

function processDevice(env: WalkEnv, a: Extract<Arrival, { kind: 'device' }>, ref: DeviceRef | null): Processed {
  const nextOf = (c: Extract<Copy, { kind: 'emit' }>) => follow(env, a.host, a.device, c.port, c.packet);
  // One object literal of one shape per visit (a spread of a base object cost a third of the visit).
  const visitOf = (deviceKind: DeviceKind, steps: readonly TraceStep[], events: readonly HopEvent[], uncertain: readonly string[], copies: readonly OutCopy[]): Processed => ({
    visit: { host: a.host, device: a.device, inPort: a.inPort, in: a.packet, deviceKind, steps, events: a.pre.length === 0 ? events : [...a.pre, ...events], uncertain, copies },
    next: nextOf,
  });
  if (ref === null) {
    // A VM's tap that no bridge holds (assemble.ts `(unplugged)`): its frames reach the host's own
    // stack, whose addresses, ARP and forwarding are not modelled.
    const why = a.device === UNPLUGGED ? `${a.inPort} is on no bridge of ${a.host} (neither brctl show nor ovs-vsctl show lists it): what the host's own stack does with its frames is not modelled`
      : `no device ${a.device} on ${a.host}`;
    return visitOf('ovs-bridge', [], [], [why], [dropCopy(a.packet, { host: a.host, device: a.device, rule: why, origin: null }, 'default')]);
  }
  switch (ref.kind) {
    case 'ovs': {
      const r = runBridge({ host: a.host, bridge: ref.bridge, tables: env.tablesOf(a.host, ref.bridge.name), state: env.state, learn: env.learn }, a.inPort, a.packet);
      return visitOf('ovs-bridge', r.steps, r.events, r.uncertain, r.copies);
    }
    case 'lb': {
      const root = env.index.host(a.host)?.namespaces.find((n) => n.name === 'root') ?? null;
      const r = runLinuxBridge(
        {
          host: a.host, state: env.state, learn: env.learn, nf: env.nf, rootNetfilter: root?.netfilter ?? null,
          portIdOf: (suffix) => env.index.stationByPortPrefix(suffix)?.portId ?? suffix,
        },
        ref.bridge, a.inPort, a.packet,
      );
      return visitOf('linux-bridge', r.steps, r.events, r.uncertain, r.copies);
    }
    case 'ns': {
      // Learning: a namespace's routes and addresses decide what happens here, and they are not the
      // switches' (an HA router's move with its master).
      if (env.learn) env.state.noteRead();
      const r = runNamespace(
        { host: a.host, nf: env.nf, resolveArp: (iface, ip) => env.resolveNsArp(a.host, ref.ns.name, iface, ip) },
        ref.ns, a.inPort, a.packet,
      );
      return visitOf('namespace', r.steps, r.events, r.uncertain, r.copies);
    }
    case 'vm': {
      const s = env.index.vmStation(ref.vm, Number(a.inPort));
      const copy = s
        ? receiveAtVm(s, a.device, a.packet)
        : dropCopy(a.packet, { host: a.host, device: a.device, rule: `no station ${ref.vm}:${a.inPort}`, origin: null }, 'default');
      return visitOf('vm', [], [], [], [copy]);
    }
    default: {
      const never: never = ref;
      throw new Error(`unknown device ${JSON.stringify(never)}`);
    }
  }
}

const NONE: readonly never[] = [];

/** The hop without its steps and events: convergence reads no trace, only what was learned. */
function bareHopOf(v: Visit, c: Copy): Hop {
  return { host: v.host, device: v.device, deviceKind: v.deviceKind, inPort: v.inPort, outPort: c.kind === 'emit' ? c.port : null, in: v.in, out: c.kind === 'emit' ? c.packet : null, steps: NONE, events: NONE };
}

function hopOf(v: Visit, c: Copy): Hop {
  return {
    host: v.host, device: v.device, deviceKind: v.deviceKind, inPort: v.inPort, outPort: c.kind === 'emit' ? c.port : null,
    in: v.in, out: c.kind === 'emit' ? c.packet : null, steps: [...v.steps, ...c.steps], events: [...v.events, ...c.events],
  };
}

/**
 * Follows `start` (the packet leaving its sender through `first`, the sender's own hop) to the end
 * of every copy.
 */
export function walk(env: WalkEnv, first: Hop, start: Next): WalkResult {
  const outcomes: Outcome[] = [];
  const uncertain = new Set<string>();
  const seen = new Set<string>();
  const max = env.limits.maxLeaves;
  /** Copies ended so far: the outcomes (a learning walk's copies ending in a namespace are not counted). */
  let leaves = 0;
  let truncated = false;

  const end = (o: Outcome): void => {
    outcomes.push(o);
    leaves++;
  };

  const deadEnd = (path: readonly Hop[], at: { host: string; device: string }, rule: string, packet: Packet, kind: DropKind): void => {
    end({ disposition: 'dropped', deliveredTo: null, droppedAt: { host: at.host, device: at.device, rule, origin: null }, final: packet, hops: path, dropKind: kind, arpOwner: null });
  };

  /** `visits`: the devices this path has been through (the solver counts the same way). */
  const go = (next: Next, path: readonly Hop[], last: Hop, visits: number): void => {
    if (leaves >= max) { truncated = true; return; }
    if (next.kind === 'dead') { deadEnd(path, last, next.rule, last.out ?? last.in, 'quiet'); return; }
    if (next.kind === 'device' && visits >= env.limits.maxHops) {
      uncertain.add(`path longer than ${env.limits.maxHops} device visits: not followed further`);
      deadEnd(path, last, `device visit limit ${env.limits.maxHops}`, next.packet, 'default');
      return;
    }
    // Convergence: a namespace learns nothing, and an ARP frame (all convergence sends) ends in the
    // namespace it reaches, answered or not: such a copy costs nothing to end and is not counted
    // against the copy limit — a flood on an external network reaches every router's qg- port, and
    // counting those (1,000 at 1,000 routers) stopped an announcement before it reached the last
    // network nodes, which then never learned the announcer's MAC and flooded every frame to it.
    if (env.learn && next.kind === 'device' && next.packet.eth_type === ETH_TYPE.arp && env.index.device(next.host, next.device)?.kind === 'ns') return;
    const { visit, next: nextOf } = process(env, next);
    const key = `${visitPlace(visit.host, visit.device, visit.inPort)}|${loopKey(visit.in)}`;
    if (seen.has(key)) {
      const hop: Hop = { host: visit.host, device: visit.device, deviceKind: visit.deviceKind, inPort: visit.inPort, outPort: null, in: visit.in, out: null, steps: [], events: [] };
      end({
        disposition: 'loop', deliveredTo: null,
        droppedAt: { host: visit.host, device: visit.device, rule: loopRule(visit.device, visit.inPort), origin: null },
        final: visit.in, hops: [...path, hop], dropKind: null, arpOwner: null,
      });
      return;
    }
    for (const u of visit.uncertain) uncertain.add(u);
    seen.add(key);
    const after = next.kind === 'device' ? visits + 1 : visits;
    /** One copy out of this visit; false once the copy limit is reached (no later copy is followed). */
    const one = (c: OutCopy): boolean => {
      if (c.kind === 'flood') return flood(c);
      if (leaves >= max) { truncated = true; return false; }
      // Convergence keeps no path (its outcomes are counted, for the copy limit, and never read).
      const bare = env.learn || env.pathless === true;
      const hop = bare ? bareHopOf(visit, c) : hopOf(visit, c);
      const hops = bare ? path : [...path, hop];
      if (c.kind === 'end') {
        end({ disposition: c.disposition, deliveredTo: c.delivery, droppedAt: c.drop, final: c.packet, hops, dropKind: c.dropKind, arpOwner: c.arpOwner });
      } else {
        go(nextOf(c), hops, hop, after);
      }
      return true;
    };
    /**
     * A whole flood (only a learning walk has them): the copies to ports that lead on are followed one
     * by one; a run of copies that each end in a namespace, as the check above would end each, is
     * passed over at once (ended uncounted, as there, or cut where the copy limit was reached before
     * it) — unless the path is at its visit limit (then each ends on the limit instead) or the
     * reference is asked for (`copyByCopy`).
     */
    const flood = (f: FloodCopy): boolean => {
      if (env.copyByCopy === true || f.tagged.eth_type !== ETH_TYPE.arp || after >= env.limits.maxHops) {
        for (const c of floodCopies(f)) if (!one(c)) return false;
        return true;
      }
      for (const seg of floodPlan(env.index, visit.host, f.bridge, f.ports).segments) {
        if (seg.kind === 'port') {
          if (seg.port.name !== f.except && !one(floodCopyTo(f, seg.port))) return false;
          continue;
        }
        const n = seg.count - (seg.named.get(f.except) ?? 0);
        if (n === 0) continue;
        if (leaves >= max) { truncated = true; return false; }
      }
      return true;
    };
    for (const c of visit.copies) if (!one(c)) break;
    seen.delete(key);
  };

  go(start, [first], first, 0);
  if (truncated) uncertain.add(`more than ${env.limits.maxLeaves} copies: the rest were not followed`);
  return { outcomes, uncertain: [...uncertain] };
}

const RANK: Record<Disposition, number> = { delivered: 0, exited: 0, 'no-route': 1, 'no-arp': 1, loop: 2, dropped: 3 };
const DROP_RANK: Record<DropKind, number> = { rule: 0, default: 1, quiet: 2 };
const rank = (o: Outcome) => RANK[o.disposition] * 10 + (o.disposition === 'dropped' ? DROP_RANK[o.dropKind ?? 'default'] : 0);

function toTrace(packet: Packet, o: Outcome): Omit<Trace, 'branches' | 'uncertain'> {
  return { disposition: o.disposition, deliveredTo: o.deliveredTo, droppedAt: o.droppedAt, packet, final: o.final, hops: o.hops };
}

/**
 * One Trace from the copies of a walk: the main path is the first copy `prefer` accepts, else the
 * best-ranked (delivered or exited, then no-route/no-arp, loop, drop by a rule, drop by default,
 * copies that were not for the device they reached); the others become branches.
 */
export function traceOf(packet: Packet, w: WalkResult, limits: WalkLimits, prefer?: (o: Outcome) => boolean): Trace {
  const outs = w.outcomes;
  if (outs.length === 0) {
    return { disposition: 'dropped', deliveredTo: null, droppedAt: null, packet, final: packet, hops: [], branches: [], uncertain: [...w.uncertain] };
  }
  let main = prefer ? outs.findIndex(prefer) : -1;
  if (main < 0) {
    main = 0;
    outs.forEach((o, i) => { if (rank(o) < rank(outs[main]!)) main = i; });
  }
  const others = outs.filter((_, i) => i !== main);
  const listed = others.slice(0, limits.maxBranches).map((o): Trace => ({ ...toTrace(packet, o), branches: [], uncertain: [] }));
  const m = outs[main]!;
  const hops = others.length > limits.maxBranches
    ? m.hops.map((h, i) => (i === 0 ? { ...h, events: [...h.events, { kind: 'note', text: `${others.length - limits.maxBranches} more copies not listed` } as const] } : h))
    : m.hops;
  return { ...toTrace(packet, { ...m, hops }), branches: listed, uncertain: [...w.uncertain] };
}

/** The hop of a sender putting a packet on its wire. */
export function senderHop(host: string, device: string, deviceKind: DeviceKind, outPort: string, packet: Packet): Hop {
  return { host, device, deviceKind, inPort: null, outPort, in: packet, out: packet, steps: [], events: [] };
}

export { follow, vmDevice };
