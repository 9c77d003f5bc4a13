// Text the real ovs-ofctl/ovs-appctl read, built from netproof's own data: the `ofproto/trace` flow of a
// packet entering a bridge (from an evaluator hop), and the `add-flow` line of a flow a `learn` action
// installed (from the evaluator's converged state). Pure functions; anything they cannot express
// faithfully throws instead of being dropped, so a trace never silently runs on a different packet.
// Field names are the ones Open vSwitch 3.1 accepts for the protocol: `tp_src` is an alias of
// `tcp_src` only (a UDP flow needs `udp_src`), and ICMPv6 types are `icmpv6_type`/`icmpv6_code`.
import { headerWriteText } from '../../src/semantics/header-write.ts';
import { ETH_TYPE, IP_PROTO, type Packet } from '../../src/ir/packet.ts';
import type { Flow, FlowAction, FlowMatch, MaskedInt, MaskedMac, PortRef } from '../../src/ir/openflow.ts';

/** Tunnel metadata of a packet that came in on a tunnel port: the outer source and destination. */
export interface TunnelIn { readonly src: string; readonly dst: string }

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * `in_port=<port>,dl_src=…,dl_dst=…[,dl_vlan=N][,tun_id=…,tun_src=…,tun_dst=…],<L3/L4 fields>` for
 * `ofproto/trace`. An untagged packet gets no VLAN field (ofproto/trace then takes vlan_tci=0).
 */
export function ofprotoFlow(inPort: string, p: Packet, tunnel: TunnelIn | null = null): string {
  const f: string[] = [`in_port=${inPort}`, `dl_src=${p.eth_src}`, `dl_dst=${p.eth_dst}`];
  if (p.vlan !== null) f.push(`dl_vlan=${p.vlan}`);
  if (p.tun_id !== null) {
    f.push(`tun_id=${hex(p.tun_id)}`);
    if (tunnel) f.push(`tun_src=${tunnel.src}`, `tun_dst=${tunnel.dst}`);
  }
  if (p.eth_type === ETH_TYPE.arp) {
    f.push('arp', `arp_spa=${p.ip_src}`, `arp_tpa=${p.ip_dst}`, `arp_op=${p.proto}`);
  } else if (p.eth_type === ETH_TYPE.ipv4) {
    const l3 = `nw_src=${p.ip_src},nw_dst=${p.ip_dst}`;
    if (p.proto === IP_PROTO.icmp) f.push('icmp', l3, `icmp_type=${p.icmp_type ?? 0}`, `icmp_code=${p.icmp_code ?? 0}`);
    // OVS's flow key holds ports for TCP, UDP and SCTP only (a UDP-Lite or DCCP packet is plain IP to it).
    else if (p.proto === IP_PROTO.tcp || p.proto === IP_PROTO.udp || p.proto === IP_PROTO.sctp) {
      const l4 = p.proto === IP_PROTO.tcp ? 'tcp' : p.proto === IP_PROTO.udp ? 'udp' : 'sctp';
      f.push(l4, l3);
      if (p.sport !== null) f.push(`${l4}_src=${p.sport}`);
      if (p.dport !== null) f.push(`${l4}_dst=${p.dport}`);
    } else f.push('ip', l3, `nw_proto=${p.proto}`);
  } else {
    f.push(`dl_type=${hex(p.eth_type)}`);
  }
  return f.join(',');
}

const port = (r: PortRef) => (r.kind === 'name' ? `"${r.name}"` : String(r.ofport));
const masked = (m: MaskedInt) => (m.mask === null ? hex(m.value) : `${hex(m.value)}/${hex(m.mask)}`);
const maskedMac = (m: MaskedMac) => (m.mask === null ? m.mac : `${m.mac}/${m.mask}`);

/** The transport-port field prefix OVS accepts for the match's protocol (`tcp`, `udp`, `sctp`). */
function portField(m: FlowMatch): string {
  switch (m.nw_proto) {
    case IP_PROTO.tcp: return 'tcp';
    case IP_PROTO.udp: return 'udp';
    case IP_PROTO.sctp: return 'sctp';
    default: throw new Error(`a transport port match needs nw_proto tcp, udp or sctp (got ${m.nw_proto ?? 'none'})`);
  }
}

/** `icmp` or `icmpv6`, by the match's ethertype. */
const icmpField = (m: FlowMatch) => (m.dl_type === ETH_TYPE.ipv6 ? 'icmpv6' : 'icmp');

function matchText(m: FlowMatch): string[] {
  if (m.unsupported && m.unsupported.length > 0) throw new Error(`learned flow with unsupported match fields ${m.unsupported.join(', ')}`);
  if (m.nd_target !== undefined) throw new Error('learned flow matching nd_target: not expressible here');
  const f: string[] = [];
  if (m.in_port) f.push(`in_port=${port(m.in_port)}`);
  if (m.dl_vlan !== undefined) f.push(`dl_vlan=${m.dl_vlan}`);
  if (m.vlan_tci) f.push(`vlan_tci=${masked(m.vlan_tci)}`);
  if (m.dl_src) f.push(`dl_src=${maskedMac(m.dl_src)}`);
  if (m.dl_dst) f.push(`dl_dst=${maskedMac(m.dl_dst)}`);
  if (m.dl_type !== undefined) f.push(`dl_type=${hex(m.dl_type)}`);
  if (m.nw_proto !== undefined) f.push(`nw_proto=${m.nw_proto}`);
  if (m.nw_src) f.push(`nw_src=${m.nw_src.ip}/${m.nw_src.prefixLen}`);
  if (m.nw_dst) f.push(`nw_dst=${m.nw_dst.ip}/${m.nw_dst.prefixLen}`);
  if (m.arp_spa) f.push(`arp_spa=${m.arp_spa.ip}/${m.arp_spa.prefixLen}`);
  if (m.arp_tpa) f.push(`arp_tpa=${m.arp_tpa.ip}/${m.arp_tpa.prefixLen}`);
  if (m.arp_op !== undefined) f.push(`arp_op=${m.arp_op}`);
  if (m.tp_src) f.push(`${portField(m)}_src=${masked(m.tp_src)}`);
  if (m.tp_dst) f.push(`${portField(m)}_dst=${masked(m.tp_dst)}`);
  if (m.icmp_type !== undefined) f.push(`${icmpField(m)}_type=${m.icmp_type}`);
  if (m.icmp_code !== undefined) f.push(`${icmpField(m)}_code=${m.icmp_code}`);
  if (m.tun_id) f.push(`tun_id=${masked(m.tun_id)}`);
  for (const [r, v] of Object.entries(m.regs ?? {})) f.push(`reg${r}=${hex(v)}`);
  return f;
}

function actionText(a: FlowAction): string {
  switch (a.kind) {
    case 'output': return `output:${port(a.port)}`;
    case 'in_port': return 'in_port';
    case 'normal': return 'NORMAL';
    case 'drop': return 'drop';
    case 'resubmit': return `resubmit(${a.port ? port(a.port) : ''},${a.table ?? ''})`;
    case 'goto_table': return `goto_table:${a.table}`;
    case 'mod_vlan_vid': return `mod_vlan_vid:${a.vid}`;
    case 'push_vlan': return `push_vlan:${hex(a.ethertype)}`;
    case 'set_vlan_vid': return `set_field:${4096 + a.vid}->vlan_vid`;
    case 'strip_vlan': return 'strip_vlan';
    case 'set_tun_id': return `set_tunnel:${hex(a.value)}`;
    case 'set_reg': return `load:${hex(a.value)}->NXM_NX_REG${a.reg}[]`;
    case 'mod_dl_src': return `mod_dl_src:${a.mac}`;
    case 'mod_dl_dst': return `mod_dl_dst:${a.mac}`;
    case 'set_arp_op':
    case 'set_arp_pa':
    case 'set_arp_ha':
    case 'move': return headerWriteText(a);
    case 'learn': return a.text;
    case 'unsupported': throw new Error(`learned flow with an unsupported action ${a.text}`);
    default: {
      const never: never = a;
      throw new Error(`unknown action ${JSON.stringify(never)}`);
    }
  }
}

/** `table=T,priority=P[,cookie=C],<match> actions=<actions>` for `ovs-ofctl add-flow(s)`. */
export function addFlowText(flow: Flow): string {
  const head = [`table=${flow.table}`, `priority=${flow.priority}`, ...(flow.cookie ? [`cookie=${flow.cookie}`] : []), ...matchText(flow.match)];
  const actions = flow.actions.length === 0 ? 'drop' : flow.actions.map(actionText).join(',');
  return `${head.join(',')} actions=${actions}`;
}
