// What the outside world's upstream router does with a frame it receives on its network, decided once
// for both engines (over `Logic`: the evaluator with concrete values, the solver with its terms).
// It answers ARP for its own gateway addresses only; takes a broadcast frame addressed to one of them
// or to the limited broadcast; takes a unicast frame to its MAC addressed to one of them; and routes
// any other unicast frame to its MAC. Routed to a host address of one of its own subnets (a DHCP port,
// a router's qg- gateway address, a floating IP), the packet goes back onto that subnet — hairpin, as
// a real router does with a packet whose destination is on the link it came from: the router looks
// the address up by ARP on its network (as the outside station of that subnet asks it, from its gateway
// address); no answer → `no-arp`, as for a router namespace's next hop; answered → sent back onto the
// physical network from the upstream router's MAC to the answer, the IP header unchanged (no TTL is
// modelled, as nowhere in netproof). Routed anywhere else, the packet has left the cloud (`exited`).
// A subnet's network and broadcast addresses are no host's: they are not sent back (they stay
// `exited`, as before the hairpin was modelled); nor is anything not IPv4.
// Guarantees: the branches partition the frames that reach the router on its VLAN (`firstOf`); a
// hairpin branch names the one outside station whose subnet holds the destination.
import { ETH_TYPE } from '../ir/packet.ts';
import { ipv4ToNumber } from '../net/ipv4.ts';
import { macToNumber } from '../net/mac.ts';
import { firstOf, type Branch, type Logic } from './logic.ts';
import type { OutsideStation, UpstreamRouter } from './topology-index.ts';

const BROADCAST = 0xffffffffffff;
const LIMITED_BROADCAST = 0xffffffff;
const ARP_REQUEST = 1;

/** What the upstream router does with a frame. */
export type UpstreamAction =
  /** An ARP request for one of its gateway addresses: answered with its MAC. */
  | { readonly kind: 'arp-reply' }
  /** A broadcast frame to its gateway address or the limited broadcast: taken, never routed on. */
  | { readonly kind: 'broadcast' }
  /** A unicast frame to its MAC and one of its gateway addresses (or the limited broadcast): taken. */
  | { readonly kind: 'own' }
  /** Routed back onto `station`'s subnet, which holds the destination: after an ARP lookup there. */
  | { readonly kind: 'hairpin'; readonly station: OutsideStation }
  /** Routed out of the cloud. */
  | { readonly kind: 'exited' }
  /** Not for the router (another MAC, an ARP request for an address it does not hold): not taken. */
  | { readonly kind: 'not-for-it' };

/** The header fields the decision reads. */
export interface UpstreamFrame<V> {
  readonly eth_type: V;
  readonly proto: V;
  readonly ip_dst: V;
  readonly eth_dst: V;
}

/** The host addresses of a subnet, as `[first, last]` (all of a /31 or /32). */
export function hostRange(cidr: { readonly ip: string; readonly prefixLen: number }): readonly [number, number] {
  const size = 2 ** (32 - cidr.prefixLen);
  const net = Math.floor(ipv4ToNumber(cidr.ip) / size) * size;
  return size <= 2 ? [net, net + size - 1] : [net + 1, net + size - 2];
}

/** The branches of the upstream router's decision on a frame that reached it on its VLAN. */
export function upstreamReceives<C, V>(l: Logic<C, V>, u: UpstreamRouter, p: UpstreamFrame<V>): Branch<C, UpstreamAction>[] {
  const arpRequest = l.and(l.eq(p.eth_type, ETH_TYPE.arp, 16), l.eq(p.proto, ARP_REQUEST, 8));
  const ipv4 = l.eq(p.eth_type, ETH_TYPE.ipv4, 16);
  const own = l.or(...u.gateways.map((gw) => l.eq(p.ip_dst, ipv4ToNumber(gw), 32)));
  const toRouter = l.and(ipv4, l.or(own, l.eq(p.ip_dst, LIMITED_BROADCAST, 32)));
  const hosts = (s: OutsideStation): C => {
    const [first, last] = hostRange(s.cidr);
    return l.and(l.prefix(p.ip_dst, ipv4ToNumber(s.cidr.ip), s.cidr.prefixLen), ...(last - first + 1 === 2 ** (32 - s.cidr.prefixLen) ? [] : [l.not(l.eq(p.ip_dst, first - 1, 32)), l.not(l.eq(p.ip_dst, last + 1, 32))]));
  };
  return firstOf<C, V, UpstreamAction>(l, [
    [l.and(arpRequest, own), { kind: 'arp-reply' }],
    [arpRequest, { kind: 'not-for-it' }],
    [l.and(l.eq(p.eth_dst, BROADCAST, 48), toRouter), { kind: 'broadcast' }],
    [l.not(l.eq(p.eth_dst, macToNumber(u.mac), 48)), { kind: 'not-for-it' }],
    [toRouter, { kind: 'own' }],
    ...u.stations.map((s): readonly [C, UpstreamAction] => [l.and(ipv4, hosts(s)), { kind: 'hairpin', station: s }]),
  ], { kind: 'exited' });
}
