// One packet entering one Open vSwitch bridge, as the evaluator and as the real switch see it: the
// copies that leave (port, VLAN, tunnel key on a tunnel port, rewritten Ethernet and ARP fields) on
// each side, and the verdict of holding one against the other. The real side is an `ofproto/trace`
// on a bridge whose patch ports are cut (plain dummy ports with the same OpenFlow numbers), so the
// datapath actions list exactly this bridge's outputs.
// Guarantees: every output OVS lists is mapped to a port name or the comparison throws; a datapath
// action the replay does not interpret is a disagreement, never ignored.
import type { Packet } from '../../src/ir/packet.ts';
import { ETH_TYPE } from '../../src/ir/packet.ts';
import type { OvsPort } from '../../src/ir/openflow.ts';
import type { BridgeResult } from '../../src/evaluate/openflow.ts';
import type { DatapathPort } from './dpif-show.ts';
import { outputPortName } from './dpif-show.ts';
import type { OfprotoTrace } from './ofproto-trace.ts';
import { ofprotoFlow } from './ofproto-flow.ts';

/** One copy leaving the bridge, in the fields both sides can tell. */
export interface LeavingCopy {
  readonly port: string;
  readonly vlan: number | null;
  /** The tunnel key, on a tunnel port only. */
  readonly tunId: number | null;
  readonly ethSrc: string;
  readonly ethDst: string;
  /** ARP only: sender and target protocol addresses and the opcode. */
  readonly arp: { readonly spa: string; readonly tpa: string; readonly op: number } | null;
}

const TUNNEL_TYPES = new Set(['vxlan', 'gre', 'geneve']);
const isTunnel = (p: OvsPort | DatapathPort | undefined) => p !== undefined && TUNNEL_TYPES.has(p.type);

/** The `ofproto/trace` flow for `packet` entering `inPort` (tunnel metadata from the port's own endpoints). */
export function bridgeTraceFlow(inPort: DatapathPort, packet: Packet): string {
  const tunnel = isTunnel(inPort) && inPort.options.remote_ip && inPort.options.local_ip
    ? { src: inPort.options.remote_ip, dst: inPort.options.local_ip }
    : null;
  return ofprotoFlow(inPort.name, packet, tunnel);
}

const key = (c: LeavingCopy) =>
  `${c.port} vlan=${c.vlan ?? '-'} tun=${c.tunId ?? '-'} ${c.ethSrc}>${c.ethDst}${c.arp ? ` arp op=${c.arp.op} ${c.arp.spa}>${c.arp.tpa}` : ''}`;

/** The copies the evaluator's run of the bridge emits. */
export function evaluatorCopies(r: BridgeResult, ports: readonly OvsPort[]): LeavingCopy[] {
  const out: LeavingCopy[] = [];
  for (const c of r.copies) {
    if (c.kind !== 'emit') continue;
    const p = c.packet;
    const tunnel = isTunnel(ports.find((x) => x.name === c.port));
    out.push({
      port: c.port, vlan: p.vlan, tunId: tunnel ? p.tun_id : null, ethSrc: p.eth_src, ethDst: p.eth_dst,
      arp: p.eth_type === ETH_TYPE.arp ? { spa: p.ip_src, tpa: p.ip_dst, op: p.proto } : null,
    });
  }
  return out;
}

/** The copies OVS's datapath actions emit, with the packet's fields as those actions leave them. */
export function ovsCopies(t: OfprotoTrace, packet: Packet, ports: readonly DatapathPort[]): { copies: LeavingCopy[]; unread: string[] } {
  const copies = t.outputs.map((o): LeavingCopy => {
    const p = outputPortName(o, ports);
    if (!p) throw new Error(`datapath port ${o.port} names no port:\n${t.text}`);
    const set = o.sets;
    const tid = o.tunnel?.tun_id;
    return {
      port: p.name,
      vlan: o.vlan,
      tunId: isTunnel(p) && tid !== undefined ? Number(tid) : null,
      ethSrc: set['eth.src'] ?? packet.eth_src,
      ethDst: set['eth.dst'] ?? packet.eth_dst,
      arp: packet.eth_type === ETH_TYPE.arp
        ? { spa: set['arp.sip'] ?? packet.ip_src, tpa: set['arp.tip'] ?? packet.ip_dst, op: set['arp.op'] !== undefined ? Number(set['arp.op']) : packet.proto }
        : null,
    };
  });
  return { copies, unread: [...t.unparsedActions] };
}

/** The differences between the two sides' copies (empty when they agree, as multisets). */
export function diffCopies(evaluator: readonly LeavingCopy[], ovs: readonly LeavingCopy[]): string[] {
  const a = evaluator.map(key).sort();
  const b = ovs.map(key).sort();
  const onlyA = a.filter((x) => { const i = b.indexOf(x); if (i < 0) return true; b.splice(i, 1); return false; });
  const out: string[] = [];
  for (const x of onlyA) out.push(`evaluator only: ${x}`);
  for (const x of b) out.push(`OVS only: ${x}`);
  return out;
}
