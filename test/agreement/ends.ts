// How a fixed packet ends, on each side, as a set of comparable keys: one key per copy that reaches
// somewhere (a VM port, a namespace, the outside world), with the packet as it arrives there, and
// one per kind of copy that stops (dropped, no-route, no-arp, loop, not followed to its end).
//
// Reaching the outside world is one end whichever word names it: the evaluator says `delivered` when
// the packet is addressed to the upstream router's own IP and `exited` otherwise, the solver says
// `exited` for both (as `sameEnd` in src/questions/properties/search.ts does). Both become
// `external:<network>`.
// Guarantees: equal key sets mean the same places reached with the same headers (MACs, VLAN, IPs,
// protocol, ports or ICMP type/code) and the same kinds of stops.
import type { Packet } from '../../src/ir/packet.ts';
import type { Delivery, Trace } from '../../src/evaluate/index.ts';
import type { End } from '../../src/smt/index.ts';
import type { SymPacket } from '../../src/smt/headers.ts';
import { numToIp, numToMac } from '../../src/smt/headers.ts';
import type { Val } from '../../src/smt/cond.ts';

/** The headers a key compares, as plain values. */
interface Final {
  readonly eth_src: string;
  readonly eth_dst: string;
  readonly vlan: number | null;
  readonly ip_src: string;
  readonly ip_dst: string;
  readonly proto: number;
  readonly sport: number | null;
  readonly dport: number | null;
  readonly icmp_type: number | null;
  readonly icmp_code: number | null;
}

function place(d: Delivery | null): string {
  if (d === null) return 'nowhere';
  switch (d.kind) {
    case 'vm': return `vm:${d.vm}:${d.port}@${d.host}`;
    case 'namespace': return `ns:${d.namespace}@${d.host}`;
    case 'external': return `external:${d.network}`;
    default: {
      const never: never = d;
      throw new Error(`unknown delivery ${JSON.stringify(never)}`);
    }
  }
}

function headers(f: Final): string {
  const l4 = f.proto === 6 || f.proto === 17 ? `${f.sport}>${f.dport}` : f.proto === 1 ? `type ${f.icmp_type} code ${f.icmp_code}` : '';
  return `${f.eth_src}>${f.eth_dst} vlan ${f.vlan ?? '-'} ${f.ip_src}>${f.ip_dst} proto ${f.proto} ${l4}`;
}

/** The key of an end: where it arrived with which headers, or the kind of stop. */
export function keyOf(disposition: string, delivery: Delivery | null, final: Final): string {
  if (disposition === 'delivered' || disposition === 'exited') return `${place(delivery)} ${headers(final)}`;
  return disposition;
}

/** Every copy of a trace: the followed one and its branches, depth first. */
export function copies(t: Trace): Trace[] {
  return [t, ...t.branches.flatMap(copies)];
}

const fromPacket = (p: Packet): Final => p;

/** The evaluator's ends for one trace (every copy). */
export function evaluatorKeys(t: Trace): Set<string> {
  return new Set(copies(t).map((c) => keyOf(c.disposition, c.deliveredTo, fromPacket(c.final))));
}

/** A symbolic packet's headers, each field read by `num` (a number as is; a term through a model). */
export function finalOf(p: SymPacket, num: (v: Val) => number): Final {
  const proto = num(p.proto);
  const ported = proto === 6 || proto === 17;
  const icmp = proto === 1;
  return {
    eth_src: numToMac(num(p.eth_src)), eth_dst: numToMac(num(p.eth_dst)),
    vlan: p.vlan === null ? null : num(p.vlan) % 4096,
    ip_src: numToIp(num(p.ip_src)), ip_dst: numToIp(num(p.ip_dst)), proto,
    sport: ported ? num(p.sport) : null, dport: ported ? num(p.dport) : null,
    icmp_type: icmp ? num(p.icmp_type) : null, icmp_code: icmp ? num(p.icmp_code) : null,
  };
}

/** A solver end's key; an end not followed to its finish is `unknown: <reason>` (never an exact end). */
export function solverKey(end: End, num: (v: Val) => number): string {
  if (end.kind === 'unknown') return `unknown: ${end.reason}`;
  if (end.kind === 'cut') return `cut: ${end.where}`;
  return keyOf(end.disposition, end.delivery, finalOf(end.path.packet, num));
}

/** Reads a value that must already be concrete (the concrete walk). */
export function concreteNum(v: Val): number {
  if (typeof v !== 'number') throw new Error(`symbolic value in a concrete walk: ${v.toString()}`);
  return v;
}

/** The keys in one set and not the other, for a readable failure. */
export function difference(evaluator: ReadonlySet<string>, solver: ReadonlySet<string>): { onlyEvaluator: string[]; onlySolver: string[] } {
  return {
    onlyEvaluator: [...evaluator].filter((k) => !solver.has(k)).sort(),
    onlySolver: [...solver].filter((k) => !evaluator.has(k)).sort(),
  };
}
