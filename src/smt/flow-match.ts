// The meaning of an OpenFlow match over a symbolic packet, field by field as src/evaluate/flow-match.ts
// computes it for a concrete one: absent fields are wildcards, L3/L4 fields need the right eth_type /
// protocol, `vlan_tci` compares (tagged ? 0x1000|vid : 0), tun_id reads 0 off a tunnel, `nd_target`
// never matches. Guarantees: `supported` is the conjunction of the understood fields (with the field
// values it pins); `unsupported` lists the fields netproof does not model: the evaluator treats such
// a flow as not matching and uncertain, so the walker turns `supported` into an unknown branch.
import type { FlowMatch, OvsBridge } from '../ir/openflow.ts';
import { portName } from '../semantics/ovs-bridge.ts';
import type { SymPacket } from './headers.ts';
import { WIDTH, hasFlowPorts, ipToNum, isArp, isIcmp, isIpv4, macToNum } from './headers.ts';
import type { Cond, Enc } from './cond.ts';
import type { Binding, Guard } from './path.ts';
import { pinEq } from './path.ts';

export interface FlowMatchInput {
  readonly packet: SymPacket;
  readonly inPort: string;
  readonly regs: Readonly<Record<number, number>>;
}

export interface SymFlowMatch {
  readonly supported: Guard;
  readonly unsupported: readonly string[];
}

export function symMatchFlow(e: Enc, bridge: OvsBridge, m: FlowMatch, x: FlowMatchInput): SymFlowMatch {
  const unsupported = m.unsupported ?? [];
  const p = x.packet;
  const parts: Cond[] = [];
  const binds: Binding[] = [];
  const no = noMatch(unsupported);
  // Concrete parts first: most flows are cut here without building a single term.
  if (m.in_port !== undefined && portName(bridge, m.in_port) !== x.inPort) return no;
  if (m.nd_target !== undefined) return no;
  if (m.regs !== undefined) {
    for (const [reg, value] of Object.entries(m.regs)) if ((x.regs[Number(reg)] ?? 0) !== value) return no;
  }
  if (m.dl_vlan !== undefined) {
    if (p.vlan === null) return no;
    parts.push(e.eq(p.vlan, m.dl_vlan, WIDTH.vlan));
  }
  if (m.vlan_tci !== undefined) {
    const mask = m.vlan_tci.mask ?? 0xffff;
    const want = m.vlan_tci.value & mask;
    if (p.vlan === null) {
      if (want !== 0) return no;
    } else {
      if ((0x1000 & mask) !== (want & 0x1000)) return no;
      parts.push(e.masked(p.vlan, want & 0x0fff, mask & 0x0fff, WIDTH.vlan));
    }
  }
  if (m.tun_id !== undefined) parts.push(e.masked(p.tun_id ?? 0, m.tun_id.value, m.tun_id.mask ?? 0xffffffff, WIDTH.tun_id));
  if (m.dl_src !== undefined) {
    parts.push(e.masked(p.eth_src, macToNum(m.dl_src.mac), m.dl_src.mask === null ? null : macToNum(m.dl_src.mask), 48));
    if (m.dl_src.mask === null) binds.push({ field: 'eth_src', value: macToNum(m.dl_src.mac) });
  }
  if (m.dl_dst !== undefined) {
    parts.push(e.masked(p.eth_dst, macToNum(m.dl_dst.mac), m.dl_dst.mask === null ? null : macToNum(m.dl_dst.mask), 48));
    if (m.dl_dst.mask === null) binds.push({ field: 'eth_dst', value: macToNum(m.dl_dst.mac) });
  }
  if (m.dl_type !== undefined) pinEq(e, parts, binds, true, p, 'eth_type', m.dl_type, 16);
  // OVS reads nw_proto as the ARP opcode for ARP frames.
  if (m.nw_proto !== undefined) pinEq(e, parts, binds, e.or(isIpv4(e, p), isArp(e, p)), p, 'proto', m.nw_proto, 8);
  if (m.nw_src !== undefined) cidr(e, parts, binds, isIpv4(e, p), p, 'ip_src', m.nw_src);
  if (m.nw_dst !== undefined) cidr(e, parts, binds, isIpv4(e, p), p, 'ip_dst', m.nw_dst);
  if (m.arp_spa !== undefined) cidr(e, parts, binds, isArp(e, p), p, 'ip_src', m.arp_spa);
  if (m.arp_tpa !== undefined) cidr(e, parts, binds, isArp(e, p), p, 'ip_dst', m.arp_tpa);
  if (m.arp_op !== undefined) pinEq(e, parts, binds, isArp(e, p), p, 'proto', m.arp_op, 8);
  if (m.tp_src !== undefined) port(e, parts, binds, p, 'sport', m.tp_src);
  if (m.tp_dst !== undefined) port(e, parts, binds, p, 'dport', m.tp_dst);
  if (m.icmp_type !== undefined) pinEq(e, parts, binds, isIcmp(e, p), p, 'icmp_type', m.icmp_type, 8);
  if (m.icmp_code !== undefined) pinEq(e, parts, binds, isIcmp(e, p), p, 'icmp_code', m.icmp_code, 8);
  const cond = e.and(...parts);
  return { supported: { cond, binds: cond === false ? [] : binds }, unsupported };
}

// Helpers kept out of `symMatchFlow`: it runs for every flow a packet meets.
function noMatch(unsupported: readonly string[]): SymFlowMatch {
  return { supported: { cond: false, binds: [] }, unsupported };
}

function cidr(e: Enc, parts: Cond[], binds: Binding[], cond: Cond, p: SymPacket, field: 'ip_src' | 'ip_dst', c: { ip: string; prefixLen: number }): void {
  parts.push(cond, e.prefix(p[field], ipToNum(c.ip), c.prefixLen));
  if (c.prefixLen >= 32) binds.push({ field, value: ipToNum(c.ip) });
}

function port(e: Enc, parts: Cond[], binds: Binding[], p: SymPacket, field: 'sport' | 'dport', v: { value: number; mask: number | null }): void {
  parts.push(hasFlowPorts(e, p), e.masked(p[field], v.value, v.mask === null ? 0xffff : v.mask, 16));
  if (v.mask === null || (v.mask & 0xffff) === 0xffff) binds.push({ field, value: v.value & 0xffff });
}
