// Random packets for the differential oracles: a seeded generator (the same seed gives the same
// packets, so a failure replays) biased towards what a Neutron dataplane's rules look at — the
// addresses, VLANs and tunnel keys of the topology itself — mixed with the edge cases real kernels and
// switches treat specially: IPv4 of every protocol family the model handles (TCP, UDP, ICMP, SCTP and
// UDP-Lite with ports, others; not DCCP: kernels since 6.16 track it without its ports),
// ARP requests and replies, other ethertypes, VLAN 0 / 4095 / random, reserved multicast and all-zero
// MACs, martian addresses. Pure: the seed and the universe in, packets out.
import type { Packet } from '../../src/ir/packet.ts';
import { BROADCAST_MAC, ETH_TYPE, IP_PROTO, protoHasPorts } from '../../src/ir/packet.ts';
import { formatIpv4 } from '../../src/net/ipv4.ts';
import { formatMac } from '../../src/net/mac.ts';

/** A small, fast, seeded PRNG (mulberry32): `next()` in [0, 1). */
export class Rng {
  private s: number;
  constructor(readonly seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One of the weighted alternatives. */
  weighted<T>(alts: readonly (readonly [number, T])[]): T {
    const total = alts.reduce((a, [w]) => a + w, 0);
    let r = this.next() * total;
    for (const [w, v] of alts) {
      if ((r -= w) < 0) return v;
    }
    return alts[alts.length - 1]![1];
  }
}

/** The seed an oracle suite uses: NETPROOF_ORACLE_SEED when set (to replay a failure), else `fixed`. */
export function oracleSeed(fixed: number): number {
  const env = process.env.NETPROOF_ORACLE_SEED;
  const n = env === undefined ? NaN : Number(env);
  return Number.isInteger(n) ? n >>> 0 : fixed;
}

/** The values of one topology worth aiming at (each list may be empty). */
export interface Universe {
  readonly macs: readonly string[];
  readonly ips: readonly string[];
  readonly vlans: readonly number[];
  readonly tunIds: readonly number[];
  /** Transport ports the dataplane's rules name, with one past each bound (a rule is most often wrong at its edges). */
  readonly ports?: readonly number[];
}

/** Destinations OVS's NORMAL and the Linux bridge treat specially (802.1D reserved, Cisco, Extreme). */
export const RESERVED_MACS: readonly string[] = [
  ...Array.from({ length: 16 }, (_, i) => `01:80:c2:00:00:${i.toString(16).padStart(2, '0')}`),
  '01:00:0c:cc:cc:cc', '01:00:0c:cc:cc:cd', '01:00:0c:cd:cd:cd', '01:00:0c:00:00:00', '01:00:0c:cc:cc:c3',
  '00:e0:2b:00:00:00', '00:e0:2b:00:00:04',
];
export const ZERO_MAC = '00:00:00:00:00:00';

/** Addresses the kernel's martian checks are about: zeronet, loopback, multicast, limited broadcast, class E. */
export const MARTIAN_IPS: readonly string[] = ['0.0.0.0', '0.1.2.3', '127.0.0.1', '127.5.6.7', '224.0.0.1', '224.0.0.251', '239.1.2.3', '255.255.255.255', '240.0.0.1'];

// Not 0x8100 or 0x88a8: those are VLAN tag types, and a frame carrying one is a tagged frame (the `vlan` field).
const OTHER_ETHERTYPES = [ETH_TYPE.ipv6, 0x88cc, 0x8035, 0x0842, 0x1234];
const PORTS = [22, 53, 67, 68, 80, 443, 9697, 1, 1023, 1024, 40000, 65535];
const OTHER_PROTOS = [0, 2, 4, 47, 50, 89, 112, 255];

function randomUnicastMac(r: Rng): string {
  // Locally administered, unicast: bit 1 of the first byte set, bit 0 clear.
  const first = (r.int(0, 63) << 2) | 0x02;
  return formatMac(first * 2 ** 40 + r.int(0, 2 ** 20 - 1) * 2 ** 20 + r.int(0, 2 ** 20 - 1));
}

function mac(r: Rng, u: Universe, role: 'src' | 'dst'): string {
  return r.weighted<() => string>([
    [u.macs.length > 0 ? 55 : 0, () => r.pick(u.macs)],
    [role === 'dst' ? 15 : 0, () => BROADCAST_MAC],
    [5, () => r.pick(RESERVED_MACS)],
    [4, () => ZERO_MAC],
    [4, () => formatMac(0x01005e000000 + r.int(0, 0x7fffff))],
    [12, () => randomUnicastMac(r)],
  ])();
}

function ip(r: Rng, u: Universe): string {
  return r.weighted<() => string>([
    [u.ips.length > 0 ? 60 : 0, () => r.pick(u.ips)],
    [10, () => r.pick(MARTIAN_IPS)],
    [10, () => r.pick(['8.8.8.8', '198.51.100.7', '203.0.113.77', '169.254.169.254', '10.0.0.1'])],
    [12, () => formatIpv4(r.int(0, 0xffffffff))],
  ])();
}

const port = (r: Rng, u: Universe) => (u.ports !== undefined && u.ports.length > 0 && r.chance(0.3) ? r.pick(u.ports) : r.chance(0.6) ? r.pick(PORTS) : r.int(0, 65535));

/** How a packet arrives at the port being tested. */
export interface Arrival {
  /** A VLAN tag on the frame: 'none' untagged, 'any' as the generator likes. */
  readonly vlan: 'none' | 'any';
  /** The frame comes off a tunnel: it carries a tunnel key. */
  readonly tunnel: boolean;
}

/** One random packet for a port that receives frames as `arrival` says. */
export function randomPacket(r: Rng, u: Universe, arrival: Arrival): Packet {
  const vlan = arrival.vlan === 'none' || r.chance(0.35)
    ? null
    : r.weighted<() => number>([[u.vlans.length > 0 ? 70 : 0, () => r.pick(u.vlans)], [10, () => 0], [8, () => 4095], [12, () => r.int(1, 4094)]])();
  const tun_id = arrival.tunnel ? (u.tunIds.length > 0 && r.chance(0.8) ? r.pick(u.tunIds) : r.int(0, 0xffffff)) : null;
  const base = { eth_src: mac(r, u, 'src'), eth_dst: mac(r, u, 'dst'), vlan, tun_id };
  const kind = r.weighted<'ipv4' | 'arp' | 'other'>([[62, 'ipv4'], [26, 'arp'], [12, 'other']]);
  if (kind === 'arp') {
    return { ...base, eth_type: ETH_TYPE.arp, ip_src: ip(r, u), ip_dst: ip(r, u), proto: r.weighted([[60, 1], [35, 2], [5, r.int(3, 9)]]), sport: null, dport: null, icmp_type: null, icmp_code: null };
  }
  if (kind === 'other') {
    // Non-IP frames keep the L3 fields empty, as the evaluator reads none of them.
    return { ...base, eth_type: r.pick(OTHER_ETHERTYPES), ip_src: '0.0.0.0', ip_dst: '0.0.0.0', proto: 0, sport: null, dport: null, icmp_type: null, icmp_code: null };
  }
  const proto = r.weighted<number>([[35, IP_PROTO.tcp], [30, IP_PROTO.udp], [8, IP_PROTO.sctp], [6, IP_PROTO.udplite], [22, IP_PROTO.icmp], [13, r.pick(OTHER_PROTOS)]]);
  const l3 = { ...base, eth_type: ETH_TYPE.ipv4, ip_src: ip(r, u), ip_dst: ip(r, u), proto };
  if (protoHasPorts(proto)) return { ...l3, sport: port(r, u), dport: port(r, u), icmp_type: null, icmp_code: null };
  if (proto === IP_PROTO.icmp) {
    const [t, c] = r.weighted<readonly [number, number]>([[50, [8, 0]], [15, [0, 0]], [15, [3, r.int(0, 15)]], [20, [r.int(0, 255), r.int(0, 255)]]]);
    return { ...l3, sport: null, dport: null, icmp_type: t, icmp_code: c };
  }
  return { ...l3, sport: null, dport: null, icmp_type: null, icmp_code: null };
}
