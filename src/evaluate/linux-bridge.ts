// A Linux bridge (qbr): first the frames it discards (bridge-discard.ts: invalid source MACs, 802.1D
// link-local destinations), then converged MAC-table forwarding, flooding to every other port
// otherwise (no VLANs). With br_netfilter on, untagged IPv4 frames crossing it go through the host's
// root namespace iptables as bridged traffic: PREROUTING (physdev-in = ingress port, -i = the
// bridge), then per egress port FORWARD (physdev-out) and POSTROUTING. ARP, every non-IPv4 frame and
// VLAN-tagged IPv4 (bridge-nf-filter-vlan-tagged=0) skip iptables.
// Guarantees: each copy carries its own security-group verdict; a drop names the iptables rule.
import type { Packet } from '../ir/packet.ts';
import { ETH_TYPE } from '../ir/packet.ts';
import type { LinuxBridge } from '../ir/dataplane.ts';
import type { NetfilterRuleset } from '../ir/netfilter.ts';
import type { HopEvent, TraceStep } from './trace.ts';
import type { Copy } from './device.ts';
import { dropCopy, emitCopy } from './device.ts';
import { isGroupMac } from './addr.ts';
import type { LearningStore } from './state.ts';
import type { NfEnv } from './hooks.ts';
import { runHookRecorded } from './hooks.ts';
import { bridgeDiscard } from './bridge-discard.ts';
import { BRIDGE_NF_FILTER_VLAN_TAGGED, LINK_LAYER_WHY } from '../semantics/link-layer.ts';

export interface LinuxBridgeEnv {
  readonly host: string;
  readonly state: LearningStore;
  readonly learn: boolean;
  readonly nf: NfEnv;
  /** The host's root namespace ruleset (null: no root namespace in the dataplane). */
  readonly rootNetfilter: NetfilterRuleset | null;
  /** The Neutron port id behind a tap/qvb device (by its 11-character suffix), for reports. */
  portIdOf(deviceSuffix: string): string;
}

export interface LinuxBridgeResult {
  readonly steps: readonly TraceStep[];
  readonly events: readonly HopEvent[];
  readonly uncertain: readonly string[];
  readonly copies: readonly Copy[];
}

/** The VM-facing port of the crossing decides the security-group direction. */
function sgOf(env: LinuxBridgeEnv, inPort: string, outPort: string | null): { portId: string; direction: 'egress' | 'ingress' } | null {
  if (inPort.startsWith('tap')) return { portId: env.portIdOf(inPort.slice(3)), direction: 'egress' };
  if (outPort?.startsWith('tap')) return { portId: env.portIdOf(outPort.slice(3)), direction: 'ingress' };
  return null;
}

export function runLinuxBridge(env: LinuxBridgeEnv, br: LinuxBridge, inPort: string, packet: Packet): LinuxBridgeResult {
  const steps: TraceStep[] = [];
  const events: HopEvent[] = [];
  const uncertain: string[] = [];
  const where = { host: env.host, device: br.name, namespace: 'root' };
  const discarded = bridgeDiscard(br, packet);
  if (discarded !== null) {
    steps.push({ where: 'bridge', rule: discarded, action: 'drop', origin: null });
    return { steps, events, uncertain, copies: [dropCopy(packet, { host: env.host, device: br.name, rule: discarded, origin: null }, 'default')] };
  }
  if (env.learn && !isGroupMac(packet.eth_src)) env.state.learnMac({ host: env.host, bridge: br.name, vlan: null, mac: packet.eth_src, port: inPort });
  const known = isGroupMac(packet.eth_dst) ? null : env.state.lookup(env.host, br.name, null, packet.eth_dst);
  let outs: string[];
  if (known !== null) {
    steps.push({ where: 'fdb', rule: `${packet.eth_dst} on ${known}`, action: `forward to ${known}`, origin: null });
    if (known === inPort) {
      return { steps, events, uncertain, copies: [dropCopy(packet, { host: env.host, device: br.name, rule: `fdb: ${packet.eth_dst} learned on the input port`, origin: null }, 'quiet')] };
    }
    outs = [known];
  } else {
    outs = br.ports.filter((p) => p !== inPort);
    steps.push({ where: 'fdb', rule: `${packet.eth_dst} ${isGroupMac(packet.eth_dst) ? '(group address)' : 'not learned'}`, action: outs.length ? `flood to ${outs.join(', ')}` : 'no other port', origin: null });
  }
  if (outs.length === 0) {
    return { steps, events, uncertain, copies: [dropCopy(packet, { host: env.host, device: br.name, rule: 'fdb: no other port on the bridge', origin: null }, 'quiet')] };
  }
  const tagged = packet.vlan !== null && !BRIDGE_NF_FILTER_VLAN_TAGGED;
  const filtered = br.netfilter && packet.eth_type === ETH_TYPE.ipv4 && !tagged;
  if (br.netfilter && packet.eth_type === ETH_TYPE.ipv4 && tagged) events.push({ kind: 'note', text: LINK_LAYER_WHY.taggedBypass });
  if (!filtered) return { steps, events, uncertain, copies: outs.map((p) => emitCopy(p, packet)) };
  if (env.rootNetfilter === null) {
    uncertain.push(`${br.name}@${env.host}: br_netfilter on but no root namespace ruleset`);
    return { steps, events, uncertain, copies: outs.map((p) => emitCopy(p, packet)) };
  }
  const rules = env.rootNetfilter;
  const pre = runHookRecorded(env.nf, where, rules, 'PREROUTING', env.nf.engine.newState(packet), {
    inIface: br.name, outIface: null, physdevIn: inPort, physdevOut: null, bridged: true,
  });
  steps.push(...pre.steps);
  events.push(...pre.events, { kind: 'conntrack', zone: pre.state.zone, state: pre.state.ctState });
  uncertain.push(...pre.uncertain);
  if (pre.drop) {
    const sg = sgOf(env, inPort, null);
    const ev: HopEvent[] = sg ? [{ kind: 'security-group', ...sg, verdict: 'drop' }] : [];
    return { steps, events: [...events, ...ev], uncertain, copies: [dropCopy(pre.state.packet, pre.drop, 'rule')] };
  }
  const copies = outs.map((out): Copy => {
    const ctx = { inIface: br.name, outIface: br.name, physdevIn: inPort, physdevOut: out, bridged: true };
    const fwd = runHookRecorded(env.nf, where, rules, 'FORWARD', pre.state, ctx);
    uncertain.push(...fwd.uncertain);
    const sg = sgOf(env, inPort, out);
    if (fwd.drop) {
      const ev: HopEvent[] = [...fwd.events, ...(sg ? [{ kind: 'security-group', ...sg, verdict: 'drop' } as const] : [])];
      return dropCopy(fwd.state.packet, fwd.drop, 'rule', fwd.steps, ev);
    }
    const post = runHookRecorded(env.nf, where, rules, 'POSTROUTING', fwd.state, ctx);
    uncertain.push(...post.uncertain);
    const cSteps = [...fwd.steps, ...post.steps];
    const ev: HopEvent[] = [...fwd.events, ...post.events, ...(sg ? [{ kind: 'security-group', ...sg, verdict: post.drop ? 'drop' : 'accept' } as const] : [])];
    if (post.drop) return dropCopy(post.state.packet, post.drop, 'rule', cSteps, ev);
    return emitCopy(out, post.state.packet, cSteps, ev);
  });
  return { steps, events, uncertain, copies };
}
