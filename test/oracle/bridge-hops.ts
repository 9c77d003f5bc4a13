// The Open vSwitch bridges an evaluator trace crosses, and what the real `ofproto/trace` says each of
// them does with the same packet. A hop is observed twice in the host's userspace OVS:
// - wired as rendered (patch ports connected): the trace continues into the peer bridge, so the first
//   bridge's outputs are its own datapath ports plus each patch port whose peer bridge the trace entered;
// - with the patch ports cut (turned into plain dummy ports with the same OpenFlow numbers): the trace
//   stops at the bridge, and the datapath actions show each output's port, VLAN and tunnel metadata.
// `compareHop` holds the evaluator's hop against both. Guarantees: a packet is never traced partially
// (an unsupported field throws in ofprotoFlow); every disagreement names both sides.
import type { Hop, Trace } from '../../src/evaluate/trace.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { OvsInstance } from './ovs-harness.ts';
import type { DatapathPort } from './dpif-show.ts';
import { outputPortName } from './dpif-show.ts';
import { ofprotoFlow, type TunnelIn } from './ofproto-flow.ts';

/** An `ovs-bridge` hop of a trace's main path, with its position in `trace.hops`. */
export interface BridgeHop {
  readonly index: number;
  readonly host: string;
  readonly bridge: string;
  readonly inPort: string;
  readonly outPort: string | null;
  readonly in: Packet;
  readonly out: Packet | null;
}

/** One packet OVS sends out of the bridge. */
export interface OvsOutput {
  readonly port: string;
  readonly vlan: number | null;
  /** The tunnel key set for a tunnel port's output (null otherwise). */
  readonly tunId: number | null;
  readonly tunnelPort: boolean;
}

export interface HopObservation {
  /** The `ofproto/trace` flow that was traced. */
  readonly flow: string;
  /** Names of the ports the bridge sent to, wired as rendered (patch ports followed into their peers). */
  readonly patchedOutputs: readonly string[];
  /** The outputs with the patch ports cut. */
  readonly outputs: readonly OvsOutput[];
  readonly datapathActions: string | null;
  /** Datapath actions the trace parser does not interpret (a test should notice them). */
  readonly unparsed: readonly string[];
  /** The cut trace's text, for failure messages. */
  readonly text: string;
}

const TUNNEL_TYPES = new Set(['vxlan', 'gre', 'geneve']);

/** The `ovs-bridge` hops of the trace's main path (its branches are not followed). */
export function ovsBridgeHops(trace: Trace): BridgeHop[] {
  const out: BridgeHop[] = [];
  trace.hops.forEach((h: Hop, index) => {
    if (h.deviceKind !== 'ovs-bridge') return;
    if (h.inPort === null) throw new Error(`hop ${index} (${h.device}@${h.host}) has no input port`);
    out.push({ index, host: h.host, bridge: h.device, inPort: h.inPort, outPort: h.outPort, in: h.in, out: h.out });
  });
  return out;
}

function portOf(ports: readonly DatapathPort[], bridge: string, name: string): DatapathPort {
  const p = ports.find((x) => x.bridge === bridge && x.name === name);
  if (!p) throw new Error(`${bridge} has no port ${name} in the real switch`);
  return p;
}

/** The trace flow of a hop: tunnel metadata from the input port's own endpoints when it is a tunnel port. */
export function hopFlow(hop: BridgeHop, ports: readonly DatapathPort[]): string {
  const inPort = portOf(ports, hop.bridge, hop.inPort);
  const tunnel: TunnelIn | null = TUNNEL_TYPES.has(inPort.type) && inPort.options.remote_ip && inPort.options.local_ip
    ? { src: inPort.options.remote_ip, dst: inPort.options.local_ip }
    : null;
  return ofprotoFlow(hop.inPort, hop.in, tunnel);
}

/** Traces the hop with patch ports connected: the names of the first bridge's outputs. */
export async function tracePatched(ovs: OvsInstance, hop: BridgeHop, ports: readonly DatapathPort[]): Promise<string[]> {
  const t = await ovs.trace(hop.bridge, hopFlow(hop, ports));
  const names = new Set<string>();
  for (const o of t.outputs) {
    const p = outputPortName(o, ports);
    if (!p) throw new Error(`datapath port ${o.port} names no port:\n${t.text}`);
    if (p.bridge === hop.bridge) names.add(p.name);
  }
  // A patch output shows as the peer bridge's section (nested, or at top level when NORMAL floods).
  const entered = new Set(t.steps.map((s) => s.bridge).filter((b) => b !== hop.bridge));
  for (const p of ports) {
    if (p.bridge !== hop.bridge || p.type !== 'patch') continue;
    const peer = ports.find((x) => x.name === p.options.peer);
    if (peer && entered.has(peer.bridge)) names.add(p.name);
  }
  return [...names].sort();
}

/** Traces the hop with patch ports cut: every output with its VLAN and tunnel key. */
export async function traceCut(ovs: OvsInstance, hop: BridgeHop, ports: readonly DatapathPort[]): Promise<Omit<HopObservation, 'patchedOutputs'>> {
  const flow = hopFlow(hop, ports);
  const t = await ovs.trace(hop.bridge, flow);
  const outputs = t.outputs.map((o): OvsOutput => {
    const p = outputPortName(o, ports);
    if (!p) throw new Error(`datapath port ${o.port} names no port:\n${t.text}`);
    const tunnelPort = TUNNEL_TYPES.has(p.type);
    const tid = o.tunnel?.tun_id;
    return { port: p.name, vlan: o.vlan, tunId: tunnelPort && tid !== undefined ? Number(tid) : null, tunnelPort };
  });
  return { flow, outputs, datapathActions: t.datapathActions, unparsed: t.unparsedActions, text: t.text };
}

const showPacket = (p: Packet | null) => (p === null ? 'none' : `vlan=${p.vlan ?? 'untagged'} tun_id=${p.tun_id ?? 'none'}`);
const showOutput = (o: OvsOutput) => `${o.port} vlan=${o.vlan ?? 'untagged'}${o.tunnelPort ? ` tun_id=${o.tunId ?? 'none'}` : ''}`;

/**
 * Disagreements between the evaluator's hop and OVS (empty when they agree), and notes on what OVS
 * did besides (the other ports of a flood).
 */
export function compareHop(hop: BridgeHop, obs: HopObservation): { disagreements: string[]; notes: string[] } {
  const where = `${hop.host}/${hop.bridge} in_port=${hop.inPort}`;
  const evaluator = `evaluator: out ${hop.outPort ?? '(dropped)'} ${showPacket(hop.out)}`;
  const ovs = `ovs: [${obs.outputs.map(showOutput).join('; ') || 'drop'}] (datapath actions: ${obs.datapathActions ?? '?'}; wired as rendered: [${obs.patchedOutputs.join(', ')}])`;
  const bad = (what: string) => `${where}: ${what}\n  ${evaluator}\n  ${ovs}\n  traced: ${obs.flow}`;
  const disagreements: string[] = [];
  const notes: string[] = [];
  if (obs.unparsed.length > 0) disagreements.push(bad(`datapath actions not interpreted: ${obs.unparsed.join(', ')}`));
  const cutNames = [...new Set(obs.outputs.map((o) => o.port))].sort();
  if (cutNames.join(',') !== [...obs.patchedOutputs].sort().join(',')) {
    disagreements.push(bad(`cutting the patch ports changed the outputs: [${cutNames.join(', ')}] cut vs [${obs.patchedOutputs.join(', ')}] wired`));
  }
  if (hop.outPort === null || hop.out === null) {
    if (obs.outputs.length > 0) disagreements.push(bad('the evaluator drops the packet here, OVS forwards it'));
    return { disagreements, notes };
  }
  const mine = obs.outputs.filter((o) => o.port === hop.outPort);
  if (mine.length === 0) {
    disagreements.push(bad(obs.outputs.length === 0 ? 'OVS drops the packet' : `OVS does not output to ${hop.outPort}`));
    return { disagreements, notes };
  }
  const others = obs.outputs.filter((o) => o.port !== hop.outPort);
  if (others.length > 0) notes.push(`${where}: OVS also outputs to ${others.map(showOutput).join('; ')}`);
  // Several copies to the evaluator's port (rare): each must carry what the evaluator says.
  for (const o of mine) {
    if (o.vlan !== hop.out.vlan) disagreements.push(bad(`VLAN on ${o.port}: OVS ${o.vlan ?? 'untagged'}, evaluator ${hop.out.vlan ?? 'untagged'}`));
    if (o.tunnelPort && o.tunId !== hop.out.tun_id) disagreements.push(bad(`tunnel id on ${o.port}: OVS ${o.tunId ?? 'none'}, evaluator ${hop.out.tun_id ?? 'none'}`));
  }
  return { disagreements, notes };
}

/**
 * Turns every patch port of the instance into a plain dummy port in one transaction (the OpenFlow
 * numbers stay: they were requested), and checks they did; returns the new datapath ports. MAC table
 * entries on those ports may be gone afterwards: preload them again.
 */
export async function cutPatchPorts(ovs: OvsInstance): Promise<DatapathPort[]> {
  const before = await ovs.datapathPorts();
  const patches = before.filter((p) => p.type === 'patch');
  if (patches.length === 0) return before;
  await ovs.vsctl(patches.flatMap((p) => ['--', 'set', 'interface', p.name, 'type=dummy', 'options={}']));
  const after = await ovs.datapathPorts();
  for (const p of patches) {
    const q = after.find((x) => x.bridge === p.bridge && x.name === p.name);
    if (!q || q.ofport !== p.ofport || q.type !== 'dummy') {
      throw new Error(`cutting ${p.bridge}/${p.name}: expected a dummy port with OpenFlow number ${p.ofport}, got ${JSON.stringify(q)}`);
    }
  }
  return after;
}
