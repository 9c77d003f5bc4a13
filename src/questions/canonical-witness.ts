// A witness's free fields given one value each, so that the same question on the same model has the same
// answer whatever the process asked before. The solver's model fixes every field, but only some of them
// are chosen: the question pins some (tcp/443), the witness's preferences others (the sender's own MAC
// and address, source port 40000); the rest are whatever Z3's model happens to hold, and that depends on
// the terms and checks the process made before. Those free fields take canonical values here: the
// sender's own MAC, the next hop its ARP resolves (as `trace` sends it), the destination's representative
// address. The packet so made is no witness until replayed: callers keep it only when its replay through
// the evaluator gets to the question's destination (reach-set.ts), and the solver's own packet otherwise.
// `reasonOfTrace` says where a replay ended in the words the solver uses for that end, so that an answer
// built on a replay (the canonical packet's, or the concrete-first one's, concrete-first.ts) reads the same.
import type { Station } from '../ir/dataplane.ts';
import type { Ipv4, Packet } from '../ir/packet.ts';
import type { Evaluator } from '../evaluate/index.ts';
import type { Trace } from '../evaluate/trace.ts';
import type { FixedFields } from '../smt/index.ts';
import { inPrefix, ipv4ToNumber } from '../net/ipv4.ts';
import { someAddress } from './user-properties/cidr.ts';
import { nextHopOf, type Sender } from './trace.ts';
import { destIps, type Dest } from './reach-set.ts';

/** The address a packet to `d` is sent to when nothing else says which (the representative packet's, as `query` builds it). */
export function representativeAddress(d: Dest): Ipv4 {
  switch (d.kind) {
    case 'port':
      return d.ipDst;
    case 'namespace':
      return d.ip;
    case 'external':
    case 'prefix':
      return someAddress(destIps(d)[0]!);
    default: {
      const never: never = d;
      throw new Error(`unknown destination ${JSON.stringify(never)}`);
    }
  }
}

/** The witness preference "a usable destination" (src/smt/witness.ts): not 0.0.0.0/8, not the limited broadcast. */
export function usableDestination(ip: Ipv4): boolean {
  const n = ipv4ToNumber(ip);
  return n >>> 24 !== 0 && n !== 0xffffffff;
}

/** The MAC `station` sends a packet to `dst` to: its next hop's, resolved through the dataplane as `trace` does; null when none answers. */
export function firstHopMac(ev: Evaluator, station: Station, dst: Ipv4): string | null {
  const from: Sender = station.kind === 'vm-port' ? { kind: 'port', station, ip: station.ip } : { kind: 'outside', station, ip: station.gateway };
  const hop = nextHopOf(from, dst);
  return hop === null ? null : ev.resolveArp(station, hop).mac;
}

/**
 * `witness` (sent by `station`) with its free fields at their canonical values, as candidates in the
 * order to try them: the source MAC at the station's own, the destination address (when the question
 * leaves it free) at `dst`'s representative one, the destination MAC at the first hop's; a source
 * address no preference pinned at the station's own, else at each address of `neighbours` (the VM ports
 * of its network, lowest first: a security group may let only some of them in). Fields `pinned` (by the
 * question or a kept preference) and ports and ICMP fields are the witness's own.
 */
export function canonicalWitnesses(ev: Evaluator, station: Station, witness: Packet, pinned: FixedFields, dst: Dest | null, neighbours: readonly Station[]): Packet[] {
  const ipDst = pinned.ip_dst !== undefined || dst === null ? witness.ip_dst : representativeAddress(dst);
  const ip_dst = usableDestination(witness.ip_dst) && !usableDestination(ipDst) ? witness.ip_dst : ipDst;
  const eth_src = pinned.eth_src !== undefined ? witness.eth_src : station.mac;
  const eth_dst = pinned.eth_dst !== undefined ? witness.eth_dst : (firstHopMac(ev, station, ip_dst) ?? witness.eth_dst);
  const sources = pinned.ip_src !== undefined || station.kind !== 'vm-port' ? [witness.ip_src] : sourceCandidates(station, witness.ip_src, neighbours);
  return sources.map((ip_src) => ({ ...witness, eth_src, eth_dst, ip_src, ip_dst }));
}

/** How many of a network's addresses a free source address is tried at. */
const SOURCE_CANDIDATES = 8;

/** The station's own address, then its network's VM ports' addresses lowest first, that stay in the subnet when the witness's does. */
function sourceCandidates(station: Extract<Station, { kind: 'vm-port' }>, own: string, neighbours: readonly Station[]): string[] {
  const inSubnet = (ip: string) => inPrefix(ip, station.ip, station.prefixLen);
  const others = neighbours.filter((s): s is Extract<Station, { kind: 'vm-port' }> => s.kind === 'vm-port' && s.network === station.network && s.ip !== station.ip)
    .map((s) => s.ip).sort((a, b) => ipv4ToNumber(a) - ipv4ToNumber(b));
  const all = [...new Set([station.ip, ...others])].filter((ip) => !inSubnet(own) || inSubnet(ip));
  return all.slice(0, SOURCE_CANDIDATES);
}

export function samePacket(a: Packet, b: Packet): boolean {
  return (Object.keys(a) as (keyof Packet)[]).every((k) => a[k] === b[k]);
}

/**
 * Where a trace ended, in the solver's words for that end (src/smt/walk.ts, namespace.ts): leaving the
 * cloud, delivered to a VM port, delivered locally in a namespace. Null for any other end (an upstream
 * router's own address, a broadcast), whose words the trace does not settle.
 */
export function reasonOfTrace(t: Trace): string | null {
  const d = t.deliveredTo;
  if (t.disposition === 'exited' && d?.kind === 'external') return `outside:${d.network}`;
  if (t.disposition === 'delivered' && d?.kind === 'vm') return `${d.host}/vm:${d.vm}:${d.port}`;
  if (t.disposition === 'delivered' && d?.kind === 'namespace') return `${d.host}/${d.namespace}: local delivery`;
  return null;
}
