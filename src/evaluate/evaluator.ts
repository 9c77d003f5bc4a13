// The reference evaluator: precomputes the indexes and the converged learning state of a Dataplane
// once, then follows concrete packets (`trace`) and resolves ARP (`resolveArp`) against it.
// Guarantees: the converged state is never changed by a trace; each `trace` call starts with empty
// conntrack tables, a `session()` keeps them across its traces (a reply after a first packet);
// ARP answers are cached per (sender, address) for the evaluator's life (ARP never crosses netfilter,
// so the answer does not depend on conntrack).
import type { Dataplane, Station } from '../ir/dataplane.ts';
import type { Ipv4, Mac, Packet } from '../ir/packet.ts';
import { ETH_TYPE } from '../ir/packet.ts';
import type { Trace } from './trace.ts';
import type { NetfilterEngine } from './nf-engine.ts';
import type { NfEnv } from './hooks.ts';
import { type FlowTables, flowTables } from '../semantics/ovs-bridge.ts';
import type { Flow } from '../ir/openflow.ts';
import { TopologyIndex } from '../semantics/topology-index.ts';
import type { ConvergedState } from '../semantics/converged.ts';
import { LearningState, type FactRecorder } from './state.ts';
import type { Next, Outcome, WalkEnv, WalkLimits } from './walk.ts';
import { DEFAULT_LIMITS, follow, senderHop, traceOf, vmDevice, walk } from './walk.ts';
import { converge, type AnnouncerFacts } from './converge.ts';
import { arpRequest } from './arp.ts';
import { inPrefix, ipv4ToNumber } from '../net/ipv4.ts';
import { macToNumber } from '../net/mac.ts';
import { answersArp } from '../semantics/arp-answer.ts';
import { concreteLogic } from '../semantics/logic.ts';
import { stationKey } from '../semantics/station-key.ts';
import { runHookRecorded } from './hooks.ts';
import { lookupRoute } from './namespace.ts';
import type { Hop } from './trace.ts';
import { prepareFlowIndex } from './flow-index.ts';
import { localTable, namespaceSysctls } from '../semantics/martian.ts';

export interface EvaluatorOptions {
  /** The netfilter engine (tests may pass a stand-in). */
  readonly netfilter: NetfilterEngine;
  readonly limits?: Partial<WalkLimits>;
  /**
   * Skip the learning passes: every MAC table empty, no learned flow. Only for packets whose path no
   * learned state decides — multicast and broadcast, which every switch floods (VRRP advertisements);
   * a unicast packet would be flooded where a running cloud sends it one way.
   */
  readonly unconverged?: boolean;
  /**
   * What convergence's announcers learned on dataplanes of the same shape (converge.ts): kept across the
   * evaluators of one scenario's choices of HA masters, so each walks only the announcers it adds.
   */
  readonly learned?: AnnouncerFacts;
  /** Walk every learning pass instead of recording the walks first: the reference the recorded convergence is held to. */
  readonly everyPass?: boolean;
  /** Follow every copy of convergence's floods one by one: the reference its bulk count (walk.ts) is held to. */
  readonly copyByCopy?: boolean;
}

export interface ArpAnswer {
  readonly mac: Mac | null;
  /** The ARP request's walk: where it went and who answered (the reply is assumed to come back). */
  readonly trace: Trace;
}

export interface Session {
  /** Follows a packet as `from` puts it on its wire; conntrack state persists across calls. */
  trace(from: Station, packet: Packet): Trace;
}

export interface Evaluator extends Session {
  /**
   * As Session's, with empty conntrack tables; `everyCopy` lists every copy of a flood among the
   * branches; `outcomeOnly` keeps no hops (how the packet ends, where and as what, is all there is).
   */
  trace(from: Station, packet: Packet, opts?: { readonly everyCopy?: boolean; readonly outcomeOnly?: boolean }): Trace;
  resolveArp(from: Station, ip: Ipv4): ArpAnswer;
  /**
   * The ARP answer a namespace's interface gets for `ip` (what a routed packet's next hop resolves to),
   * kept like `resolveArp`'s: asking it ahead only moves the walk to then.
   */
  resolveNamespaceArp(host: string, namespace: string, iface: string, ip: Ipv4): ArpAnswer;
  /**
   * Follows a packet a namespace sends out of one of its interfaces (as keepalived sends a VRRP
   * advertisement): the namespace's OUTPUT and POSTROUTING hooks first, as for any locally generated
   * packet, then the wire. With empty conntrack tables, like `trace`. `everyCopy` lists every copy
   * of a flood among the branches (a trace lists at most `maxBranches`).
   */
  traceFromNamespace(host: string, namespace: string, iface: string, packet: Packet, opts?: { readonly everyCopy?: boolean }): Trace;
  /**
   * Follows a packet the namespace's own stack sends (a reply it answers with): routed as Linux routes
   * a locally generated packet (longest prefix; none → `no-route`), sent from the route's interface's
   * MAC to the next hop's, resolved by an ARP walk from that interface (no answer → `no-arp`), then as
   * `traceFromNamespace`. The packet's Ethernet addresses are those it is given until then.
   */
  sendFromNamespace(host: string, namespace: string, packet: Packet): Trace;
  /** A new conntrack session: traces in it see each other's connections. */
  session(): Session;
  /**
   * Builds now what the first packet through each device builds for it and keeps: every OVS bridge's
   * flow tables and their indexes, every namespace's netfilter chains by name and candidate indexes, its
   * sysctls and local table. Answers do not change; a resident model pays this at load, not per first trace.
   */
  prepare(): void;
  /** The converged fdb and learned flows, as plain data. */
  readonly converged: ConvergedState;
}

export function createEvaluatorWith(dp: Dataplane, opts: EvaluatorOptions): Evaluator {
  const limits: WalkLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const index = new TopologyIndex(dp);
  const state = new LearningState();
  // A bridge's tables are its own flows plus its learned flows, which only ever grow by appending:
  // the learned count keys the cache, and flows learned since are added to a copy of the cached
  // tables (only the tables they go to are copied; a walk may still hold the old ones).
  const tableCache = new Map<string, { learned: number; tables: FlowTables }>();
  const tablesOf = (host: string, bridge: string): FlowTables => {
    const k = `${host}\u0000${bridge}`;
    const learnedFlows = state.learnedFlowsOf(host, bridge);
    const cached = tableCache.get(k);
    if (cached && cached.learned === learnedFlows.length) return cached.tables;
    let t: FlowTables;
    if (cached && cached.learned < learnedFlows.length) t = withLearned(cached.tables, learnedFlows.slice(cached.learned));
    else {
      const br = index.device(host, bridge);
      t = flowTables(br?.kind === 'ovs' ? [...br.bridge.flows, ...learnedFlows] : []);
    }
    tableCache.set(k, { learned: learnedFlows.length, tables: t });
    return t;
  };
  const newNf = (): NfEnv => {
    const tables = new Map<string, unknown>();
    return {
      engine: opts.netfilter,
      conntrackOf: (host, ns) => {
        const k = `${host}\u0000${ns}`;
        if (!tables.has(k)) tables.set(k, opts.netfilter.createConntrack());
        return tables.get(k);
      },
    };
  };
  const arpCache = new Map<string, ArpAnswer>();

  const envFor = (nf: NfEnv, learn: boolean): WalkEnv => ({
    index, state, learn, tablesOf, nf, limits, copyByCopy: opts.copyByCopy === true,
    resolveNsArp: (host, nsName, iface, ip) => {
      if (learn) return { mac: null, note: 'no ARP during convergence' };
      const a = nsArp(host, nsName, iface, ip);
      const died = a.mac === null && a.trace.droppedAt ? `ARP request for ${ip} stopped at ${a.trace.droppedAt.device}@${a.trace.droppedAt.host}: ${a.trace.droppedAt.rule}` : null;
      return a.mac === null && a.trace.uncertain.length > 0 ? { mac: null, note: died, uncertain: a.trace.uncertain } : { mac: a.mac, note: died };
    },
    resolveUpstreamArp: (station, ip) => {
      if (learn) return { mac: null, note: 'no ARP during convergence' };
      const a = stationArp(station, ip);
      const died = a.mac === null && a.trace.droppedAt ? `ARP request for ${ip} stopped at ${a.trace.droppedAt.device}@${a.trace.droppedAt.host}: ${a.trace.droppedAt.rule}` : null;
      return { mac: a.mac, note: died };
    },
  });

  const arpWalk = (first: ReturnType<typeof senderHop>, start: Next, packet: Packet, ip: Ipv4): ArpAnswer => {
    // A request floods its whole segment and is answered only where it reaches the owner: the copy limit
    // of a traced flood would leave an owner past it unanswered (an external network with more router
    // ports than the limit). Loops stay bounded by the visit limit.
    const env = { ...envFor(newNf(), false), limits: { ...limits, maxLeaves: Number.POSITIVE_INFINITY } };
    const w = walk(env, first, start);
    // Answered where the request reaches the owner of the address, or by a reply the dataplane made
    // of it that comes back to the requester (src/semantics/arp-answer.ts), whichever ends first.
    const asked = { mac: macToNumber(packet.eth_src), ip: ipv4ToNumber(packet.ip_src), target: ipv4ToNumber(ip) };
    const answerOf = (o: Outcome): Mac | null => {
      if (o.arpOwner !== null) return o.hops.at(-1)?.in.ip_dst === ip ? o.arpOwner : null;
      const f = o.final;
      if ((o.disposition !== 'delivered' && o.disposition !== 'exited') || f.eth_type !== ETH_TYPE.arp) return null;
      const headers = { eth_type: f.eth_type, proto: f.proto, ip_src: ipv4ToNumber(f.ip_src), ip_dst: ipv4ToNumber(f.ip_dst), eth_dst: macToNumber(f.eth_dst) };
      return answersArp(concreteLogic, headers, asked) ? f.eth_src : null;
    };
    const owner = w.outcomes.find((o) => answerOf(o) !== null);
    if (owner) return { mac: answerOf(owner), trace: traceOf(packet, w, limits, (o) => answerOf(o) !== null) };
    // Unanswered: the copy that travelled farthest shows how much of the segment the request reached.
    const farthest = w.outcomes.reduce<Outcome | null>((best, o) => (best === null || o.hops.length > best.hops.length ? o : best), null);
    return { mac: null, trace: traceOf(packet, w, limits, (o) => o === farthest) };
  };

  const nsArp = (host: string, nsName: string, iface: string, ip: Ipv4): ArpAnswer => {
    const k = `${host}/${nsName}/${iface}|${ip}`;
    const hit = arpCache.get(k);
    if (hit) return hit;
    const ns = index.host(host)?.namespaces.find((n) => n.name === nsName);
    const i = ns?.interfaces.find((x) => x.name === iface);
    const spa = i?.addresses.find((a) => inPrefix(ip, a.ip, a.prefixLen))?.ip ?? i?.addresses[0]?.ip ?? '0.0.0.0';
    const p = arpRequest(i?.mac ?? '00:00:00:00:00:00', spa, ip, null);
    const ans = arpWalk(senderHop(host, nsName, 'namespace', iface, p), follow(envFor(newNf(), false), host, nsName, iface, p), p, ip);
    arpCache.set(k, ans);
    return ans;
  };

  const start = (env: WalkEnv, from: Station, packet: Packet): { first: ReturnType<typeof senderHop>; start: Next } => {
    if (from.kind === 'vm-port') {
      const a = from.attachment;
      return {
        first: senderHop(from.host, vmDevice(from.vm), 'vm', String(from.index), packet),
        start: { kind: 'device', host: a.host, device: a.device, inPort: a.port, packet, pre: [] },
      };
    }
    const wire = env.index.wireOfPhysnet(from.physnet);
    return {
      first: senderHop('outside', from.network, 'outside', `physnet:${from.physnet}`, packet),
      start: wire ? { kind: 'wire', host: 'outside', wire, from: null, fromOutside: from.network, packet } : { kind: 'dead', rule: `no wire for physnet ${from.physnet}` },
    };
  };

  /** An outside station tags its frames with its network's VLAN. */
  const onWire = (from: Station, packet: Packet): Packet =>
    from.kind === 'outside' && from.vlan !== null && packet.vlan === null ? { ...packet, vlan: from.vlan } : packet;

  const learnEnv = envFor(newNf(), true);
  // A recorded walk that meets conntrack has read state (a connection an earlier walk made).
  const recordEnv = (store: FactRecorder): WalkEnv => {
    const nf = newNf();
    return { ...envFor({ ...nf, conntrackOf: (host, ns) => { store.noteRead(); return nf.conntrackOf(host, ns); } }, true), state: store };
  };
  const { passes, capped } = opts.unconverged ? { passes: 0, capped: false } : converge(learnEnv, state, dp, opts.everyPass === true ? undefined : { env: recordEnv, kept: opts.learned ?? null });
  const converged = state.snapshot(passes, capped);

  function stationArp(from: Station, ip: Ipv4): ArpAnswer {
    const k = `${stationKey(from)}|${ip}`;
    const hit = arpCache.get(k);
    if (hit) return hit;
    const spa = from.kind === 'vm-port' ? from.ip : from.gateway;
    const p = arpRequest(from.mac, spa, ip, from.kind === 'outside' ? from.vlan : null);
    const s = start(envFor(newNf(), false), from, p);
    const ans = arpWalk(s.first, s.start, p, ip);
    arpCache.set(k, ans);
    return ans;
  }

  const session = (o?: { readonly everyCopy?: boolean; readonly outcomeOnly?: boolean }): Session => {
    const env = o?.outcomeOnly === true ? { ...envFor(newNf(), false), pathless: true } : envFor(newNf(), false);
    const listed = o?.everyCopy ? { ...limits, maxBranches: Number.POSITIVE_INFINITY } : limits;
    return {
      trace: (from, packet0) => {
        const packet = onWire(from, packet0);
        const s = start(env, from, packet);
        return traceOf(packet, walk(env, s.first, s.start), listed);
      },
    };
  };

  const traceFromNamespace = (host: string, nsName: string, iface: string, packet: Packet, o?: { readonly everyCopy?: boolean }): Trace => {
    const env = envFor(newNf(), false);
    const ns = index.host(host)?.namespaces.find((n) => n.name === nsName);
    const sender = senderHop(host, nsName, 'namespace', iface, packet);
    if (!ns) {
      const droppedAt = { host, device: nsName, rule: `no namespace ${nsName} on ${host}`, origin: null };
      return { disposition: 'dropped', deliveredTo: null, droppedAt, packet, final: packet, hops: [sender], branches: [], uncertain: [] };
    }
    const where = { host, device: nsName, namespace: nsName };
    const ctx = { inIface: null, outIface: iface, physdevIn: null, physdevOut: null, bridged: false };
    const out = runHookRecorded(env.nf, where, ns.netfilter, 'OUTPUT', env.nf.engine.newState(packet), ctx);
    const post = out.drop ? null : runHookRecorded(env.nf, where, ns.netfilter, 'POSTROUTING', out.state, ctx);
    const ran = [out, ...(post ? [post] : [])];
    const sent = post?.state.packet ?? out.state.packet;
    const first: Hop = { ...sender, out: sent, steps: ran.flatMap((r) => r.steps), events: ran.flatMap((r) => r.events) };
    const uncertain = ran.flatMap((r) => r.uncertain);
    const drop = post?.drop ?? out.drop;
    if (drop) return { disposition: 'dropped', deliveredTo: null, droppedAt: drop, packet, final: sent, hops: [{ ...first, out: null }], branches: [], uncertain };
    const t = traceOf(packet, walk(env, first, follow(env, host, nsName, iface, sent)), o?.everyCopy ? { ...limits, maxBranches: Number.POSITIVE_INFINITY } : limits);
    return uncertain.length > 0 ? { ...t, uncertain: [...uncertain, ...t.uncertain] } : t;
  };

  const sendFromNamespace = (host: string, nsName: string, packet: Packet): Trace => {
    const ns = index.host(host)?.namespaces.find((n) => n.name === nsName);
    const route = ns ? lookupRoute(ns.routes, packet.ip_dst) : null;
    const out = route ? ns?.interfaces.find((i) => i.name === route.dev) : undefined;
    const stopped = (disposition: 'no-route' | 'no-arp' | 'dropped', rule: string, iface: string | null, uncertain: readonly string[] = []): Trace => ({
      disposition, deliveredTo: null, droppedAt: { host, device: nsName, rule, origin: route?.origin ?? null }, packet, final: packet,
      hops: [{ ...senderHop(host, nsName, 'namespace', iface ?? '', packet), outPort: iface, out: null }], branches: [], uncertain,
    });
    if (!ns) return stopped('dropped', `no namespace ${nsName} on ${host}`, null);
    if (!route) return stopped('no-route', `no route to ${packet.ip_dst}`, null);
    if (!out) return stopped('dropped', `route via ${route.dev}: no such interface`, null);
    const nextHop = route.via ?? packet.ip_dst;
    const arp = nsArp(host, nsName, out.name, nextHop);
    if (arp.mac === null) {
      const died = arp.trace.droppedAt ? ` (the ARP request stopped at ${arp.trace.droppedAt.device}@${arp.trace.droppedAt.host}: ${arp.trace.droppedAt.rule})` : '';
      return stopped('no-arp', `no ARP reply for ${nextHop} on ${out.name}${died}`, out.name, arp.trace.uncertain);
    }
    return traceFromNamespace(host, nsName, out.name, { ...packet, eth_src: out.mac, eth_dst: arp.mac, vlan: null, tun_id: null });
  };

  const prepare = (): void => {
    for (const host of dp.hosts) {
      for (const br of host.ovsBridges) for (const flows of tablesOf(host.name, br.name).values()) prepareFlowIndex(br, flows);
      for (const ns of host.namespaces) {
        opts.netfilter.prepare?.(ns.netfilter);
        namespaceSysctls(ns);
        localTable(ns);
      }
    }
  };

  return {
    converged,
    prepare,
    session: () => session(),
    traceFromNamespace,
    sendFromNamespace,
    trace: (from, packet, o) => session(o).trace(from, packet),
    resolveArp: stationArp,
    resolveNamespaceArp: nsArp,
  };
}

/**
 * `tables` with `added` appended to the flow list they were built from: what `flowTables` of the
 * longer list gives (a stable sort by descending priority puts each added flow after every flow of
 * its priority or higher), without sorting again. `tables` itself is left as it was.
 */
function withLearned(tables: FlowTables, added: readonly Flow[]): FlowTables {
  const out = new Map(tables);
  const copies = new Map<number, Flow[]>();
  for (const f of added) {
    let t = copies.get(f.table);
    if (!t) {
      t = [...(tables.get(f.table) ?? [])];
      copies.set(f.table, t);
      out.set(f.table, t);
    }
    let i = t.length;
    while (i > 0 && t[i - 1]!.priority < f.priority) i--;
    t.splice(i, 0, f);
  }
  return out;
}
