// A forwarding loop, as both engines mean it: a copy that enters a place again on its own path with
// the same headers. A place is a device entered by one of its ports, a physical wire entered from one
// of its endpoints (or from the outside world), or the underlay entered by one tunnel port. What
// happens at a place depends only on the headers that enter it, so the copy would go round the same
// way until its TTL ran out (neither engine models the TTL): it ends there, as a `loop`, before the
// device-visit bound (limits.ts) is reached.
// Guarantees: the evaluator compares concrete packets field by field over `LOOP_FIELDS`; the solver
// compares its terms over the same fields (src/smt/loop.ts), ports and ICMP fields only where the
// packet has them, as a concrete packet carries them.
import type { Packet } from '../ir/packet.ts';

/** The headers two visits of a place must agree on to be the same packet going round. */
export const LOOP_FIELDS = ['eth_src', 'eth_dst', 'vlan', 'tun_id', 'eth_type', 'ip_src', 'ip_dst', 'proto', 'sport', 'dport', 'icmp_type', 'icmp_code'] as const satisfies readonly (keyof Packet)[];

/** The key of a place: `host|device|port` (`device` is `physnet:<name>` for a wire, `underlay` for the tunnel network). */
export function visitPlace(host: string, device: string, inPort: string | null): string {
  return `${host}|${device}|${inPort ?? '-'}`;
}

/** A wire's entry, as a place's port: the endpoint it was entered from, or the outside network that sent onto it. */
export function wireEntry(from: { readonly host: string; readonly device: string; readonly port: string } | null, fromOutside: string | null): string | null {
  return from !== null ? `${from.host}/${from.device}/${from.port}` : fromOutside !== null ? `outside:${fromOutside}` : null;
}

/** The rule a loop ends by, in words (both engines' traces say the same). */
export function loopRule(device: string, inPort: string | null): string {
  return `loop: ${device} entered again on ${inPort ?? '-'} with the same packet`;
}

/** A concrete packet's headers as one key (for the evaluator's visits). */
export function loopKey(p: Packet): string {
  // LOOP_FIELDS spelled out (one template rather than an array and a join per visit); a null field is
  // the empty text, as join wrote it.
  return `${p.eth_src}|${p.eth_dst}|${p.vlan ?? ''}|${p.tun_id ?? ''}|${p.eth_type}|${p.ip_src}|${p.ip_dst}|${p.proto}|${p.sport ?? ''}|${p.dport ?? ''}|${p.icmp_type ?? ''}|${p.icmp_code ?? ''}`;
}
