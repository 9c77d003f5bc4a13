// `anti-spoofing` (per VM port with port security, subject `port:VM:N`; a port without it is left out,
// in an `n/a` result of its own): no IPv4 packet whose source
// MAC or address is not the port's own — its fixed MAC and IP, or an allowed address pair's — gets
// past the port's firewall, except the DHCP client requests Neutron's rules let through on purpose.
// A VM may put any MAC and address on the wire; what stops it is the firewall's rules, read like any
// other: every IPv4 packet entering the port's first device from the VM (its qbr with the hybrid
// firewall, else br-int) is followed through that device with the solver (spoof-proof.ts, the same
// question that lets the other properties narrow a proved port's packets to its own), and a packet
// counts as past when the device sends it on towards the network, spoofed as sent or as it leaves.
// The port's addresses come from the topology, never from the rules. The other way round, what is the
// port's own must get through: its own ARP (a reply from its MAC and fixed address) past br-int's ARP
// spoofing protection, or nobody on its network resolves it (`ownArpStopped`, an evaluator trace).
// The DHCP client exceptions (UDP 68 → 67: a client asks for an address before it has one) are not
// violations but are reported as what the rendered rules let through — from 0.0.0.0 to
// 255.255.255.255 in current releases, from any address in older ones — and with which MACs.
// Guarantees: `holds` only when the solver proves no other spoofed packet gets past; a violation
// carries a witness replayed through the evaluator past the same device (else `unknown` with both
// shown); an unmodelled rule on the way makes the port `unknown`. Under another choice of HA masters, a
// port violated under the first choice whose witness (spoofed as sent) gets past here too is violated
// here, shown by that replay (first-choice.ts); only the other ports are asked again.
import type { Trace } from '../../evaluate/trace.ts';
import type { TraceClaim } from '../guard.ts';
import { arpRequest } from '../../evaluate/arp.ts';
import { ETH_TYPE, IP_PROTO, type Packet } from '../../ir/packet.ts';
import type { PortT, Topology } from '../../topology/model.ts';
import { checkSat, decodeWitness, defaultPreferences, getZ3, satIndices, unsatIndices, type Enc } from '../../smt/index.ts';
import type { Port } from '../../smt/walk-ctx.ts';
import { traceCopies } from '../guard.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { addressPairs } from '../senders.ts';
import { askSpoofing, spoofPrefix, spoofProofs, type SpoofQuestion } from '../spoof-proof.ts';
import { disagreementText, traceOutcome } from '../witness-replay.ts';
import { foundFirst, keepFound } from './first-choice.ts';
import { holds, notApplicable, portLabel, portOf, unenforced, tick, unknown, vmStations, type VmStation, elsewhere, owned } from './common.ts';
import { ipNum, macNum, RELIES_ON_RANDOM } from './search.ts';

const ID = 'anti-spoofing';

/** A port's question with the topology's port beside it. */
interface PortQuestion {
  readonly q: SpoofQuestion;
  readonly port: PortT;
}

/** The MAC of the port that holds the gateway address on the station's network (null: none). */
function gatewayMac(ctx: VerifyContext, s: VmStation): number | null {
  const gw = s.gateway === null ? undefined : ctx.topology.ports.find((p) => p.network === s.network && p.ip === s.gateway);
  return gw === undefined ? null : macNum(gw.mac);
}

/** Some copy of the replayed trace is sent on by the port's first device, not back to the VM. */
function gotPast(at: Port, t: Trace): boolean {
  return traceCopies(t).some((c) => c.hops.some((h) => h.host === at.host && h.device === at.device && h.inPort === at.port && h.outPort !== null && h.outPort !== at.port));
}

const where = (at: Port) => `${at.device}@${at.host}`;

/**
 * The violation a spoofed packet shows, with its witness replayed; `unknown` when the replay disagrees.
 * Asked again for this port alone with its gateway's MAC as destination (a witness that reads as
 * traffic; on a Linux bridge the same answer, spoof-proof.ts), falling back to the first question.
 */
async function violated(ctx: VerifyContext, { q: first, port }: PortQuestion): Promise<PropertyResult> {
  const s = first.target.s;
  const subject = `port:${portLabel(s)}`;
  const z3 = await getZ3();
  const gw = gatewayMac(ctx, s);
  let q = gw === null ? first : await askSpoofing(ctx.dataplane, ctx.evaluator, first.target, spoofPrefix(s), ctx.timeoutMs, gw);
  let r = await checkSat(z3, q.enc, q.bad, ctx.timeoutMs);
  if (r.status !== 'sat' && q !== first) {
    q = first;
    r = await checkSat(z3, q.enc, q.bad, ctx.timeoutMs);
  }
  if (r.status !== 'sat') return unknown(ID, subject, r.status === 'unknown' ? r.reason : 'the solver no longer finds the spoofed packet it found');
  // A witness that reads as traffic: to the gateway (where the destination MAC is free), TCP to a
  // well-known port, from a neighbour's address on its subnet.
  const e = q.enc;
  const prefs = [
    ...(gw !== null ? [{ name: 'to the gateway', cond: e.eq(q.sent.eth_dst, gw, 48) }] : []),
    ...defaultPreferences(e, q.sent, { ip: ipNum(s.ip), prefixLen: s.prefixLen }),
  ];
  const { packet, reliesOnRandom } = await decodeWitness(e, r.solver, r.model, q.sent, prefs, {}, { settle: true });
  if (reliesOnRandom) return unknown(ID, subject, RELIES_ON_RANDOM);
  const trace = ctx.evaluator.session().trace(s, packet);
  const claim = { says: `gets past ${where(q.at)}`, shownBy: (t: Trace) => gotPast(q.at, t) };
  if (!claim.shownBy(trace)) {
    return { property: ID, subject, verdict: 'unknown', witness: packet, trace, message: 'internal error: solver and evaluator disagree', error: disagreementText(`gets past ${where(q.at)}`, s, packet, trace) };
  }
  keepFound(ctx, ID, subject, { source: s, witness: packet });
  return spoofed(ctx.topology, s, port, packet, trace, claim);
}

/** The violation a spoofed packet that got past the port's first device shows. */
function spoofed(topo: Topology, s: VmStation, port: PortT, packet: Packet, trace: Trace, claim: TraceClaim): PropertyResult {
  const message = `${portLabel(s)} sends from ${packet.eth_src} ${packet.ip_src}, not its own (${port.mac} ${port.ip}) nor an allowed address pair's, and it gets past its firewall (${where(s.attachment)})${unenforced(topo)}: ${traceOutcome(trace)}`;
  return { property: ID, subject: `port:${portLabel(s)}`, verdict: 'violated', witness: packet, trace, message, claim };
}

/** Whether a packet is spoofed as the VM sent it: neither from the port's own MAC and address nor an allowed address pair's, nor a DHCP client request (as `bad` asks: spoof-proof.ts). */
function spoofedAsSent(port: PortT, p: Packet): boolean {
  const mac = macNum(p.eth_src);
  const ip = ipNum(p.ip_src);
  const inPrefix = (net: string, len: number) => len === 0 || (ip >>> (32 - len)) === (ipNum(net) >>> (32 - len));
  const own = (mac === macNum(port.mac) && ip === ipNum(port.ip)) || addressPairs(port).some((a) => mac === macNum(a.mac ?? port.mac) && inPrefix(a.ip, a.prefixLen ?? 32));
  const client = p.eth_type === ETH_TYPE.ipv4 && p.proto === IP_PROTO.udp && p.sport === 68 && p.dport === 67;
  return p.eth_type === ETH_TYPE.ipv4 && !own && !client;
}

/**
 * Under another choice of HA masters, the port's violation under the first choice, shown here by its
 * witness (spoofed as sent) getting past the port's first device (first-choice.ts); null when it is
 * not (the port is asked).
 */
function violatedAgain(ctx: VerifyContext, s: VmStation, port: PortT): PropertyResult | null {
  const found = foundFirst(ctx, ID, `port:${portLabel(s)}`);
  if (found === null || !spoofedAsSent(port, found.witness)) return null;
  const at = s.attachment;
  const trace = ctx.evaluator.session().trace(s, found.witness);
  const claim = { says: `gets past ${where(at)}`, shownBy: (t: Trace) => gotPast(at, t) };
  return claim.shownBy(trace) ? spoofed(ctx.topology, s, port, found.witness, trace, claim) : null;
}

/**
 * Per port, the DHCP client requests with a spoofed source that get past, in words (null: none). Asked
 * for every port at once: each port's packet has variables of its own, so a conjunction settles many
 * ports that have an exception at a time (satIndices) and a disjunction many that have none
 * (unsatIndices).
 */
async function dhcpExceptions(ctx: VerifyContext, e: Enc, qs: readonly SpoofQuestion[]): Promise<(string | null)[]> {
  const z3 = await getZ3();
  const n = qs.length;
  // The discover and the other-MAC questions in one call per batch (all expected satisfiable), the rest in another.
  const likely = await satIndices(z3, e, [...qs.map((q) => q.dhcp[0]), ...qs.map((q) => q.dhcp[2])], ctx.timeoutMs);
  const elsewhere = await unsatIndices(z3, e, qs.map((q) => q.dhcp[1]), ctx.timeoutMs);
  // Undecided (a timeout) is said as "may", never as "none".
  const may = (i: number) => likely.sat.has(i) || likely.unknown.has(i);
  return qs.map((q, i) => {
    const any = !elsewhere.has(i);
    if (!any && !may(i)) return null;
    const from = any ? 'from any address to any' : 'from 0.0.0.0 to 255.255.255.255';
    const macs = may(n + i) ? 'any MAC' : `its own MAC ${q.target.s.mac}`;
    return `DHCP client requests as its rules let them through: UDP 68 → 67 ${from}, from ${macs}`;
  });
}

/** A neighbour on the port's network to answer its ARP: the port holding its gateway address, else another port there (null: none). */
function neighbourOf(ctx: VerifyContext, s: VmStation): { readonly mac: string; readonly ip: string } | null {
  const onNet = (p: PortT) => p.network === s.network && p.mac !== s.mac;
  const gw = s.gateway === null ? undefined : ctx.topology.ports.find((p) => onNet(p) && p.ip === s.gateway);
  const n = gw ?? ctx.topology.ports.find(onNet);
  return n === undefined ? null : { mac: n.mac, ip: n.ip };
}

/**
 * The port's own ARP must get past br-int: Neutron's ARP spoofing protection (br-int table 24,
 * `arp,in_port=P,arp_spa=A` for each address of the port, every other ARP from the port dropped) that
 * lost the port's own address leaves nobody on the network able to resolve the port, nor the port
 * anyone (on a network with DHCP, `dhcp`'s unicast request shows it too; on one without, nothing else
 * asks). An ARP reply from the port's MAC and fixed address to a neighbour is followed by the evaluator
 * (one unicast frame); br-int on the port's host must send it on. Null when it does, or when the port
 * has no neighbour on its network to answer; otherwise the violation, with the reply as witness.
 */
function ownArpStopped(ctx: VerifyContext, s: VmStation, subject: string): PropertyResult | null {
  const n = neighbourOf(ctx, s);
  if (n === null) return null;
  const reply: Packet = { ...arpRequest(s.mac, s.ip, n.ip, null), eth_dst: n.mac, proto: 2 };
  const t = ctx.evaluator.trace(s, reply);
  const passed = (x: Trace) => traceCopies(x).some((c) => c.hops.some((h) => h.host === s.host && h.device === 'br-int' && h.outPort !== null));
  if (passed(t)) return null;
  if (t.uncertain.length > 0) return unknown(ID, subject, `${portLabel(s)}'s own ARP reply (from ${s.mac} ${s.ip}) does not get past br-int on ${s.host}, across something not modelled: ${t.uncertain.join('; ')}`);
  return {
    property: ID, subject, verdict: 'violated', witness: reply, trace: t,
    claim: { says: `does not get past br-int on ${s.host}`, shownBy: (x: Trace) => !passed(x) },
    message: `${portLabel(s)}'s own ARP (a reply from ${s.mac} ${s.ip}) does not get past br-int on ${s.host} (ARP spoofing protection): ${traceOutcome(t)}; nobody on ${s.network} resolves it`,
  };
}

/**
 * What a port's holds is made from besides its devices: the port as the dataplane shows it and as the
 * topology describes it, and whether its own ARP got past br-int here (asked in every scenario, one
 * trace, so that a holds is taken from another scenario only where that answer is the same: br-int is
 * no device the holds rests on, its digest changing with every choice of masters for what it learned,
 * while whether it drops the port's ARP is decided by its flows, the same under every choice).
 */
const restKey = (s: VmStation, port: PortT, arpPasses: boolean): string => JSON.stringify([s, port.mac, port.ip, addressPairs(port), arpPasses]);

export const antiSpoofing: PropertyCheck = {
  id: ID,
  description: "no packet from a MAC or address other than a port's own or an allowed address pair's gets past its firewall (DHCP client requests aside, reported), and the port's own ARP gets past br-int",
  async check(ctx) {
    const everySecured = vmStations(ctx).flatMap((s) => {
      const port = portOf(ctx.topology, s);
      return port?.portSecurity === true ? [{ s, port }] : [];
    });
    // A port's holds rests on its first device alone (and its host's root namespace, whose hooks bridged
    // packets cross): one settled in another scenario whose devices are the same here is taken as it is.
    const reused = new Map<string, PropertyResult>();
    const arpStopped = new Map<string, PropertyResult>();
    const secured = everySecured.filter(({ s, port }) => {
      const subject = `port:${portLabel(s)}`;
      if (!owned(ctx, subject)) return false;
      // A spoofed packet that gets past is the violation whatever the port's own ARP does (below).
      const again = violatedAgain(ctx, s, port);
      if (again !== null) {
        reused.set(subject, again);
        return false;
      }
      const arp = ownArpStopped(ctx, s, subject);
      if (arp !== null) arpStopped.set(subject, arp);
      const r = ctx.reuse?.(subject, restKey(s, port, arp === null)) ?? null;
      if (r !== null) reused.set(subject, r);
      return r === null;
    });
    // Ports without port security have no anti-spoofing to check: each is left out, said in an `n/a` result.
    const open = vmStations(ctx).filter((s) => portOf(ctx.topology, s)?.portSecurity === false);
    const leftOut = open.map((s) => notApplicable(ID, `port:${portLabel(s)}`, `left out: port security is off on ${portLabel(s)} (it may send from any MAC and address, and every question takes it as doing so)`));
    const inPlace = (out: readonly PropertyResult[]): PropertyResult[] => {
      const bySubject = new Map(out.map((r) => [r.subject, r]));
      return [...everySecured.map(({ s }) => bySubject.get(`port:${portLabel(s)}`) ?? elsewhere(ID, `port:${portLabel(s)}`)), ...leftOut];
    };
    if (secured.length === 0) return inPlace([...reused.values()]);
    // Every port's question at once (one solver call per batch; halves only where something is
    // found), or as already answered for narrowing the senders of the other properties.
    const proofs = await spoofProofs(ctx.dataplane, ctx.evaluator, secured.map(({ s, port }) => ({ s, pairs: addressPairs(port) })), ctx.timeoutMs, (i, n) => tick(ctx, i, n, 'port firewalls asked'));
    const proved = proofs.flatMap((p) => (p.q !== null && p.clean && p.settled ? [p.q] : []));
    const exceptions = proved.length === 0 ? [] : await dhcpExceptions(ctx, proved[0]!.enc, proved);
    let next = 0;
    const out: PropertyResult[] = [...reused.values()];
    for (const [i, p] of proofs.entries()) {
      const { q } = p;
      const port = secured[i]!.port;
      const s = p.target.s;
      const subject = `port:${portLabel(s)}`;
      if (q === null) {
        out.push(unknown(ID, subject, `${portLabel(s)}: its interface ${s.attachment.port} is attached to no bridge on ${s.attachment.host} in the dataplane read, so what it can send is not known`));
        continue;
      }
      if (!p.clean) {
        out.push(await violated(ctx, { q, port }));
        continue;
      }
      if (!p.settled) {
        out.push(unknown(ID, subject, `${portLabel(s)}: a packet's fate in ${where(q.at)} is not modelled (an unsupported rule or flow), so spoofing is not ruled out`));
        continue;
      }
      const dhcp = exceptions[next++] ?? null;
      const arp = arpStopped.get(subject);
      if (arp !== undefined) {
        out.push(arp);
        continue;
      }
      const pairs = port.allowedAddressPairs.length > 0 ? ` or its ${port.allowedAddressPairs.length} allowed address pair${port.allowedAddressPairs.length === 1 ? '' : 's'}` : '';
      const h = holds(ID, subject, `no IPv4 packet from another MAC or address than ${portLabel(s)}'s (${port.mac} ${port.ip})${pairs} gets past its firewall (${where(q.at)})${dhcp === null ? '' : `, but for ${dhcp}`}`);
      // Settled by the port's first device alone (and its own ARP, in the key): whichever instances are
      // masters, wherever its devices are the same.
      out.push({ ...h, local: true, rests: { devices: [`${q.at.host}/${q.at.device}`, `${q.at.host}/root`], key: restKey(s, port, true) } });
    }
    return inPlace(out);
  },
};
