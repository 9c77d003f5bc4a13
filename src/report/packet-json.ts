// Packets in the JSON contract (docs/json.md): `proto` is a name where one exists, else a number.
import { ETH_TYPE, ipProtoName, type Packet } from '../ir/packet.ts';
import type { Origin } from '../ir/origin.ts';

/** Names beside the ones packets are built with (IP_PROTO's): protocols a trace may show but no question asks. */
const OTHER_NAMES: Readonly<Record<number, string>> = { 47: 'gre', 112: 'vrrp' };

export function protoName(p: Packet): string | number {
  if (p.eth_type === ETH_TYPE.arp) return p.proto === 2 ? 'arp-reply' : 'arp-request';
  return ipProtoName(p.proto) ?? OTHER_NAMES[p.proto] ?? p.proto;
}

export interface PacketJson {
  eth_src: string;
  eth_dst: string;
  vlan: number | null;
  tun_id: number | null;
  ip_src: string;
  ip_dst: string;
  proto: string | number;
  sport: number | null;
  dport: number | null;
  icmp_type?: number;
  icmp_code?: number;
}

export function packetJson(p: Packet): PacketJson {
  const base: PacketJson = {
    eth_src: p.eth_src,
    eth_dst: p.eth_dst,
    vlan: p.vlan,
    tun_id: p.tun_id,
    ip_src: p.ip_src,
    ip_dst: p.ip_dst,
    proto: protoName(p),
    sport: p.sport,
    dport: p.dport,
  };
  return p.icmp_type === null ? base : { ...base, icmp_type: p.icmp_type, icmp_code: p.icmp_code ?? 0 };
}

// An origin is the IR's own object, read-only and shared by every step that cites its rule: its text is
// made once, not once per step of every trace (a trace cites a hundred rules or so).
const originTexts = new WeakMap<Origin, string>();

/** `compute1/br-int.dump-flows:12 — port vm1:0 (3f2a…): anti-spoofing …` */
export function originText(o: Origin | null): string | null {
  if (o === null) return null;
  let text = originTexts.get(o);
  if (text === undefined) {
    const why = o.neutron || o.why ? ` — ${[o.neutron, o.why].filter(Boolean).join(': ')}` : '';
    text = `${o.file}:${o.line}${why}`;
    originTexts.set(o, text);
  }
  return text;
}
