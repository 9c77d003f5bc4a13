// The OVS `NORMAL` action: a converged MAC-learning switch per VLAN.
// Guarantees: an access port (port `tag`) admits only untagged frames and assigns its tag; a trunk
// keeps the frame's VID (0 = untagged); a frame to a reserved multicast destination is dropped
// (normal-admission.ts); a known unicast destination goes to its learned port, any other destination
// floods to every port of the VLAN except the input port; output to an access port strips the tag.
// With `learn` set (convergence), the source MAC is recorded per VLAN, and a flood is returned whole
// (a `flood` copy, listed by `floodCopies`), since a learning walk counts most of its copies in bulk.
import type { Packet } from '../ir/packet.ts';
import type { OvsBridge, OvsPort } from '../ir/openflow.ts';
import type { HopEvent, TraceStep } from './trace.ts';
import type { Copy, FloodCopy, OutCopy } from './device.ts';
import { dropCopy, emitCopy } from './device.ts';
import { isGroupMac } from './addr.ts';
import type { LearningStore } from './state.ts';
import { isTunnelPort, portByName } from '../semantics/ovs-bridge.ts';
import { normalRefusal } from './normal-admission.ts';

export interface NormalResult {
  readonly steps: readonly TraceStep[];
  readonly events: readonly HopEvent[];
  readonly copies: readonly OutCopy[];
}

/** The ports a NORMAL output in `vid` may use: access ports of that VLAN and trunks. */
const inVlan = (p: OvsPort, vid: number) => (p.tag === null ? true : p.tag === vid);

/** A VLAN's ports in the bridge's order, and how many of them bear each name. */
interface VlanPorts {
  readonly ports: readonly OvsPort[];
  readonly named: ReadonlyMap<string, number>;
}

const vlanPorts = new WeakMap<OvsBridge, Map<number, VlanPorts>>();

/**
 * The bridge's ports in `vid`, in the bridge's order, found once per bridge and VLAN: a flood scanned
 * every port of the bridge, which on a network node's br-int grows with the cloud.
 */
function portsInVlan(bridge: OvsBridge, vid: number): VlanPorts {
  let byVid = vlanPorts.get(bridge);
  if (!byVid) vlanPorts.set(bridge, (byVid = new Map()));
  let v = byVid.get(vid);
  if (!v) {
    const ports = bridge.ports.filter((p) => inVlan(p, vid));
    const named = new Map<string, number>();
    for (const p of ports) named.set(p.name, (named.get(p.name) ?? 0) + 1);
    byVid.set(vid, (v = { ports, named }));
  }
  return v;
}

const NO_STEPS: readonly TraceStep[] = [];
const NO_EVENTS: readonly HopEvent[] = [];

function outFrame(packet: Packet, port: OvsPort, vid: number): { packet: Packet; events: HopEvent[] } {
  if (port.tag !== null) {
    return { packet: { ...packet, vlan: null }, events: packet.vlan !== null ? [{ kind: 'vlan-strip', vid }] : [] };
  }
  return { packet: { ...packet, vlan: vid === 0 ? null : vid }, events: [] };
}

export function runNormal(host: string, bridge: OvsBridge, inPortName: string, packet: Packet, state: LearningStore, learn: boolean): NormalResult {
  const inPort = portByName(bridge, inPortName);
  const steps: TraceStep[] = [];
  const events: HopEvent[] = [];
  const drop = (rule: string) => ({ steps, events, copies: [dropCopy(packet, { host, device: bridge.name, rule, origin: null }, 'default')] });
  if (!inPort) return drop(`NORMAL: unknown input port ${inPortName}`);
  let vid: number;
  if (inPort.tag !== null) {
    // An access port accepts only untagged frames (VID 0 counts as untagged, as in OVS).
    if (packet.vlan !== null && packet.vlan !== 0) return drop(`NORMAL: tagged frame (VLAN ${packet.vlan}) on access port ${inPort.name} (tag ${inPort.tag})`);
    vid = inPort.tag;
    events.push({ kind: 'vlan-push', vid });
  } else {
    vid = packet.vlan ?? 0;
  }
  // Admission comes after the VLAN check and before learning, as in OVS's xlate_normal.
  const refused = normalRefusal(packet);
  if (refused !== null) {
    steps.push({ where: 'NORMAL', rule: refused, action: 'drop', origin: null });
    return drop(refused);
  }
  const tagged: Packet = { ...packet, vlan: vid === 0 ? null : vid };
  if (learn && !isGroupMac(packet.eth_src)) {
    state.learnMac({ host, bridge: bridge.name, vlan: vid, mac: packet.eth_src, port: inPort.name });
  }
  const known = isGroupMac(packet.eth_dst) ? null : state.lookup(host, bridge.name, vid, packet.eth_dst);
  if (known !== null) {
    const port = portByName(bridge, known);
    steps.push({ where: 'NORMAL', rule: `fdb VLAN ${vid}: ${packet.eth_dst} on ${known}`, action: `output to ${known}`, origin: null });
    // OVS drops a frame whose destination was learned on the port it came in on.
    if (!port || known === inPort.name) return drop(`NORMAL: ${packet.eth_dst} learned on the input port ${known}`);
    const f = outFrame(tagged, port, vid);
    return { steps, events, copies: [emitCopy(port.name, f.packet, [], f.events)] };
  }
  const inVid = portsInVlan(bridge, vid);
  const stripEvents: readonly HopEvent[] = tagged.vlan !== null ? [{ kind: 'vlan-strip', vid }] : NO_EVENTS;
  // A learning walk keeps no steps (walk.ts keeps bare hops), and a flood's step names every port: on a
  // network node's external VLAN, every router's gateway port. Nor does it list the copies one by one.
  // Every copy to an access port is the same untagged frame and every copy to a trunk the tagged one
  // (outFrame's two cases): made once per flood, not once per port.
  const flood: FloodCopy = { kind: 'flood', bridge, ports: inVid.ports, except: inPort.name, tagged, untagged: { ...tagged, vlan: null }, stripEvents };
  if (learn) {
    if (inVid.ports.length === (inVid.named.get(inPort.name) ?? 0)) {
      return { steps, events, copies: [dropCopy(tagged, { host, device: bridge.name, rule: `NORMAL: no other port in VLAN ${vid}`, origin: null }, 'quiet')] };
    }
    return { steps, events, copies: [flood] };
  }
  const targets = inVid.ports.filter((p) => p.name !== inPort.name);
  steps.push({
    where: 'NORMAL',
    rule: isGroupMac(packet.eth_dst) ? `flood VLAN ${vid} (${packet.eth_dst})` : `flood VLAN ${vid} (${packet.eth_dst} not learned)`,
    action: targets.length > 0 ? `flood to ${targets.map((p) => p.name).join(', ')}` : 'no other port in the VLAN',
    origin: null,
  });
  if (targets.length === 0) {
    return { steps, events, copies: [dropCopy(tagged, { host, device: bridge.name, rule: `NORMAL: no other port in VLAN ${vid}`, origin: null }, 'quiet')] };
  }
  return { steps, events, copies: targets.map((p) => floodCopyTo(flood, p)) };
}

/** A copy of a whole flood to one of its ports (`port` one of `f.ports`), as it leaves the bridge. */
export function floodCopyTo(f: FloodCopy, port: OvsPort): Copy {
  const base = port.tag !== null ? f.untagged : f.tagged;
  // runBridge clears the tunnel metadata of every NORMAL copy to a port that is no tunnel.
  const packet = base.tun_id !== null && !isTunnelPort(portByName(f.bridge, port.name)) ? { ...base, tun_id: null } : base;
  return emitCopy(port.name, packet, NO_STEPS, port.tag !== null ? f.stripEvents : NO_EVENTS);
}

/** Every copy of a whole flood, in order: what runNormal lists when it is not learning. */
export function floodCopies(f: FloodCopy): Copy[] {
  return f.ports.filter((p) => p.name !== f.except).map((p) => floodCopyTo(f, p));
}
