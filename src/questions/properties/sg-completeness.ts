// The completeness half of `security-groups`: a first packet that a port's intent (sg-intent.ts)
// allows is never dropped by the port's own firewall — the hybrid iptables firewall on the Linux
// bridge (qbr) its NIC plugs into.
// - egress: a packet the port may send, opening a connection and allowed by its egress intent, that
//   ends dropped at its qbr having entered it from the VM's tap;
// - ingress: a packet from a sender that reaches the port's qbr from the network side (not from the
//   tap), addressed to the port (its MAC and IP, or an allowed address pair's, as it arrives there),
//   opening a connection and allowed by its ingress intent as it arrives, and is dropped there.
// Only first packets are asked about (conntrack NEW): an unsolicited ICMP answer or error is INVALID
// and Neutron drops it by design. A packet that only floods past the port (addressed to another MAC)
// is not for the port and is not judged.
// Guarantees: the drop site is the structured `at` of the symbolic end (never parsed from text), the
// entry port tells the direction, and a found witness becomes a violation only when its replay through
// the evaluator is dropped at that same qbr, entered by the same side, with the replayed packet
// allowed and addressed as the solver claimed; otherwise `unknown` with the disagreement.
import { protoName } from '../../report/packet-json.ts';
import type { Trace } from '../../evaluate/trace.ts';
import { ETH_TYPE } from '../../ir/packet.ts';
import type { PortT } from '../../topology/model.ts';
import { Enc, getZ3, type Cond, type SymPacket } from '../../smt/index.ts';
// The concrete-to-symbolic conversion, to judge a replayed packet with the same intent function.
import { concretePacket } from '../../smt/headers.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { portLabel, type VmStation } from './common.ts';
import { allows, type Direction } from './sg-intent.ts';
import { ipNum, macNum, opensConnection, type EndPredicate, type FinishedEnd, type SearchResult } from './search.ts';
import { violation } from './verdict.ts';

/** The port's own firewall: the netfiltered Linux bridge its NIC plugs into, and the NIC's port there. */
export interface FirewallSite {
  readonly host: string;
  readonly device: string;
  readonly tap: string;
}

/** The port's qbr, or null when its NIC does not plug into a netfiltered Linux bridge (no hybrid firewall). */
export function firewallSite(ctx: VerifyContext, s: VmStation): FirewallSite | null {
  const a = s.attachment;
  const br = ctx.dataplane.hosts.find((h) => h.name === a.host)?.linuxBridges.find((b) => b.name === a.device);
  return br?.netfilter === true ? { host: a.host, device: a.device, tap: a.port } : null;
}

/** Is this end a drop at the site, by a packet entering it from the VM (egress) or the network (ingress)? */
export function droppedAt(end: FinishedEnd, site: FirewallSite, dir: Direction): boolean {
  const at = end.at;
  if (end.disposition !== 'dropped' || at === undefined || at.host !== site.host || at.device !== site.device) return false;
  return dir === 'egress' ? at.inPort === site.tap : at.inPort !== site.tap;
}

/** The packet is for the port: to its MAC and IP, or to an allowed address pair's MAC and addresses. */
export function addressedTo(e: Enc, port: PortT, p: SymPacket): Cond {
  const own = e.and(e.eq(p.eth_dst, macNum(port.mac), 48), e.eq(p.ip_dst, ipNum(port.ip), 32));
  const pairs = port.allowedAddressPairs.map((a) => {
    const [ip, len] = a.ipAddress.split('/');
    return e.and(e.eq(p.eth_dst, macNum(a.macAddress ?? port.mac), 48), e.prefix(p.ip_dst, ipNum(ip!), len === undefined ? 32 : Number(len)));
  });
  return e.or(own, ...pairs);
}

/** What the completeness half asks of a packet as its firewall sees it: a first IPv4 packet the intent allows (and, in, one for the port). */
function allowedFirst(e: Enc, ctx: VerifyContext, port: PortT, p: SymPacket, dir: Direction): Cond {
  const v4 = e.eq(p.eth_type, ETH_TYPE.ipv4, 16);
  const forIt = dir === 'ingress' ? addressedTo(e, port, p) : true;
  return e.and(v4, opensConnection(e, p), forIt, allows(e, ctx.topology, port, p, dir));
}

/**
 * The completeness question for one end, as a search predicate: for a drop at the port's own firewall
 * in `dir`, the packets (egress: as sent; ingress: as they reach the firewall) the intent allows;
 * false for every other end. Asked together with the soundness half so each sender costs one check.
 */
export function droppedAllowed(ctx: VerifyContext, port: PortT, site: FirewallSite | null, dir: Direction): EndPredicate {
  return (e, sent, final, end) => (site !== null && droppedAt(end, site, dir) ? allowedFirst(e, ctx, port, dir === 'egress' ? sent : final, dir) : false);
}

/** A replayed copy dropped at the site, having entered it from the VM's side (egress) or the network's (ingress). */
export function droppedAtSite(copy: Trace, site: FirewallSite, dir: Direction): boolean {
  const d = copy.droppedAt;
  const last = copy.hops[copy.hops.length - 1];
  if (copy.disposition !== 'dropped' || d === null || d.host !== site.host || d.device !== site.device || last === undefined) return false;
  return last.host === site.host && last.device === site.device && (dir === 'egress') === (last.inPort === site.tap);
}

/** The replayed copy ends as claimed: dropped at the site, entered from the claimed side, the packet (as sent out, as arrived in) allowed and for the port. */
function replayedAsClaimed(e: Enc, ctx: VerifyContext, port: PortT, site: FirewallSite, dir: Direction, copy: Trace): boolean {
  return droppedAtSite(copy, site, dir) && allowedFirst(e, ctx, port, concretePacket(dir === 'egress' ? copy.packet : copy.final), dir) === true;
}

const fields = (p: Trace['final']) => `proto ${protoName(p)}${p.dport !== null ? ` dport ${p.dport}` : ''}${p.icmp_type !== null ? ` icmp type ${p.icmp_type}` : ''}`;

/** A found completeness witness, replayed: a violation naming the drop, or `unknown` when the evaluator disagrees. */
export async function completenessViolation(
  ctx: VerifyContext,
  property: string,
  subject: string,
  s: VmStation,
  port: PortT,
  site: FirewallSite,
  dir: Direction,
  f: Extract<SearchResult, { kind: 'found' }>,
  stands: string,
): Promise<PropertyResult> {
  // A concrete packet is judged without the solver (every term folds): a fresh encoder will do.
  const enc = new Enc(await getZ3());
  const rule = (t: Trace) => (t.droppedAt === null ? '' : `: ${t.droppedAt.rule}`);
  const say = (t: Trace) =>
    dir === 'egress'
      ? `egress: a first packet from ${portLabel(s)} to ${t.packet.ip_dst} (${fields(t.packet)}), which its groups allow, is dropped by its own firewall at ${site.device}@${site.host}${rule(t)}${stands}`
      : `ingress: a first packet from ${t.final.ip_src} to ${portLabel(s)} (${fields(t.final)}), which its groups allow, is dropped by its firewall at ${site.device}@${site.host}${rule(t)}${stands}`;
  return violation(ctx, property, subject, f, say, (c) => replayedAsClaimed(enc, ctx, port, site, dir, c));
}
