// Copies a router sends out of its interface on an external network that can only end untold, decided
// once per header key rather than walked per sender.
// Why: under `onlyTelling` with `stopAcrossExternal` (the built-in properties' `near` walks), every
// sender's packets routed out of its router's gateway port split into one copy per address on the
// external subnet that answers ARP (every other router's gateway address and floating IPs) and per
// packet state; each copy was walked across the external network to that router, cut there, and told
// nothing. That part of a sender's walk grew with the routers and floating IPs, and the senders with the
// VMs: the sweep's cost grew as their product (README, Performance).
// Soundness: the walk from the exit onwards depends on the copy only through its headers, its open
// connections (`conns`, read by netfilter alone: namespaces and Linux bridges' br_netfilter), the trail
// behind it (which can only end copies earlier, as `loop`) and the device visits so far (`hops`). A
// walk with the key's fields as the copy has them and every other header field left symbolic covers
// every value of those fields; when it enters no place with netfilter and lists no telling end, no
// copy with that key, whatever its other fields, connections or trail, can list one.
import type { Port } from './walk-ctx.ts';
import type { SymPacket } from './headers.ts';
import type { TopologyIndex } from '../semantics/topology-index.ts';

/**
 * The key a crossing is decided by: where it leaves, after how many device visits, and the header
 * fields a copy's walk there is keyed on; null when one of them is not a single value.
 */
export function crossingKey(from: Port, hops: number, p: SymPacket): string | null {
  const one = (v: unknown) => typeof v === 'number';
  if (!one(p.eth_src) || !one(p.eth_dst) || !one(p.eth_type) || !one(p.ip_dst)) return null;
  if ((p.vlan !== null && !one(p.vlan)) || (p.tun_id !== null && !one(p.tun_id))) return null;
  return [from.host, from.device, from.port, hops, p.eth_src, p.eth_dst, p.vlan, p.tun_id, p.eth_type, p.ip_dst].join('\u0000');
}

/**
 * The place (loop.ts `visitPlace`) holds no connection state the walk reads: an OVS bridge (this model
 * has no OVS conntrack; an unsupported action is an `unknown` end), a VM, a tunnel's underlay, a
 * physical wire, or the outside world's side of one. A namespace and a Linux bridge run netfilter.
 */
export function stateless(index: TopologyIndex, place: string): boolean {
  const a = place.indexOf('|');
  const b = place.indexOf('|', a + 1);
  if (a < 0 || b < 0) return false;
  const host = place.slice(0, a);
  const device = place.slice(a + 1, b);
  if (host === 'outside' || device === 'underlay' || device.startsWith('physnet:')) return true;
  const kind = index.device(host, device)?.kind;
  return kind === 'ovs' || kind === 'vm';
}
