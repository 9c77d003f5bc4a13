// The concrete-first way to a `reachable` answer: `query` asks whether SOME packet gets there, so one
// packet the evaluator follows there is the proof. The packet tried is the one the solver's witness would
// end at when every witness preference holds together (src/smt/witness.ts, `defaultPreferences`, refined
// greedily in order, a preference pinning a field already pinned to another value dropped), with the free
// fields at their canonical values (canonical-witness.ts): then the answer is the one the solver's way
// gives (test/query/concrete-first.test.ts holds the two to each other), without the symbolic walk or a
// solver check. Anything else — that packet stopped, a question over several senders at once, an end
// whose words the trace does not settle — returns null and the solver's way answers.
// Only the first sender group is tried: the solver's way tries the groups in order and answers with the
// first that has a packet, so a packet of the first group is the answer it would give.
import type { Station } from '../ir/dataplane.ts';
import { ETH_TYPE, IP_PROTO, protoHasPorts, type Packet } from '../ir/packet.ts';
import type { Evaluator } from '../evaluate/index.ts';
import { formatIpv4, inPrefix, ipv4ToNumber } from '../net/ipv4.ts';
import { destIps, traceHits, type Dest, type FieldConstraint, type Finding, type SourceGroup } from './reach-set.ts';
import { firstHopMac, reasonOfTrace, representativeAddress, usableDestination } from './canonical-witness.ts';

/** The fields the witness preferences pin, by the names of the sent packet's variables. */
type Pins = Partial<Record<'eth_src' | 'ip_src' | 'ip_dst' | 'proto' | 'sport' | 'dport' | 'icmp_type' | 'icmp_code', number>>;

/** `defaultPreferences`' pinning preferences, in its order, for a sender (the non-pinning ones are checked on the packet). */
function pinningPreferences(station: Station): Pins[] {
  const own: Pins[] = station.kind === 'vm-port' ? [{ eth_src: macNumber(station.mac), ip_src: ipv4ToNumber(station.ip) }] : [];
  const ownAddress: Pins[] = station.kind === 'vm-port' ? [{ ip_src: ipv4ToNumber(station.ip) }] : [{ ip_src: 0x08080808 }];
  return [
    ...own,
    { proto: IP_PROTO.tcp },
    { dport: 80 },
    { dport: 443 },
    { dport: 22 },
    { sport: 40000 },
    { proto: IP_PROTO.udp },
    { proto: IP_PROTO.icmp, icmp_type: 8, icmp_code: 0 },
    ...ownAddress,
  ];
}

function macNumber(mac: string): number {
  return parseInt(mac.replace(/:/g, ''), 16);
}

/** Whether the question allows `v` in a field it constrains (a number or an inclusive range). */
function allows(c: number | readonly [number, number] | undefined, v: number): boolean {
  return c === undefined || (typeof c === 'number' ? c === v : c[0] <= v && v <= c[1]);
}

/**
 * The packet every preference holding together makes, sent by the first group's one sender to the one
 * destination address; null when the question leaves something open that the preferences do not settle.
 */
function preferredPacket(ev: Evaluator, g: SourceGroup, station: Station, dests: readonly Dest[], fields: FieldConstraint): Packet | null {
  const addresses = dests.flatMap(destIps);
  // One destination (or several sent to the same address): the address is the representative one.
  if (dests.length !== 1 && !addresses.every((c) => c.prefixLen === 32 && c.ip === addresses[0]!.ip)) return null;
  const ipDst = representativeAddress(dests[0]!);
  if (!usableDestination(ipDst)) return null;
  // What the question pins, then each preference that agrees with it and with those kept before it.
  const kept: Pins = {};
  if (typeof fields.proto === 'number') kept.proto = fields.proto;
  if (typeof fields.sport === 'number') kept.sport = fields.sport;
  if (typeof fields.dport === 'number') kept.dport = fields.dport;
  if (fields.icmpType !== undefined) kept.icmp_type = fields.icmpType;
  if (fields.icmpCode !== undefined) kept.icmp_code = fields.icmpCode;
  if (g.ipSrc !== undefined && g.ipSrc.length === 1 && g.ipSrc[0]!.prefixLen === 32) kept.ip_src = ipv4ToNumber(g.ipSrc[0]!.ip);
  const ipSrcAllowed = (ip: number) => g.ipSrc === undefined || g.ipSrc.some((c) => inPrefix(formatIpv4(ip), c.ip, c.prefixLen));
  const question: Record<string, (v: number) => boolean> = { sport: (v) => allows(fields.sport, v), dport: (v) => allows(fields.dport, v), ip_src: ipSrcAllowed };
  for (const pref of pinningPreferences(station)) {
    const entries = Object.entries(pref) as [keyof Pins, number][];
    if (entries.some(([f, v]) => kept[f] !== undefined && kept[f] !== v)) continue;
    // A value the question rules out is no packet of the question: its check would be unsat.
    if (entries.some(([f, v]) => question[f] !== undefined && !question[f]!(v))) continue;
    for (const [f, v] of entries) kept[f] = v;
  }
  if (kept.proto === undefined || kept.ip_src === undefined) return null;
  const proto = kept.proto;
  const ported = protoHasPorts(proto);
  const icmp = proto === IP_PROTO.icmp;
  if (ported && (kept.sport === undefined || kept.dport === undefined || kept.sport === 0 || kept.dport === 0)) return null;
  if (icmp && (kept.icmp_type === undefined || kept.icmp_code === undefined)) return null;
  const ethDst = firstHopMac(ev, station, ipDst);
  if (ethDst === null) return null;
  return {
    // The sender's own MAC: pinned by its first preference, else the canonical value (canonical-witness.ts).
    eth_src: station.mac,
    eth_dst: ethDst,
    vlan: station.kind === 'outside' ? station.vlan : null,
    tun_id: null,
    eth_type: ETH_TYPE.ipv4,
    ip_src: formatIpv4(kept.ip_src),
    ip_dst: ipDst,
    proto,
    sport: ported ? kept.sport! : null,
    dport: ported ? kept.dport! : null,
    icmp_type: icmp ? kept.icmp_type! : null,
    icmp_code: icmp ? kept.icmp_code! : null,
  };
}

/**
 * `reachable` by the preferred packet's replay, as the solver's way would answer `findPacket` for these
 * fields (the protocol already chosen: tcp first when free); null when that packet does not settle it.
 */
export function concreteFirst(ev: Evaluator, groups: readonly SourceGroup[], dests: readonly Dest[], fields: FieldConstraint): Finding | null {
  if (dests.length === 0) return null;
  const g = groups.find((x) => x.sources.length > 0);
  if (g === undefined || g.sources.length !== 1) return null;
  const station = g.sources[0]!.station;
  const packet = preferredPacket(ev, g, station, dests, fields);
  if (packet === null) return null;
  const trace = ev.session().trace(station, packet);
  if (trace.uncertain.length > 0 || !dests.some((d) => traceHits(trace, d))) return null;
  const reason = reasonOfTrace(trace);
  if (reason === null) return null;
  return { verdict: 'reachable', witness: packet, source: station, trace, reason };
}
