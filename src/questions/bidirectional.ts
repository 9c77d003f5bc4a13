// "Does some packet get there AND its reply come back?" (`--bidirectional`, `bidirectional: true`).
// Replies are not modelled symbolically (the solver quantifies over first packets), so the reply is
// replayed by the evaluator in the request's conntrack session (query.ts's checkReply). One failed
// reply says nothing about other packets: when the witness's reply fails, other packets that reach
// the destination are tried — the witness with each well-known protocol and port the question left
// free — before anything is concluded.
// Guarantees: `reachable` only with a request and a reply both replayed (the reply back at the sender
// with the original addresses); when every packet tried fails on the way back, the answer is
// `unknown` (no proof covers the packets not tried), with the first failing reply as its trace.
import type { Topology } from '../topology/model.ts';
import type { Dataplane } from '../ir/dataplane.ts';
import type { Ipv4, Packet } from '../ir/packet.ts';
import { IP_PROTO } from '../ir/packet.ts';
import type { Evaluator } from '../evaluate/index.ts';
import type { Trace } from '../evaluate/trace.ts';
import type { Sender } from './query.ts';
import { nextHopOf } from './trace.ts';
import { outsideFor, outsideOn } from './properties/common.ts';
import { findPacket, type Dest, type FieldConstraint, type SourceGroup } from './reach-set.ts';

/** The packets tried after the witness, as constraints added to the question's own (each only where the question left the fields free). */
const ALTERNATIVES: readonly FieldConstraint[] = [
  { proto: IP_PROTO.tcp, dport: 22 },
  { proto: IP_PROTO.tcp, dport: 80 },
  { proto: IP_PROTO.tcp, dport: 443 },
  { proto: IP_PROTO.udp, dport: 53 },
  { proto: IP_PROTO.icmp, icmpType: 8 },
];

export type RoundTrip =
  | { readonly ok: true; readonly witness: Packet; readonly check: ReplyCheck }
  | { readonly ok: false; readonly first: ReplyCheck; readonly tried: number; readonly reason: string };

/** Fits the question: every field the question fixes is the same in the alternative. */
function fits(asked: FieldConstraint, alt: FieldConstraint): FieldConstraint | null {
  const merged: Record<string, unknown> = { ...alt, ...asked };
  for (const k of Object.keys(alt) as (keyof FieldConstraint)[]) {
    const a = asked[k];
    if (a === undefined) continue;
    const v = alt[k];
    // A range the alternative's value lies in is kept as the alternative's value.
    if (Array.isArray(a) && typeof v === 'number' && v >= a[0]! && v <= a[1]!) merged[k] = v;
    else if (a !== v) return null;
  }
  return merged as FieldConstraint;
}

/**
 * The round trip of `witness` (a packet from `from` that reaches `dest`), or of another packet
 * that reaches it when that reply fails.
 */
export async function roundTrip(
  topo: Topology,
  dp: Dataplane,
  ev: Evaluator,
  from: Sender,
  group: SourceGroup,
  dest: Dest,
  asked: FieldConstraint,
  witness: Packet,
  timeoutMs: number,
): Promise<RoundTrip> {
  const first = checkReply(topo, dp, ev, from, dest, witness);
  if (first.ok) return { ok: true, witness, check: first };
  const seen = new Set([key(witness)]);
  let tried = 1;
  for (const alt of ALTERNATIVES) {
    const fields = fits(asked, alt);
    if (fields === null) continue;
    const f = await findPacket(dp, ev, [group], [dest], fields, timeoutMs);
    // A disagreement between solver and evaluator is never passed over: it ends the search, unknown.
    if (f.error !== undefined) return { ok: false, first, tried, reason: `solver and evaluator disagree on another packet: ${f.error}` };
    if (f.verdict !== 'reachable' || f.witness === null || seen.has(key(f.witness))) continue;
    seen.add(key(f.witness));
    tried++;
    const r = checkReply(topo, dp, ev, from, dest, f.witness);
    if (r.ok) return { ok: true, witness: f.witness, check: r };
  }
  const what = tried === 1 ? 'the reply to the only packet found' : `the replies to ${tried} different packets that get there`;
  return { ok: false, first, tried, reason: `${what} did not come back (${first.reason}); other packets are not proved either way` };
}

const key = (p: Packet) => `${p.proto}/${p.dport ?? '-'}/${p.icmp_type ?? '-'}/${p.ip_dst}`;

/** The station that answers at `dest` (bidirectional replies), as a sender endpoint. */
function replier(dp: Dataplane, dest: Dest, arrived: Packet): Sender | null {
  const at = arrived.ip_dst;
  switch (dest.kind) {
    case 'port':
      return { kind: 'port', station: dest.station, ip: dest.station.ip };
    case 'external': {
      // The upstream router of the subnet the packet got to, when it is one of theirs (an external network
      // may have several); for an address beyond them (the internet), the one of the subnet it came from
      // (its source, a router's SNAT address or floating IP, is where that router's default route leads);
      // else the first of the network's (null: of any external network).
      const o = outsideOn(dp.stations, dest.network, at) ?? outsideOn(dp.stations, dest.network, arrived.ip_src) ?? outsideFor(dp.stations, dest.network, at);
      return o ? { kind: 'outside', station: o, ip: at } : null;
    }
    case 'namespace':
    case 'prefix':
      return null;
    default: {
      const never: never = dest;
      throw new Error(`unknown destination ${JSON.stringify(never)}`);
    }
  }
}

/** The reply to `final` (as it arrived): addresses and ports swapped, sent to the replier's next hop. */
function replyPacket(topo: Topology, ev: Evaluator, who: Sender, final: Packet): Packet | null {
  const hop = nextHopOf(who, final.ip_src);
  if (hop === null) return null;
  const mac = ev.resolveArp(who.station, hop).mac;
  if (mac === null) return null;
  const echo = final.icmp_type === 8 ? 0 : final.icmp_type;
  return {
    ...final,
    eth_src: who.station.mac,
    eth_dst: mac,
    vlan: null,
    tun_id: null,
    ip_src: final.ip_dst,
    ip_dst: final.ip_src,
    sport: final.dport,
    dport: final.sport,
    icmp_type: echo,
  };
}

/** Is `t` the reply delivered back to the sender `from` with the original (un-NATed) addresses? */
function replyBack(t: Trace, from: Sender, witness: Packet): boolean {
  const d = t.deliveredTo;
  const at =
    from.kind === 'port'
      ? t.disposition === 'delivered' && d?.kind === 'vm' && d.vm === from.station.vm && d.port === from.station.index
      : (t.disposition === 'exited' || t.disposition === 'delivered') && d?.kind === 'external' && d.network === from.station.network;
  return at && t.final.ip_src === witness.ip_dst && t.final.ip_dst === witness.ip_src;
}

export interface ReplyCheck {
  readonly ok: boolean;
  /** The request, replayed in the session the reply shares. */
  readonly request: Trace;
  readonly reply: Trace | null;
  readonly reason: string;
}

/**
 * Replays `witness` from `from`, then its reply from the destination that got it, in one conntrack
 * session; ok when the reply is back at `from` with the original addresses (NAT undone).
 */
export function checkReply(topo: Topology, dp: Dataplane, ev: Evaluator, from: Sender, dest: Dest, witness: Packet): ReplyCheck {
  // The reply needs the request's conntrack entries: both in one session.
  const session = ev.session();
  const request = session.trace(from.station, witness);
  const who = replier(dp, dest, request.final);
  const reply = who ? replyPacket(topo, ev, who, request.final) : null;
  if (who === null || reply === null) return { ok: false, request, reply: null, reason: `the destination has no route or ARP answer back to ${request.final.ip_src}` };
  const back = session.trace(who.station, reply);
  const ok = replyBack(back, from, witness);
  return { ok, request, reply: back, reason: ok ? "the reply came back through the connection's state" : 'the reply to the witness did not come back to the sender with the original addresses' };
}
