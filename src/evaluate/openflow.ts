// The OpenFlow pipeline of one OVS bridge for one arriving packet.
// Guarantees (Open vSwitch semantics): in each table the highest-priority matching flow wins (ties:
// the first in the list); no match drops ("table N: no flow matched"); actions run in order;
// `resubmit` runs a table with in_port possibly changed and then continues (packet changes made in
// it persist, in_port is restored); `goto_table` continues in that table and ends the action list;
// `output` emits a copy of the packet as it is at that point, except to the input port (skipped) —
// `in_port` is the way to send it back. tun_id is cleared on copies to non-tunnel ports. With `learn`
// set (convergence) `learn` actions install flows into the LearningState.
import type { Packet } from '../ir/packet.ts';
import type { Flow, FlowAction, FlowMatch, OvsBridge } from '../ir/openflow.ts';
import type { Origin } from '../ir/origin.ts';
import type { HopEvent, TraceStep } from './trace.ts';
import type { DropKind, OutCopy } from './device.ts';
import { dropCopy, emitCopy } from './device.ts';
import { firstMatch } from './flow-index.ts';
import { type FlowTables, isTunnelPort, portByName, portName, tunIdOut } from '../semantics/ovs-bridge.ts';
import { MAX_RESUBMIT_DEPTH } from '../semantics/limits.ts';
import { runNormal } from './normal.ts';
import { headerWriteText, type HeaderWrite, isArpField, moveNeedsArp, NOT_KEPT_NOTE, planMove } from '../semantics/header-write.ts';
import { ETH_TYPE } from '../ir/packet.ts';
import type { LearningStore } from './state.ts';

export interface BridgeEnv {
  readonly host: string;
  readonly bridge: OvsBridge;
  readonly tables: FlowTables;
  readonly state: LearningStore;
  readonly learn: boolean;
}

export interface BridgeResult {
  readonly steps: readonly TraceStep[];
  readonly events: readonly HopEvent[];
  readonly uncertain: readonly string[];
  readonly copies: readonly OutCopy[];
}

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * A flow's actions as a trace step shows them, made once per flow and bridge: a flow and the ports it
 * names do not change, and a trace described every flow it met again.
 */
const described = new WeakMap<Flow, WeakMap<OvsBridge, string>>();

function actionsText(flow: Flow, bridge: OvsBridge): string {
  let byBridge = described.get(flow);
  if (!byBridge) described.set(flow, (byBridge = new WeakMap()));
  let text = byBridge.get(bridge);
  if (text === undefined) {
    text = flow.actions.map((a) => actionText(a, bridge)).join(',') || 'drop';
    byBridge.set(bridge, text);
  }
  return text;
}

export function actionText(a: FlowAction, bridge: OvsBridge): string {
  switch (a.kind) {
    case 'output': return `output:${portName(bridge, a.port) ?? `#${a.port.kind === 'number' ? a.port.ofport : '?'}`}`;
    case 'in_port': return 'in_port';
    case 'normal': return 'NORMAL';
    case 'drop': return 'drop';
    case 'resubmit': return `resubmit(${a.port ? portName(bridge, a.port) ?? '' : ''},${a.table ?? ''})`;
    case 'goto_table': return `goto_table:${a.table}`;
    case 'mod_vlan_vid': return `mod_vlan_vid:${a.vid}`;
    case 'push_vlan': return `push_vlan:${hex(a.ethertype)}`;
    case 'set_vlan_vid': return `set_field:${4096 + a.vid}->vlan_vid`;
    case 'strip_vlan': return 'strip_vlan';
    case 'set_tun_id': return `set_tun_id:${hex(a.value)}`;
    case 'set_reg': return `set_field:${a.value}->reg${a.reg}`;
    case 'mod_dl_src': return `mod_dl_src:${a.mac}`;
    case 'mod_dl_dst': return `mod_dl_dst:${a.mac}`;
    case 'set_arp_op':
    case 'set_arp_pa':
    case 'set_arp_ha':
    case 'move': return headerWriteText(a);
    case 'learn': return `learn(${a.text})`;
    case 'unsupported': return a.text;
    default: {
      const never: never = a;
      return String(never);
    }
  }
}

/** The flow a `learn` action installs, from the packet that runs it. */
function learnedFlow(a: Extract<FlowAction, { kind: 'learn' }>, from: Flow, packet: Packet, inPort: string): Flow | null {
  const spec = a.spec;
  if (spec === null) return null;
  const match: FlowMatch = {
    ...(spec.matchVlanFromPacket ? { vlan_tci: { value: packet.vlan ?? 0, mask: 0x0fff } } : {}),
    ...(spec.matchDstFromSrc ? { dl_dst: { mac: packet.eth_src, mask: null } } : {}),
  };
  const actions: FlowAction[] = [
    ...(spec.stripVlan ? [{ kind: 'strip_vlan' } as const] : []),
    ...(spec.copyTunId ? [{ kind: 'set_tun_id', value: packet.tun_id ?? 0 } as const] : []),
    ...(spec.outputToInPort ? [{ kind: 'output', port: { kind: 'name', name: inPort } } as const] : []),
  ];
  const matchText = [
    spec.matchVlanFromPacket ? `vlan_tci=0x${(packet.vlan ?? 0).toString(16).padStart(4, '0')}/0x0fff` : null,
    spec.matchDstFromSrc ? `dl_dst=${packet.eth_src}` : null,
  ].filter((x) => x !== null).join(',');
  const actText = [
    spec.stripVlan ? 'load:0->NXM_OF_VLAN_TCI[]' : null,
    spec.copyTunId ? `load:${hex(packet.tun_id ?? 0)}->NXM_NX_TUN_ID[]` : null,
    spec.outputToInPort ? `output:"${inPort}"` : null,
  ].filter((x) => x !== null).join(',');
  const text = `table=${spec.table}, priority=${spec.priority}${matchText ? ',' + matchText : ''} actions=${actText}`;
  const origin: Origin = { file: from.origin.file, line: from.origin.line, text, why: `learned from ${packet.eth_src} on ${inPort}` };
  return { table: spec.table, priority: spec.priority, match, actions, cookie: from.cookie, origin };
}

const targetsOf = new WeakMap<OvsBridge, ReadonlySet<number>>();

/** The tables the bridge's own `learn` actions install flows into. */
function learnTargets(bridge: OvsBridge): ReadonlySet<number> {
  let t = targetsOf.get(bridge);
  if (t === undefined) {
    t = new Set(bridge.flows.flatMap((f) => f.actions.flatMap((a) => (a.kind === 'learn' && a.spec !== null ? [a.spec.table] : []))));
    targetsOf.set(bridge, t);
  }
  return t;
}

/** Runs the bridge's pipeline from table 0 for a packet arriving on `inPort`. */
export function runBridge(env: BridgeEnv, inPort: string, packet0: Packet): BridgeResult {
  const { host, bridge } = env;
  const steps: TraceStep[] = [];
  const events: HopEvent[] = [];
  const uncertain: string[] = [];
  const copies: OutCopy[] = [];
  const regs: Record<number, number> = {};
  let packet = packet0;
  let lastDrop: { rule: string; origin: Origin | null; kind: DropKind } | null = null;
  let curInPort = inPort;
  const portOf = (name: string) => portByName(bridge, name);

  const emit = (portNameOut: string) => {
    const port = portOf(portNameOut);
    if (!port) {
      lastDrop = { rule: `output to ${portNameOut}: no such port on ${bridge.name}`, origin: null, kind: 'default' };
      return;
    }
    const tunId = tunIdOut(port, packet.tun_id);
    if (tunId !== null) {
      copies.push(emitCopy(port.name, { ...packet, tun_id: tunId }, [], [{ kind: 'tunnel-encap', tunId, remoteIp: port.remoteIp ?? '?', port: port.name }]));
    } else {
      copies.push(emitCopy(port.name, { ...packet, tun_id: null }));
    }
  };

  /** Runs one table; returns false when the pipeline must stop (depth exceeded). */
  const runTable = (table: number, depth: number): void => {
    if (depth > MAX_RESUBMIT_DEPTH) {
      uncertain.push(`resubmit depth over ${MAX_RESUBMIT_DEPTH} on ${bridge.name}`);
      lastDrop = { rule: `resubmit depth over ${MAX_RESUBMIT_DEPTH}`, origin: null, kind: 'default' };
      return;
    }
    // Learning: a table that `learn` actions write into may hold flows learned since, so what the
    // packet meets there is a read of the learned state.
    if (env.learn && learnTargets(bridge).has(table)) env.state.noteRead();
    const flows = env.tables.get(table) ?? [];
    const flow = firstMatch(bridge, flows, { packet, inPort: curInPort, regs }, (why, f) => uncertain.push(`${why}: ${f.origin.text}`));
    if (!flow) {
      steps.push({ where: `table ${table}`, rule: 'no flow matched', action: 'drop', origin: null });
      lastDrop = { rule: `table ${table}: no flow matched`, origin: null, kind: 'default' };
      return;
    }
    // A learning walk keeps no steps (walk.ts keeps bare hops); a flood flow's text names every port.
    if (!env.learn) steps.push({ where: `table ${table}`, rule: flow.origin.text, action: actionsText(flow, bridge), origin: flow.origin });
    if (flow.actions.length === 0) lastDrop = dropOf(flow);
    runActions(flow, depth);
  };

  const dropOf = (flow: Flow): { rule: string; origin: Origin; kind: DropKind } => ({
    rule: flow.origin.text,
    origin: flow.origin,
    // A wildcard drop (a table's default) tells less than a rule written for this traffic.
    kind: Object.keys(flow.match).length === 0 ? 'default' : 'rule',
  });

  const runActions = (flow: Flow, depth: number): void => {
    for (const a of flow.actions) {
      switch (a.kind) {
        case 'output': {
          const name = portName(bridge, a.port);
          if (name === null) { lastDrop = { rule: `${actionText(a, bridge)}: no such port`, origin: flow.origin, kind: 'default' }; break; }
          if (name === curInPort) { steps.push({ where: `table ${flow.table}`, rule: flow.origin.text, action: `skipped: output to input port ${name}`, origin: flow.origin }); break; }
          emit(name);
          break;
        }
        case 'in_port': emit(curInPort); break;
        case 'normal': {
          const r = runNormal(host, bridge, curInPort, packet, env.state, env.learn);
          steps.push(...r.steps);
          events.push(...r.events);
          for (const c of r.copies) {
            if (c.kind === 'emit' && !isTunnelPort(portOf(c.port))) copies.push(c.packet.tun_id === null ? c : { ...c, packet: { ...c.packet, tun_id: null } });
            else if (c.kind === 'emit' || c.kind === 'flood') copies.push(c);
            else if (c.drop) lastDrop = { rule: c.drop.rule, origin: null, kind: c.dropKind ?? 'default' };
          }
          break;
        }
        case 'drop': lastDrop = dropOf(flow); return;
        case 'resubmit': {
          const saved = curInPort;
          if (a.port !== null) {
            const n = portName(bridge, a.port);
            if (n !== null) curInPort = n;
          }
          runTable(a.table ?? flow.table, depth + 1);
          curInPort = saved;
          break;
        }
        case 'goto_table': runTable(a.table, depth + 1); return;
        case 'mod_vlan_vid':
          events.push(packet.vlan === null ? { kind: 'vlan-push', vid: a.vid } : { kind: 'vlan-mod', from: packet.vlan, to: a.vid });
          packet = { ...packet, vlan: a.vid };
          break;
        case 'push_vlan':
          // The tag pushed carries VID 0 until a set_field sets it.
          events.push({ kind: 'vlan-push', vid: 0 });
          packet = { ...packet, vlan: 0 };
          break;
        case 'set_vlan_vid':
          if (packet.vlan !== null) {
            events.push({ kind: 'vlan-mod', from: packet.vlan, to: a.vid });
            packet = { ...packet, vlan: a.vid };
          }
          break;
        case 'strip_vlan':
          if (packet.vlan !== null) events.push({ kind: 'vlan-strip', vid: packet.vlan });
          packet = { ...packet, vlan: null };
          break;
        case 'set_tun_id': packet = { ...packet, tun_id: a.value }; break;
        case 'set_reg': regs[a.reg] = a.value; break;
        case 'mod_dl_src': packet = { ...packet, eth_src: a.mac }; break;
        case 'mod_dl_dst': packet = { ...packet, eth_dst: a.mac }; break;
        case 'set_arp_op':
        case 'set_arp_pa':
        case 'set_arp_ha':
        case 'move': {
          const w = writeHeader(packet, a);
          if (w.kind === 'unknown') uncertain.push(`${bridge.name}: ${w.why} (${flow.origin.text})`);
          else {
            packet = w.packet;
            if (w.note !== null) steps.push({ where: `table ${flow.table}`, rule: flow.origin.text, action: w.note, origin: flow.origin });
          }
          break;
        }
        case 'learn': {
          if (a.spec === null) { uncertain.push(`learn action not understood on ${bridge.name}: ${a.text}`); break; }
          if (env.learn) {
            const f = learnedFlow(a, flow, packet, curInPort);
            if (f) env.state.learnFlow(host, bridge.name, f);
          }
          break;
        }
        case 'unsupported': uncertain.push(`unsupported action on ${bridge.name}: ${a.text} (${flow.origin.text})`); break;
        default: {
          const never: never = a;
          throw new Error(`unknown action ${JSON.stringify(never)}`);
        }
      }
    }
    if (flow.actions.length > 0 && !flow.actions.some((a) => a.kind !== 'drop') && lastDrop === null) lastDrop = dropOf(flow);
  };

  runTable(0, 0);
  if (copies.length === 0) {
    const d: { rule: string; origin: Origin | null; kind: DropKind } = lastDrop ?? { rule: `${bridge.name}: no output action`, origin: null, kind: 'default' };
    copies.push(dropCopy(packet, { host, device: bridge.name, rule: d.rule, origin: d.origin }, d.kind));
  }
  return { steps, events, uncertain, copies };
}

/** A write of an Ethernet or ARP field (src/semantics/header-write.ts): the packet after it, or why it is unknown. */
function writeHeader(packet: Packet, a: HeaderWrite): { kind: 'done'; packet: Packet; note: string | null } | { kind: 'unknown'; why: string } {
  const arp = packet.eth_type === ETH_TYPE.arp;
  const needsArp = a.kind === 'move' ? moveNeedsArp(a.from, a.to) : isArpField(a.kind === 'set_arp_op' ? 'arp_op' : a.field);
  if (needsArp && !arp) return { kind: 'unknown', why: `${headerWriteText(a)} on a packet that is not ARP` };
  switch (a.kind) {
    case 'set_arp_op': return { kind: 'done', packet: { ...packet, proto: a.value }, note: null };
    case 'set_arp_pa': return { kind: 'done', packet: { ...packet, [a.field === 'arp_spa' ? 'ip_src' : 'ip_dst']: a.ip }, note: null };
    case 'set_arp_ha': return { kind: 'done', packet, note: `${a.field} set to ${a.mac}: ${NOT_KEPT_NOTE}` };
    case 'move': {
      const plan = planMove(a.from, a.to);
      switch (plan.kind) {
        case 'copy': return { kind: 'done', packet: { ...packet, [plan.to]: packet[plan.from] }, note: null };
        case 'not-kept': return { kind: 'done', packet, note: plan.note };
        case 'unknown': return { kind: 'unknown', why: plan.why };
      }
    }
  }
}
