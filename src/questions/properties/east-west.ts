// `east-west` (per network with VM ports, subject `network:N`): the network's VM ports are reached by
// the VM ports beside them as their security groups mean — from their own subnet straight across the
// segment (br-int, then br-tun's tunnels or the provider bridge between hosts), and from the other
// subnets of a router that is the sender's gateway, through its qrouter namespace: the operator's two
// east-west walkthroughs. Concrete evaluator traces, no solver. Per pair of places — the sender's
// (subnet, host) and the receiver's — the first pair of ports there with a packet both ports' intents
// allow (sg-intent.ts: the sender's egress, the receiver's ingress) sends it as the sender's stack
// would, its first hop resolved by the sender's own ARP request through the dataplane; some copy of it
// must be delivered to the receiver. Then every first packet of that pair of ports that both intents allow
// is proved delivered as well (east-west-proof.ts), and a packet found that is not is the violation.
// Why one pair per pair of places: what carries a packet between two ports — local VLANs, tunnels and
// their flows, flood and l2pop entries, the provider bridges, the router — depends on their subnets and
// hosts, not on their groups; each port's own firewall is judged over every packet by
// `security-groups`, and its br-int tag by `segment-isolation`. Alike pairs of groups are asked once
// per pair of places when looking for a packet to send.
// Guarantees: a violation is a packet both ports' groups allow, sent after the sender's ARP, whose trace
// (every copy of a flood followed) delivers no copy to the receiver — or the ARP request nobody
// answered — with nothing unmodelled crossed; a pair that crossed something unmodelled decides nothing, and
// the result is `unknown` only when no other pair shows a violation. A `holds` says how many pairs of places
// exchanged such a packet and how many of them every such packet (proved); a pair the proof cannot decide
// (its undelivered packets cross something not modelled, or a solver timeout) keeps its one packet. The
// packets tried first: each rule of the receiver's ingress, then TCP 22, ICMP echo, TCP 443 and 80, UDP
// 53; when both intents allow none of them, the solver looks for any first packet they both allow
// (anyIntended), and a pair of places whose ports' intents allow none is proved so, not asked and
// counted (a timeout there makes the result `unknown`). Never asked: a
// VM to itself; through a router, a VM with a port of its own on the receiver's subnet (its stack sends
// there straight), or an address an extra route of that router at least as specific as the subnet
// takes elsewhere (the router is told not to deliver it on-link); and an address another port of the
// network also holds (a VIP as a query places it), left out and counted.
import type { Trace } from '../../evaluate/trace.ts';
import type { PortT, RouterT, Topology } from '../../topology/model.ts';
import { IP_PROTO, ipProtoName, protoHasPorts } from '../../ir/packet.ts';
import { concretePacket } from '../../smt/headers.ts';
import { checkSat, decodeWitness, defaultPreferences, Enc, getZ3 } from '../../smt/index.ts';
import { isIpv4, symbolicPacket } from '../../smt/headers.ts';
import { ipNum, macNum, opensConnection } from './search.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { firstPacket, type PacketFields } from '../packet.ts';
import { firstPacketOf } from '../trace.ts';
import { traceCopies } from '../guard.ts';
import { traceOutcome } from '../witness-replay.ts';
import { deliveredTo, intent, provePairs, type PairProof, type ProvedPair } from './east-west-proof.ts';
import type { Packet } from '../../ir/packet.ts';
import { securityGroupsOfPort, subnetByRef } from '../../topology/lookup.ts';
import { parseCidr } from '../../render/linux/addr.ts';
import { inPrefix } from '../../net/ipv4.ts';
import { byNetwork, elsewhere, holds, leftOut, notApplicable, owned, portLabel, portOf, tick, unknown, vmStations, type VmStation } from './common.ts';

const ID = 'east-west';

/** What a VM commonly opens, tried after the receiver's own ingress rules. */
const COMMON: readonly PacketFields[] = [{ proto: 'tcp', dport: 22 }, { proto: 'icmp' }, { proto: 'tcp', dport: 443 }, { proto: 'tcp', dport: 80 }, { proto: 'udp', dport: 53 }];

/** ICMP types that open a conversation (a reply or an error sent first is INVALID to conntrack, and dropped as such). */
const ICMP_REQUESTS = new Set([8, 13, 15, 17]);

/**
 * The first packets tried from a sender to `to`: one per IPv4 ingress rule of its groups (the rule's
 * protocol and lowest port or ICMP request type), then COMMON; each is sent only if both intents allow it.
 */
function tried(topo: Topology, to: PortT): PacketFields[] {
  const out: PacketFields[] = [];
  for (const g of securityGroupsOfPort(topo, to)) {
    for (const r of g.rules) {
      if (r.direction !== 'ingress' || r.ethertype !== 'IPv4' || r.protocol === null) continue;
      if (r.protocol === IP_PROTO.icmp) {
        if (r.icmpType === null || ICMP_REQUESTS.has(r.icmpType)) out.push({ proto: 'icmp', icmpType: r.icmpType ?? 8, icmpCode: r.icmpCode ?? 0 });
      } else if (protoHasPorts(r.protocol)) out.push({ proto: r.protocol, ...(r.portMin === null ? {} : { dport: r.portMin }) });
      else out.push({ proto: r.protocol });
    }
  }
  const seen = new Set<string>();
  return [...out, ...COMMON].filter((f) => {
    const k = JSON.stringify([typeof f.proto === 'number' ? f.proto : IP_PROTO[f.proto], f.dport ?? null, f.icmpType ?? null, f.icmpCode ?? null]);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/** Whether the port's intent lets `f` through in `dir` (east-west-proof.ts `intent`). */
function intends(e: Enc, topo: Topology, port: PortT, from: VmStation, to: VmStation, f: PacketFields, dir: 'ingress' | 'egress'): boolean {
  const p = firstPacket(f, { src: from.mac, dst: to.mac, vlan: null }, { src: from.ip, dst: to.ip });
  return intent(e, topo, port, concretePacket(p), dir) === true;
}

const triedFor = new WeakMap<PortT, PacketFields[]>();

/** The first packet tried that both ports' intents allow from `a` to `b`, or null. */
function intendedPacket(e: Enc, topo: Topology, a: VmStation, b: VmStation): PacketFields | null {
  const pa = portOf(topo, a);
  const pb = portOf(topo, b);
  if (pa === undefined || pb === undefined) return null;
  let t = triedFor.get(pb);
  if (t === undefined) triedFor.set(pb, (t = tried(topo, pb)));
  return t.find((f) => intends(e, topo, pa, a, b, f, 'egress') && intends(e, topo, pb, a, b, f, 'ingress')) ?? null;
}

/** A pair of ports of a pair of places that may be asked to exchange a packet. */
interface Candidate { readonly from: VmStation; readonly to: VmStation; readonly via: RouterT | null }

type Found =
  | { readonly kind: 'asked'; readonly asked: Asked }
  | { readonly kind: 'none' }
  | { readonly kind: 'undecided'; readonly why: string }
  | { readonly kind: 'disagree'; readonly why: string };

/**
 * When none of the packets tried is allowed by both ports' intents: any first packet (IPv4, any
 * protocol, ports, ICMP request type) from the sender's own MAC and address to the receiver's address
 * that both allow, for one of the pair of places' candidates. Unsat over all of them proves their groups
 * allow nothing between them; a model is decoded as a person would send it and checked against both
 * intents concretely before it is sent.
 */
async function anyIntended(ctx: VerifyContext, e: Enc, candidates: readonly Candidate[]): Promise<Found> {
  const topo = ctx.topology;
  const z3 = await getZ3();
  const p = symbolicPacket(z3, 'east-west.any', null);
  const allowedFor = (c: Candidate) => {
    const [pa, pb] = [portOf(topo, c.from), portOf(topo, c.to)];
    if (pa === undefined || pb === undefined) return false;
    return e.and(
      e.eq(p.eth_src, macNum(c.from.mac), 48), e.eq(p.ip_src, ipNum(c.from.ip), 32), e.eq(p.ip_dst, ipNum(c.to.ip), 32), isIpv4(e, p),
      opensConnection(e, p), intent(e, topo, pa, p, 'egress'), intent(e, topo, pb, p, 'ingress'),
    );
  };
  const conds = candidates.map(allowedFor);
  const all = await checkSat(z3, e, e.or(...conds), ctx.timeoutMs);
  if (all.status === 'unsat') return { kind: 'none' };
  if (all.status === 'unknown') return { kind: 'undecided', why: `${portLabel(candidates[0]!.from)} → ${portLabel(candidates[0]!.to)}: ${all.reason}` };
  for (const [i, c] of candidates.entries()) {
    const r = candidates.length === 1 ? all : await checkSat(z3, e, conds[i]!, ctx.timeoutMs);
    if (r.status === 'unsat') continue;
    if (r.status === 'unknown') return { kind: 'undecided', why: `${portLabel(c.from)} → ${portLabel(c.to)}: ${r.reason}` };
    const prefs = defaultPreferences(e, p, { ip: ipNum(c.from.ip), prefixLen: 32, mac: macNum(c.from.mac) });
    const w = (await decodeWitness(e, r.solver, r.model, p, prefs)).packet;
    const fields: PacketFields = {
      proto: w.proto,
      ...(w.sport !== null ? { sport: w.sport } : {}),
      ...(w.dport !== null ? { dport: w.dport } : {}),
      ...(w.icmp_type !== null ? { icmpType: w.icmp_type, icmpCode: w.icmp_code ?? 0 } : {}),
    };
    if (!intends(e, topo, portOf(topo, c.from)!, c.from, c.to, fields, 'egress') || !intends(e, topo, portOf(topo, c.to)!, c.from, c.to, fields, 'ingress')) {
      return { kind: 'disagree', why: `${portLabel(c.from)} → ${portLabel(c.to)}: the solver's packet ${fieldsText(fields)} is not one both ports' groups allow (solver and intent disagree)` };
    }
    return { kind: 'asked', asked: { ...c, fields } };
  }
  // Satisfiable together, each alone unsat: the solver contradicts itself.
  return { kind: 'disagree', why: `${portLabel(candidates[0]!.from)} → ${portLabel(candidates[0]!.to)}: the solver finds a packet both ports' groups allow for the pairs together and for none alone` };
}

/** Ports' groups as the intent reads them: alike ports are tried once per pair of places. */
const groupsKey = (topo: Topology, s: VmStation): string => {
  const p = portOf(topo, s);
  return p === undefined ? `?${s.portId}` : `${p.portSecurity}|${[...p.securityGroups].sort().join(',')}|${p.allowedAddressPairs.map((x) => x.ipAddress).join(',')}`;
};

/** A place: a subnet on a host, and its ports there, in station order. */
interface Place { readonly subnet: string; readonly host: string; readonly ports: VmStation[] }

function placesOf(topo: Topology, ports: readonly VmStation[]): Place[] {
  const m = new Map<string, Place>();
  for (const s of ports) {
    const subnet = portOf(topo, s)?.subnet ?? '';
    const k = `${subnet}\u0000${s.host}`;
    const p = m.get(k);
    if (p) p.ports.push(s);
    else m.set(k, { subnet, host: s.host, ports: [s] });
  }
  return [...m.values()];
}

/** One port per groups key, in station order: who is tried at a place. */
function alikeOnce(topo: Topology, ports: readonly VmStation[]): VmStation[] {
  const seen = new Set<string>();
  return ports.filter((s) => {
    const k = groupsKey(topo, s);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

const routersBySubnet = new WeakMap<Topology, ReadonlyMap<string, readonly RouterT[]>>();

/** The (subnet, router) pairs whose ports may send to `subnet` through that router: every other subnet of a router with an interface on it. */
function routedFrom(topo: Topology, subnet: string): { readonly subnet: string; readonly router: RouterT }[] {
  let m = routersBySubnet.get(topo);
  if (m === undefined) {
    const idx = new Map<string, RouterT[]>();
    for (const r of topo.routers) for (const sn of new Set(r.interfaces.map((i) => i.subnet))) idx.set(sn, [...(idx.get(sn) ?? []), r]);
    routersBySubnet.set(topo, (m = idx));
  }
  return (m.get(subnet) ?? []).flatMap((r) => r.interfaces.filter((i) => i.subnet !== subnet).map((i) => ({ subnet: i.subnet, router: r })));
}

interface Asked { readonly from: VmStation; readonly to: VmStation; readonly fields: PacketFields; readonly via: RouterT | null }

const fieldsText = (f: PacketFields): string => {
  const name = typeof f.proto === 'number' ? (ipProtoName(f.proto) ?? `proto ${f.proto}`) : f.proto;
  // A source port other than the stack's usual one is named: a solver's packet may need it (udp 67 → 68).
  const from = f.sport !== undefined && f.sport !== 40000 ? ` from port ${f.sport}` : '';
  return f.dport !== undefined ? `${name}/${f.dport}${from}` : name === 'icmp' && f.icmpType !== undefined && f.icmpType !== 8 ? `icmp type ${f.icmpType}` : name;
};

/** Sends the pair's packet: the packet as sent when it is delivered, else the violation or unknown. */
function send(ctx: VerifyContext, subject: string, q: Asked): PropertyResult | { readonly delivered: Packet; readonly between: string } {
  const { from, to } = q;
  const between = `${portLabel(from)} (${from.host}) → ${portLabel(to)} ${to.ip} (${to.host}) ${fieldsText(q.fields)}${q.via === null ? '' : ` through ${q.via.name}`}, which both ports' groups allow`;
  const first = firstPacketOf(ctx.topology, ctx.evaluator, { kind: 'port', station: from, ip: from.ip }, to.ip, q.fields);
  if ('stopped' in first) {
    const t = first.stopped;
    if (t.uncertain.length > 0) return unknown(ID, subject, `${between}: its ARP request crossed something not modelled: ${t.uncertain.join('; ')}`);
    const hop = q.via === null ? to.ip : from.gateway;
    return {
      property: ID, subject, verdict: 'violated', witness: t.packet, trace: t,
      claim: { says: `gets no ARP answer for ${hop}`, shownBy: (x: Trace) => x.disposition === 'no-arp' || x.disposition === 'no-route' },
      message: `${between}: ${portLabel(from)} gets no answer to its ARP request for ${hop}${t.droppedAt === null ? '' : ` (stopped at ${t.droppedAt.device}@${t.droppedAt.host}: ${t.droppedAt.rule})`}`,
    };
  }
  const reached = deliveredTo(to);
  const quick = ctx.evaluator.trace(from, first.packet, { outcomeOnly: true, everyCopy: true });
  const pair = `${portLabel(from)} (${from.host}) → ${portLabel(to)} ${to.ip} (${to.host})${q.via === null ? '' : ` through ${q.via.name}`}`;
  if (quick.uncertain.length === 0 && reached(quick)) return { delivered: first.packet, between: pair };
  // Followed again hop by hop for the report.
  const t = ctx.evaluator.trace(from, first.packet, { everyCopy: true });
  if (t.uncertain.length > 0) return unknown(ID, subject, `${between}: ${reached(t) ? 'delivered' : 'not delivered'} only across something not modelled: ${t.uncertain.join('; ')}`);
  if (reached(t)) return { delivered: first.packet, between: pair };
  return {
    property: ID, subject, verdict: 'violated', witness: t.packet, trace: t,
    claim: { says: `is not delivered to ${portLabel(to)}`, shownBy: (x: Trace) => !reached(x) },
    message: `${between}: not delivered: ${traceOutcome(t)}`,
  };
}

/** Whether an extra route of `router` at least as specific as `subnet` takes `ip` elsewhere: the router is told not to deliver it on-link. */
function reroutedBy(topo: Topology, r: RouterT, subnet: string, ip: string): boolean {
  const sn = subnetByRef(topo, subnet);
  if (sn === undefined) return false;
  return r.routes.some((x) => {
    const d = parseCidr(x.destination);
    return d.prefixLen >= sn.prefixLen && inPrefix(ip, d.ip, d.prefixLen);
  });
}

/** Who may be asked to send to whom: never a VM to itself, nor through a router when its stack has a port of its own on the receiver's subnet, nor to an address an extra route takes elsewhere. */
function pairOk(topo: Topology, vmsOn: ReadonlyMap<string, ReadonlySet<string>>, a: VmStation, b: VmStation, via: RouterT | null, bSubnet: string): boolean {
  if (a.vm === b.vm || a.ip === b.ip) return false;
  if (via === null) return true;
  if (vmsOn.get(bSubnet)?.has(a.vm) === true) return false;
  return !reroutedBy(topo, via, bSubnet, b.ip);
}

/** The VM ports of each subnet, and the VMs with a port there (built once per run). */
interface BySubnet { readonly ports: ReadonlyMap<string, VmStation[]>; readonly vms: ReadonlyMap<string, ReadonlySet<string>> }

async function checkNetwork(ctx: VerifyContext, e: Enc, network: string, receivers: readonly VmStation[], bySubnet: BySubnet): Promise<PropertyResult | Pending> {
  const senders = bySubnet.ports;
  const vmsOn = bySubnet.vms;
  const subject = `network:${network}`;
  const topo = ctx.topology;
  // An address another port of the network holds too (a VIP of an allowed address pair, as a query
  // places it) may be answered for by either: who receives is not the dataplane's choice alone.
  const holders = new Map<string, number>();
  for (const x of receivers) for (const ip of new Set([x.ip, ...(x.vips ?? [])])) holders.set(ip, (holders.get(ip) ?? 0) + 1);
  const held = (b: VmStation) => (holders.get(b.ip) ?? 0) > 1;
  const shared = receivers.filter(held);
  const targetsAll = receivers.filter((b) => !held(b));
  let asked = 0;
  let quiet = 0;
  const unasked: string[] = [];
  let example: Asked | null = null;
  let undecided: PropertyResult | null = null;
  const delivered: ProvedPair[] = [];
  for (const to of placesOf(topo, targetsAll)) {
    // Its own subnet's ports, then those of each subnet a router routes to it from, when that router's
    // interface there is their gateway (a sender appears once: its gateway is one router's address).
    const sources = [
      ...(senders.get(to.subnet) ?? []).map((s) => ({ s, via: null as RouterT | null })),
      ...routedFrom(topo, to.subnet).flatMap(({ subnet, router }) => {
        const gw = router.interfaces.find((i) => i.subnet === subnet)?.port.ip;
        return (senders.get(subnet) ?? []).filter((s) => s.gateway === gw).map((s) => ({ s, via: router as RouterT | null }));
      }),
    ];
    const fromPlaces = placesOf(topo, sources.map((x) => x.s));
    const viaOf = new Map(sources.map((x) => [x.s, x.via]));
    const targets = alikeOnce(topo, to.ports);
    for (const fp of fromPlaces) {
      let q: Asked | null = null;
      const candidates: Candidate[] = [];
      for (const a of alikeOnce(topo, fp.ports)) {
        const v = viaOf.get(a) ?? null;
        for (const b of targets) {
          const other = pairOk(topo, vmsOn, a, b, v, to.subnet) ? b : to.ports.find((x) => groupsKey(topo, x) === groupsKey(topo, b) && pairOk(topo, vmsOn, a, x, v, to.subnet));
          if (other === undefined) continue;
          candidates.push({ from: a, to: other, via: v });
          const fields = intendedPacket(e, topo, a, other);
          if (fields !== null) {
            q = { from: a, to: other, fields, via: v };
            break;
          }
        }
        if (q !== null) break;
      }
      if (q === null && candidates.length > 0) {
        // None of the packets tried: the solver looks for any first packet both intents allow.
        const found = await anyIntended(ctx, e, candidates);
        if (found.kind === 'none') quiet++;
        else if (found.kind === 'undecided') unasked.push(found.why);
        else if (found.kind === 'disagree') return unknown(ID, subject, found.why);
        else q = found.asked;
      }
      if (q === null) continue;
      const r = send(ctx, subject, q);
      // A pair that crossed something unmodelled decides nothing; a later pair may still show a violation.
      if ('verdict' in r && r.verdict === 'unknown') {
        undecided ??= r;
        continue;
      }
      if ('verdict' in r) return r;
      asked++;
      example ??= q;
      const [fromPort, toPort] = [portOf(topo, q.from), portOf(topo, q.to)];
      if (fromPort !== undefined && toPort !== undefined) delivered.push({ from: q.from, to: q.to, fromPort, toPort, firstHopMac: r.delivered.eth_dst, between: r.between });
    }
  }
  if (undecided !== null) return { ...undecided, message: `${undecided.message} (${asked} other pair${asked === 1 ? '' : 's'} of places delivered theirs)` };
  if (unasked.length > 0 && undecided === null) {
    return unknown(ID, subject, `${unasked.length} pair${unasked.length === 1 ? '' : 's'} of places not decided: whether their ports' groups allow any first packet between them (${unasked.slice(0, 2).join('; ')}${unasked.length > 2 ? '; …' : ''}); ${asked} other pair${asked === 1 ? '' : 's'} of places delivered theirs`);
  }
  const nothing = quiet === 0 ? '' : `; ${quiet} pair${quiet === 1 ? '' : 's'} of places not asked: their ports' groups allow no first packet between them (proved)`;
  const sharing = leftOut(shared.length, `whose address another port also holds (${shared.slice(0, 3).map(portLabel).join(', ')}${shared.length > 3 ? ', …' : ''})`);
  if (example === null) {
    return notApplicable(ID, subject, quiet === 0 ? `nothing to ask: no pair of VM ports on its subnets, or behind a router on them${nothing}${sharing}` : `no pair of ports whose groups allow a packet between them${nothing}${sharing}`);
  }
  const e1 = `${portLabel(example.from)} → ${portLabel(example.to)} ${fieldsText(example.fields)}`;
  // Every packet both groups allow, proved per pair of places whose concrete packet was delivered (asked
  // with every network's pairs at once: `eastWest.check`).
  return {
    pairs: delivered,
    finish(proofs) {
      const failed = proofs.find((x): x is Extract<PairProof, { kind: 'violated' }> => x.kind === 'violated');
      if (failed !== undefined) return failed.result;
      const open = proofs.flatMap((x, i) => (x.kind === 'undecided' ? [`${delivered[i]!.between}: ${x.why}`] : []));
      const proved = proofs.length - open.length;
      const every = proved === asked ? `${asked === 1 ? 'it delivers' : 'each delivers'} every first packet both ports' groups allow (proved over all of them, after one was delivered: ${e1}), its first hop resolved by ARP`
        : `${asked === 1 ? 'it delivered' : 'each delivered'} a packet both ports' groups allow, its first hop resolved by ARP (e.g. ${e1}), and ${proved} of them every such packet (proved); for ${open.length} only that one packet (${open.slice(0, 2).join('; ')}${open.length > 2 ? '; …' : ''})`;
      return holds(ID, subject, `${asked} pair${asked === 1 ? '' : 's'} of places (a sender's subnet and host, a receiver's of its ${receivers.length} VM port${receivers.length === 1 ? '' : 's'}): ${every}${nothing}${sharing}`);
    },
  };
}

/** A network whose concrete packets were all delivered: its pairs to prove, and its result once they are. */
interface Pending {
  readonly pairs: readonly ProvedPair[];
  finish(proofs: readonly PairProof[]): PropertyResult;
}

export const eastWest: PropertyCheck = {
  id: ID,
  description: "ports reach each other as their security groups allow, on their subnet and through their router: per pair of places, every first packet both ports' groups allow, ARP first",
  async check(ctx) {
    const e = new Enc(await getZ3());
    const stations = vmStations(ctx);
    const bySubnet = new Map<string, VmStation[]>();
    for (const s of stations) {
      const k = portOf(ctx.topology, s)?.subnet ?? '';
      const l = bySubnet.get(k);
      if (l) l.push(s);
      else bySubnet.set(k, [s]);
    }
    const ha = new Set(ctx.topology.networks.filter((n) => n.ha).map((n) => n.name));
    const nets = [...byNetwork(stations)].filter(([name]) => !ha.has(name));
    const by: BySubnet = { ports: bySubnet, vms: new Map([...bySubnet].map(([subnet, ports]) => [subnet, new Set(ports.map((x) => x.vm))])) };
    const first: (PropertyResult | Pending)[] = [];
    for (const [i, [name, receivers]] of nets.entries()) {
      tick(ctx, i, nets.length, 'networks');
      first.push(owned(ctx, `network:${name}`) ? await checkNetwork(ctx, e, name, receivers, by) : elsewhere(ID, `network:${name}`));
    }
    const pending = first.flatMap((x, i) => ('finish' in x ? [{ x, subject: `network:${nets[i]![0]}` }] : []));
    const proofs = await provePairs(ctx, pending.flatMap(({ x, subject }) => x.pairs.map((pair) => ({ subject, pair }))));
    let at = 0;
    return first.map((x) => {
      if (!('finish' in x)) return x;
      const mine = proofs.slice(at, at + x.pairs.length);
      at += x.pairs.length;
      return x.finish(mine);
    });
  },
};
