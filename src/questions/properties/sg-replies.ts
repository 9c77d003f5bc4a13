// The stateful part of `security-groups`: Neutron's hybrid firewall lets the replies of a connection
// back through the port's own firewall — the first rule of both of a port's chains is
// `-m state --state RELATED,ESTABLISHED -j RETURN` (iptables_firewall.py, every release rendered), so
// a reply passes whatever the groups' rules say. The solver asks about first packets only (conntrack
// NEW), so replies are replayed by the evaluator in the request's conntrack session (bidirectional.ts
// `checkReply`), for a class's representative:
// - egress: the reply to a first packet the port sends to a peer (the internet through its default
//   gateway, else another VM port on its network) comes back in through the port's firewall;
// - ingress: the port's reply to a first packet a VM port on its network sends it goes out through it.
// Requests are tried (PROTOCOLS, to each peer in turn) until one is delivered; its reply is replayed.
// Guarantees: a violation only when a replayed reply is dropped at the port's own firewall (its qbr,
// entered from the side the reply comes from) with nothing uncertain on either trace; any other outcome
// (no request delivered, a reply lost before the firewall) claims nothing, and the next request is
// tried. The result says which replies were let through and no more: other replies are not proved.
// What is judged is the port's firewall's treatment of a given reply, which its own devices decide: a
// `holds` settled there still rests on them alone (carry.ts), whichever way the reply came.
import type { Trace } from '../../evaluate/trace.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { checkReply } from '../bidirectional.ts';
import { traceCopies } from '../guard.ts';
import { firstPacketOf, type Sender } from '../trace.ts';
import type { PacketFields } from '../packet.ts';
import type { Dest } from '../reach-set.ts';
import { byNetwork, internetFor, portLabel, portOf, vmStations, type VmStation } from './common.ts';
import { untrackedPort } from '../../render/linux/zones.ts';
import { droppedAtSite, type FirewallSite } from './sg-completeness.ts';
import type { Direction } from './sg-intent.ts';
import { protoName } from '../../report/packet-json.ts';

/** The requests tried, in order: what a VM commonly opens. */
const PROTOCOLS: readonly PacketFields[] = [{ proto: 'tcp', dport: 22 }, { proto: 'icmp' }, { proto: 'udp', dport: 53 }, { proto: 'tcp', dport: 443 }];

/** The peers tried per direction. */
const MAX_PEERS = 2;

const byNetworkOf = new WeakMap<VerifyContext, ReadonlyMap<string, VmStation[]>>();
/** The VM ports of each network (once per context: every class asks its own network's). */
const onNetwork = (ctx: VerifyContext): ReadonlyMap<string, VmStation[]> => {
  let m = byNetworkOf.get(ctx);
  if (m === undefined) byNetworkOf.set(ctx, (m = byNetwork(vmStations(ctx))));
  return m;
};

export interface RepliesChecked {
  /** A reply dropped at the port's own firewall, as a violation; null when none was. */
  readonly violation: PropertyResult | null;
  /** What was replayed, for the result's message (`; replayed replies pass its firewall: …`). */
  readonly said: string;
}

const fields = (p: Trace['final']) => `${protoName(p)}${p.dport !== null ? `/${p.dport}` : ''}`;

const delivered = (t: Trace, d: Dest): boolean =>
  d.kind === 'port' ? t.disposition === 'delivered' && t.deliveredTo?.kind === 'vm' && t.deliveredTo.vm === d.station.vm && t.deliveredTo.port === d.station.index
    : d.kind === 'external' ? t.disposition === 'exited' || (t.disposition === 'delivered' && t.deliveredTo?.kind === 'external') : false;

const portDest = (s: VmStation): Dest => ({ kind: 'port', station: s, ipDst: s.ip, finalDst: s.ip });

interface Tried { readonly request: Trace; readonly reply: Trace; readonly peer: string }

/** Whether the reply got to the port's firewall: a hop of it there (let through or dropped). */
const reachedSite = (t: Trace, site: FirewallSite): boolean => traceCopies(t).some((c) => c.hops.some((h) => h.host === site.host && h.device === site.device));

/**
 * The first request from `from` to one of `peers` that is delivered and whose reply, replayed in its
 * session, gets to the port's firewall at `site`; null when none does.
 */
function firstRoundTrip(ctx: VerifyContext, from: Sender, peers: readonly { dest: Dest; ip: string; name: string }[], site: FirewallSite): Tried | null {
  for (const peer of peers.slice(0, MAX_PEERS)) {
    for (const f of PROTOCOLS) {
      const first = firstPacketOf(ctx.topology, ctx.evaluator, from, peer.ip, f);
      if ('stopped' in first) break;
      const c = checkReply(ctx.topology, ctx.dataplane, ctx.evaluator, from, peer.dest, first.packet);
      if (c.request.uncertain.length > 0 || !delivered(c.request, peer.dest) || c.reply === null || c.reply.uncertain.length > 0 || !reachedSite(c.reply, site)) continue;
      return { request: c.request, reply: c.reply, peer: peer.name };
    }
  }
  return null;
}

/** The replies to and from `s` (a class's representative) replayed through its firewall at `site`. */
export function checkReplies(ctx: VerifyContext, property: string, subject: string, s: VmStation, site: FirewallSite, stands: string): RepliesChecked {
  const port = portOf(ctx.topology, s);
  // An untracked port (stateless groups, Ussuri+) keeps no connection: a reply passes only by a rule,
  // which the first-packet questions already judge (every packet of it is UNTRACKED, a reply too).
  if (port !== undefined && untrackedPort(ctx.topology, port)) return { violation: null, said: '; replies not replayed: its groups are stateless, so a reply passes only by their rules' };
  const neighbours = (onNetwork(ctx).get(s.network) ?? []).filter((x) => x.portId !== s.portId && x.ip !== s.ip);
  // Its default gateway's router: the network's router at that address (subnets of other networks may share it).
  const router = ctx.topology.routers.find((r) => r.gateway !== null && r.interfaces.some((i) => i.network === s.network && i.port.ip === s.gateway));
  const internet = router === undefined ? null : internetFor(ctx.topology, router);
  // The internet first: no group's rule names it, so only the connection's state lets its reply in
  // (a neighbour's reply may be let in by a rule for its group as well).
  const outward = [
    ...(internet === null || router?.gateway == null ? [] : [{ dest: { kind: 'external', network: router.gateway.network, ipDst: [{ ip: internet, prefixLen: 32 }] } as Dest, ip: internet, name: internet }]),
    ...neighbours.map((x) => ({ dest: portDest(x), ip: x.ip, name: portLabel(x) })),
  ];
  const me: Sender = { kind: 'port', station: s, ip: s.ip };
  const said: string[] = [];
  const judge = (dir: Direction, t: Tried | null): PropertyResult | null => {
    if (t === null) return null;
    // The reply crosses the firewall the other way round from its request.
    const replyDir: Direction = dir === 'egress' ? 'ingress' : 'egress';
    if (droppedAtSite(t.reply, site, replyDir)) {
      const what = dir === 'egress'
        ? `the reply from ${t.peer} to ${portLabel(s)}'s ${fields(t.request.packet)} is dropped by its own firewall at ${site.device}@${site.host}`
        : `${portLabel(s)}'s reply to ${t.peer}'s ${fields(t.request.packet)} is dropped by its own firewall at ${site.device}@${site.host}`;
      return {
        property, subject, verdict: 'violated', witness: t.reply.packet, trace: t.reply,
        claim: { says: `is dropped at ${site.device}@${site.host}`, shownBy: (x: Trace) => droppedAtSite(x, site, replyDir) },
        message: `${dir} replies: ${what}${t.reply.droppedAt === null ? '' : `: ${t.reply.droppedAt.rule}`}, although its request got through (a stateful firewall lets a connection's replies back)${stands}`,
      };
    }
    said.push(dir === 'egress' ? `${t.peer}'s reply to its ${fields(t.request.packet)}` : `its reply to ${t.peer}'s ${fields(t.request.packet)}`);
    return null;
  };
  const out = judge('egress', firstRoundTrip(ctx, me, outward, site));
  if (out !== null) return { violation: out, said: '' };
  for (const x of neighbours.slice(0, MAX_PEERS)) {
    const t = firstRoundTrip(ctx, { kind: 'port', station: x, ip: x.ip }, [{ dest: portDest(s), ip: s.ip, name: portLabel(s) }], site);
    if (t === null) continue;
    const back = judge('ingress', { ...t, peer: portLabel(x) });
    if (back !== null) return { violation: back, said: '' };
    break;
  }
  return { violation: null, said: said.length === 0 ? '; no reply replayed (no first packet tried had its reply reach the firewall)' : `; replayed replies pass its firewall: ${said.join(', ')}` };
}

