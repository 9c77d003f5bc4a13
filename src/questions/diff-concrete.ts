// Concrete packets to try before a sender's first solver check in `diff`: a packet built from what
// changed (a security-group rule added or removed on either side: its protocol and first port or ICMP
// type) and the witness preferences (the sender's own addresses, source port 40000), sent to a place
// where the sender's ends differ (a VM port's fixed address, its floating IPs on either side; a
// well-known internet host for an external network). When the two evaluators' replays of one show a
// difference there, the sender very likely has one, and its first check is asked of its incremental
// solver rather than of a fresh one (questions/diff.ts: a fresh solver proves "nothing differs"
// fastest, but internalizes the sender's whole question only to have the incremental solver do it
// again). Only the choice of solver depends on this: a candidate that misleads (a packet in the
// unknown region, a question narrowed by `--proto`) costs time, never an answer.
import type { Packet } from '../ir/packet.ts';
import { ETH_TYPE, IP_PROTO, protoHasPorts } from '../ir/packet.ts';
import type { Station } from '../ir/dataplane.ts';
import type { Topology } from '../topology/model.ts';
import type { Delivery } from '../semantics/delivery.ts';

/** Headers a change could be about: a protocol and its destination port or ICMP type. */
export interface ChangedHeaders {
  readonly proto: number;
  readonly dport: number | null;
  readonly icmpType: number | null;
  readonly icmpCode: number | null;
}

/** Most header choices tried per sender (each costs a replay on both sides per place). */
const MAX_HEADERS = 3;
/** Most places a sender's candidates are sent to. */
const MAX_PLACES = 4;

/**
 * The headers of the security-group rules one side has and the other not (compared by what they say,
 * not by id), in the order of the groups and rules; a plain TCP packet to port 80 when none changed
 * (a route, a floating IP, port security: the packet the witness preferences make first).
 */
export function changedHeaders(before: Topology, after: Topology): ChangedHeaders[] {
  const rulesOf = (t: Topology) => new Map(t.securityGroups.map((g) => [g.id, new Set(g.rules.map(({ id: _id, ...r }) => JSON.stringify(r)))]));
  const [b, a] = [rulesOf(before), rulesOf(after)];
  const out = new Map<string, ChangedHeaders>();
  const add = (rule: string) => {
    const r = JSON.parse(rule) as { protocol: number | null; portMin: number | null; icmpType: number | null; icmpCode: number | null; ethertype: string };
    if (r.ethertype !== 'IPv4') return;
    const proto = r.protocol ?? IP_PROTO.tcp;
    const ported = protoHasPorts(proto);
    const h: ChangedHeaders = { proto, dport: ported ? (r.portMin ?? 80) : null, icmpType: proto === IP_PROTO.icmp ? (r.icmpType ?? 8) : null, icmpCode: proto === IP_PROTO.icmp ? (r.icmpCode ?? 0) : null };
    out.set(JSON.stringify(h), h);
  };
  for (const [side, other] of [[b, a], [a, b]] as const) {
    for (const [id, rules] of side) for (const r of rules) if (!(other.get(id)?.has(r) ?? false)) add(r);
  }
  const found = [...out.values()].slice(0, MAX_HEADERS);
  return found.length > 0 ? found : [{ proto: IP_PROTO.tcp, dport: 80, icmpType: null, icmpCode: null }];
}

/** The addresses a packet is sent to for a place: a VM port's fixed and floating addresses on either side, or an internet host. */
function destinations(place: Delivery, sides: readonly { readonly topology: Topology; readonly stations: readonly Station[] }[]): string[] {
  if (place.kind === 'external') return ['8.8.8.8'];
  if (place.kind !== 'vm') return [];
  const out = new Set<string>();
  for (const s of sides) {
    for (const x of s.stations) if (x.kind === 'vm-port' && x.vm === place.vm && x.index === place.port) out.add(x.ip);
    for (const f of s.topology.floatingIps) if (f.vm === place.vm && f.portIndex === place.port) out.add(f.ip);
  }
  return [...out];
}

/**
 * The candidate packets of a VM-port sender for the places its ends differ at (in the order given),
 * as the sender puts them on the wire but for the destination MAC, which each side's replay resolves.
 * None for another sender (the outside world has no address of its own to prefer).
 */
export function candidates(sender: Station, places: readonly Delivery[], headers: readonly ChangedHeaders[], sides: readonly { readonly topology: Topology; readonly stations: readonly Station[] }[]): { readonly place: Delivery; readonly packet: Packet }[] {
  if (sender.kind !== 'vm-port') return [];
  const out: { place: Delivery; packet: Packet }[] = [];
  for (const place of places.slice(0, MAX_PLACES)) {
    for (const ipDst of destinations(place, sides)) {
      for (const h of headers) {
        const ported = protoHasPorts(h.proto);
        out.push({ place, packet: { eth_src: sender.mac, eth_dst: '00:00:00:00:00:00', vlan: null, tun_id: null, eth_type: ETH_TYPE.ipv4, ip_src: sender.ip, ip_dst: ipDst, proto: h.proto, sport: ported ? 40000 : null, dport: ported ? h.dport : null, icmp_type: h.icmpType, icmp_code: h.icmpCode } });
      }
    }
  }
  return out;
}
