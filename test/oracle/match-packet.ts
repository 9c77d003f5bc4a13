// Packets built from a flow's own match, for the differential oracles: random packets rarely meet a
// narrow flow (an ARP request for one address on one local VLAN from one port), so each flow of a
// bridge also gets a packet that satisfies every field its match names — masked fields with the free
// bits random — and the rest from the random generator. The packet enters at table 0 like any other:
// a flow of a later table is reached only if the pipeline leads there, as it would in the real switch.
// Pure: a seeded generator, the universe and a match in, a packet (or why none can be built) out.
import type { Packet } from '../../src/ir/packet.ts';
import { ETH_TYPE, IP_PROTO, protoHasPorts } from '../../src/ir/packet.ts';
import type { Cidr, Flow, FlowMatch, MaskedInt, MaskedMac } from '../../src/ir/openflow.ts';
import { formatIpv4, ipv4ToNumber, prefixMask } from '../../src/net/ipv4.ts';
import { formatMac, macToNumber } from '../../src/net/mac.ts';
import { randomPacket, type Rng, type Universe } from './random-packet.ts';

/** `value` on the bits `mask` sets, random elsewhere (`bits` wide, at most 32). */
function masked(r: Rng, m: MaskedInt, bits: number): number {
  const full = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  const mask = (m.mask ?? full) >>> 0;
  return (((m.value & mask) | (r.int(0, full) & ~mask)) & full) >>> 0;
}

function maskedMac(r: Rng, m: MaskedMac): string {
  if (m.mask === null) return m.mac;
  // Byte by byte: 48 bits do not fit JavaScript's 32-bit bitwise operators.
  const v = macToNumber(m.mac);
  const k = macToNumber(m.mask);
  const out: number[] = [];
  for (let i = 5; i >= 0; i--) {
    const vb = Math.floor(v / 2 ** (8 * i)) % 256;
    const kb = Math.floor(k / 2 ** (8 * i)) % 256;
    out.push((vb & kb) | (r.int(0, 255) & ~kb & 0xff));
  }
  return formatMac(out.reduce((a, b) => a * 256 + b, 0));
}

function inCidr(r: Rng, c: Cidr): string {
  const mask = prefixMask(c.prefixLen);
  return formatIpv4(((ipv4ToNumber(c.ip) & mask) | (r.int(0, 0xffffffff) & ~mask)) >>> 0);
}

/** The VID a frame needs to meet `vlan_tci=V/M` (null: untagged), choosing a tag whenever either does. */
function vlanForTci(r: Rng, t: MaskedInt): number | null {
  const mask = t.mask ?? 0xffff;
  const present = (mask & 0x1000) !== 0;
  if (present && (t.value & 0x1000) === 0) return (t.value & mask & 0x0fff) === 0 ? null : NaN; // untagged: TCI 0
  return masked(r, { value: t.value & 0x0fff, mask: mask & 0x0fff }, 12);
}

/**
 * A packet meeting every field of `m` but `in_port` and registers (which no packet carries in): the
 * ethertype and protocol it names, its VLAN, MACs, addresses, ports, ICMP fields and tunnel key.
 * `{ skip }` when the match names what netproof's packets cannot carry or cannot be met.
 */
export function packetFromMatch(r: Rng, u: Universe, m: FlowMatch, tunnel: boolean): { packet: Packet } | { skip: string } {
  if ((m.unsupported?.length ?? 0) > 0) return { skip: `match fields not modelled: ${m.unsupported!.join(',')}` };
  if (m.nd_target !== undefined) return { skip: 'IPv6 neighbour discovery' };
  if (m.tun_id !== undefined && !tunnel) return { skip: 'tun_id on a port that is no tunnel' };
  const ethType = m.dl_type ?? (m.arp_op !== undefined || m.arp_spa !== undefined || m.arp_tpa !== undefined ? ETH_TYPE.arp
    : m.nw_proto !== undefined || m.nw_src !== undefined || m.nw_dst !== undefined || m.tp_src !== undefined || m.tp_dst !== undefined || m.icmp_type !== undefined ? ETH_TYPE.ipv4 : null);
  if (ethType === ETH_TYPE.ipv6) return { skip: 'IPv6' };
  // Start from a random packet of the right family, then set what the match names.
  let p = randomPacket(r, u, { vlan: 'any', tunnel });
  for (let i = 0; ethType !== null && p.eth_type !== ethType && i < 200; i++) p = randomPacket(r, u, { vlan: 'any', tunnel });
  if (ethType !== null && p.eth_type !== ethType) {
    if (ethType !== ETH_TYPE.ipv4 && ethType !== ETH_TYPE.arp) p = { ...p, eth_type: ethType, ip_src: '0.0.0.0', ip_dst: '0.0.0.0', proto: 0, sport: null, dport: null, icmp_type: null, icmp_code: null };
    else return { skip: `no packet of ethertype ${ethType}` };
  }
  if (ethType === ETH_TYPE.ipv4 && m.nw_proto !== undefined && p.proto !== m.nw_proto) {
    const proto = m.nw_proto;
    const ports = protoHasPorts(proto);
    const icmp = proto === IP_PROTO.icmp;
    p = { ...p, proto, sport: ports ? r.int(0, 65535) : null, dport: ports ? r.int(0, 65535) : null, icmp_type: icmp ? 8 : null, icmp_code: icmp ? 0 : null };
  }
  let vlan = p.vlan;
  if (m.dl_vlan !== undefined) vlan = m.dl_vlan;
  if (m.vlan_tci !== undefined) {
    const v = vlanForTci(r, m.vlan_tci);
    if (Number.isNaN(v)) return { skip: `vlan_tci ${m.vlan_tci.value}/${m.vlan_tci.mask}: no frame has it` };
    if (m.dl_vlan !== undefined && v !== m.dl_vlan) return { skip: 'dl_vlan and vlan_tci disagree' };
    vlan = v;
  }
  const ports = p.sport !== null;
  const out: Packet = {
    ...p,
    vlan,
    eth_src: m.dl_src ? maskedMac(r, m.dl_src) : p.eth_src,
    eth_dst: m.dl_dst ? maskedMac(r, m.dl_dst) : p.eth_dst,
    tun_id: m.tun_id ? masked(r, m.tun_id, 32) : p.tun_id,
    ip_src: m.nw_src ? inCidr(r, m.nw_src) : m.arp_spa ? inCidr(r, m.arp_spa) : p.ip_src,
    ip_dst: m.nw_dst ? inCidr(r, m.nw_dst) : m.arp_tpa ? inCidr(r, m.arp_tpa) : p.ip_dst,
    proto: m.arp_op !== undefined ? m.arp_op : p.proto,
    sport: ports && m.tp_src ? masked(r, m.tp_src, 16) : p.sport,
    dport: ports && m.tp_dst ? masked(r, m.tp_dst, 16) : p.dport,
    icmp_type: p.icmp_type !== null && m.icmp_type !== undefined ? m.icmp_type : p.icmp_type,
    icmp_code: p.icmp_code !== null && m.icmp_code !== undefined ? m.icmp_code : p.icmp_code,
  };
  return { packet: out };
}

/**
 * The match a packet needs at table 0 to have a chance of reaching `flow`: its own match, with the
 * fields it leaves open filled from a flow that leads to its table (resubmit or goto_table), and so on
 * back to table 0 (a random one where several lead there). Fields the path rewrites on the way are
 * not undone: the packet is aimed, not guaranteed, and whatever happens to it is compared all the same.
 */
export function aimedMatch(r: Rng, flows: readonly Flow[], flow: Flow): FlowMatch {
  let m: FlowMatch = flow.match;
  let table = flow.table;
  for (let depth = 0; table !== 0 && depth < 8; depth++) {
    const t = table;
    const leading = flows.filter((g) => g.table !== t && g.actions.some((a) => (a.kind === 'resubmit' && a.table === t) || (a.kind === 'goto_table' && a.table === t)));
    if (leading.length === 0) break;
    const g = r.pick(leading);
    m = { ...g.match, ...m };
    table = g.table;
  }
  return m;
}
