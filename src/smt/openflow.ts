// The OpenFlow pipeline of one OVS bridge over a symbolic packet, as src/evaluate/openflow.ts runs it
// for a concrete one: in each table the flows in priority order (list order breaks ties), a flow taken
// on `match ∧ ¬(every earlier match)`, no match drops; actions in order; `resubmit` runs a table with
// in_port possibly changed and continues; `goto_table` and `drop` end the flow's action list; `output`
// emits a copy (never to the input port; `in_port` does that), tun_id kept only towards tunnel ports.
// VLAN actions as the IR defines them: OF1.0 `mod_vlan_vid` pushes a tag on an untagged frame, OF1.3
// `set_vlan_vid` changes a present tag only, `push_vlan` pushes VID 0. Writes of Ethernet and ARP
// fields (the br-tun ARP responder's `load`/`move`) as src/semantics/header-write.ts decides them.
// Guarantees: the branches of a table partition the packets reaching it; a flow with unsupported match
// fields or an unsupported/unreadable action yields an `unknown` end on the packets it would concern.
import type { Flow, FlowAction, OvsBridge, OvsPort } from '../ir/openflow.ts';
import type { FdbEntry } from '../semantics/converged.ts';
import { type FlowTables, isTunnelPort, portByName, portName, tunIdOut } from '../semantics/ovs-bridge.ts';
import { MAX_RESUBMIT_DEPTH } from '../semantics/limits.ts';
import { ipToNum, macToNum, type SymPacket, WIDTH } from './headers.ts';
import { ETH_TYPE } from '../ir/packet.ts';
import { headerWriteText, type HeaderWrite, isArpField, moveNeedsArp, planMove } from '../semantics/header-write.ts';
import type { Cond, Enc } from './cond.ts';
import type { Path, Step } from './path.ts';
import { assume, ended, unknownEnd, withPacket } from './path.ts';
import { symMatchFlow } from './flow-match.ts';
import { symNormal } from './normal.ts';

/**
 * A table's flows that can match a packet from one input port, in order, with the flows that match
 * one VLAN and one destination MAC exactly (the MAC table `learn` builds: a flow per station) indexed
 * by that pair, so a packet whose VLAN and destination are known meets only its own.
 */
interface PortTable {
  readonly flows: readonly Flow[];
  /** Positions (in `flows`) of the flows not indexed, and those flows. */
  readonly other: readonly number[];
  readonly otherFlows: readonly Flow[];
  /** `t<vid>|<mac>` (vlan_tci on the VID bits) or `d<vid>|<mac>` (dl_vlan) → positions. */
  readonly byKey: ReadonlyMap<string, readonly number[]>;
  /**
   * `other`'s positions by the one VLAN (dl_vlan alone) and the one tunnel key (exact tun_id) a flow
   * requires, made on first use (`sieve`): a network node's br-tun has a flow per network matching
   * only the tunnel key (table 4) or only the VLAN (table 22), and a packet met them all, one by one,
   * however many networks the node serves.
   */
  needs?: Needs;
}

const portTables = new WeakMap<readonly Flow[], Map<string, PortTable>>();

function exactKey(f: Flow): string | null {
  const m = f.match;
  if (m.dl_dst === undefined || m.dl_dst.mask !== null) return null;
  if (m.dl_vlan !== undefined && m.vlan_tci === undefined) return `d${m.dl_vlan}|${macToNum(m.dl_dst.mac)}`;
  if (m.vlan_tci !== undefined && m.dl_vlan === undefined && m.vlan_tci.mask === 0x0fff) return `t${m.vlan_tci.value & 0x0fff}|${macToNum(m.dl_dst.mac)}`;
  return null;
}

function portTable(bridge: OvsBridge, flows: readonly Flow[], inPort: string): PortTable {
  let m = portTables.get(flows);
  if (!m) portTables.set(flows, (m = new Map()));
  let t = m.get(inPort);
  if (!t) {
    // A flow for another input port cannot match.
    const mine = flows.filter((f) => f.match.in_port === undefined || portName(bridge, f.match.in_port) === inPort);
    const other: number[] = [];
    const byKey = new Map<string, number[]>();
    mine.forEach((f, i) => {
      const k = exactKey(f);
      if (k === null) other.push(i);
      else byKey.set(k, [...(byKey.get(k) ?? []), i]);
    });
    t = { flows: mine, other, otherFlows: other.map((i) => mine[i]!), byKey };
    m.set(inPort, t);
  }
  return t;
}

/** The flows of a table that can match this packet from `inPort`, in order. */
function flowsFor(bridge: OvsBridge, flows: readonly Flow[], inPort: string, packet: SymPacket): readonly Flow[] {
  const t = portTable(bridge, flows, inPort);
  const dst = packet.eth_dst;
  const sieved = sieve(t, packet);
  if (t.byKey.size === 0 || typeof dst !== 'number' || (packet.vlan !== null && typeof packet.vlan !== 'number')) {
    // With nothing indexed by destination, `other` is every flow.
    return t.byKey.size === 0 && sieved !== null ? sieved.flows : t.flows;
  }
  // vlan_tci on the VID bits reads 0 for an untagged frame; dl_vlan needs a tag.
  const vid = packet.vlan;
  const hits = [...(t.byKey.get(`t${vid ?? 0}|${dst}`) ?? []), ...(vid === null ? [] : (t.byKey.get(`d${vid}|${dst}`) ?? []))];
  if (hits.length === 0) return sieved?.flows ?? t.otherFlows;
  return [...(sieved?.positions ?? t.other), ...hits].sort((a, b) => a - b).map((i) => t.flows[i]!);
}

/** Off only in tests that hold the walk to meeting every flow (test/smt/flow-sieve.test.ts); `left`: flows left out, in the process. */
export const flowSieve = { on: true, left: 0 };

const TWO32 = 2 ** 32;
const mod32 = (x: number): number => ((x % TWO32) + TWO32) % TWO32;

/** The one VLAN a flow requires (`v<vid>`: dl_vlan alone), or null when it is not that simple. */
function vlanNeed(f: Flow): string | null {
  const m = f.match;
  return m.dl_vlan !== undefined && m.vlan_tci === undefined ? `v${m.dl_vlan % 4096}` : null;
}

/** The one tunnel key a flow requires (tun_id with no mask or all 32 bits), or null. */
function tunNeed(f: Flow): number | null {
  const t = f.match.tun_id;
  return t !== undefined && (t.mask === null || mod32(t.mask) === TWO32 - 1) ? mod32(t.value) : null;
}

/** `other`'s positions by what they require: nothing of the two, a VLAN, a tunnel key, or both. */
interface Needs {
  readonly none: readonly number[];
  readonly byVlan: ReadonlyMap<string, readonly number[]>;
  readonly byTun: ReadonlyMap<number, readonly number[]>;
  readonly byBoth: ReadonlyMap<string, readonly number[]>;
}

function needsOf(t: PortTable): Needs {
  if (t.needs !== undefined) return t.needs;
  const none: number[] = [];
  const byVlan = new Map<string, number[]>();
  const byTun = new Map<number, number[]>();
  const byBoth = new Map<string, number[]>();
  const add = <K>(m: Map<K, number[]>, k: K, i: number) => {
    const l = m.get(k);
    if (l) l.push(i);
    else m.set(k, [i]);
  };
  for (const i of t.other) {
    const f = t.flows[i]!;
    const v = vlanNeed(f);
    const n = tunNeed(f);
    if (v === null && n === null) none.push(i);
    else if (n === null) add(byVlan, v!, i);
    else if (v === null) add(byTun, n, i);
    else add(byBoth, `${v}|${n}`, i);
  }
  return (t.needs = { none, byVlan, byTun, byBoth });
}

/**
 * The flows of `other` not ruled out by the packet's VLAN and tunnel key when both are one value
 * (else null, and null when no flow of `other` requires either): a flow requiring another VLAN by
 * dl_vlan, or another tunnel key exactly, is one whose match `symMatchFlow` makes false — `runTable`
 * passes over it without a branch — so leaving it out changes nothing but the time. `other`'s order
 * is kept.
 */
function sieve(t: PortTable, p: SymPacket): { readonly positions: readonly number[]; readonly flows: readonly Flow[] } | null {
  if (!flowSieve.on) return null;
  const vlan = p.vlan;
  const tun = p.tun_id ?? 0;
  if ((vlan !== null && typeof vlan !== 'number') || typeof tun !== 'number') return null;
  const n = needsOf(t);
  if (n.none.length === t.other.length) return null;
  // An untagged frame fails every dl_vlan (`u` is no flow's need); a tunnel key reads 0 off a tunnel.
  const vk = vlan === null ? 'u' : `v${vlan % 4096}`;
  const tk = mod32(tun);
  const positions = [...n.none, ...(n.byVlan.get(vk) ?? []), ...(n.byTun.get(tk) ?? []), ...(n.byBoth.get(`${vk}|${tk}`) ?? [])].sort((a, b) => a - b);
  flowSieve.left += t.other.length - positions.length;
  return { positions, flows: positions.map((i) => t.flows[i]!) };
}

export interface SymBridgeEnv {
  readonly host: string;
  readonly bridge: OvsBridge;
  /** The bridge's flows plus the flows `learn` actions installed (converged state). */
  readonly tables: FlowTables;
  /** The converged MAC table of this bridge. */
  readonly fdb: readonly FdbEntry[];
}

interface Run {
  readonly path: Path;
  readonly regs: Readonly<Record<number, number>>;
  readonly inPort: string;
  /** The current flow's action list ended (goto_table, drop). */
  readonly stopped: boolean;
  readonly copies: readonly Step[];
  readonly lastDrop: string | null;
}

/** One run of a bridge: what every table and action of it reads, and the ends found on the way. */
interface BridgeRun {
  readonly e: Enc;
  readonly env: SymBridgeEnv;
  readonly where: string;
  /** Unknown ends and NORMAL drops found on the way. */
  readonly side: Step[];
}

// Module-level functions with the run passed along, not closures made per bridge visit: the walk
// visits bridges hundreds of thousands of times, and each closure made costs more than its work.

/** Runs the bridge from table 0 for the path arriving on `inPort`; yields copies and ends. */
export function symRunBridge(e: Enc, env: SymBridgeEnv, inPort: string, path: Path): Step[] {
  const b: BridgeRun = { e, env, where: `${env.host}/${env.bridge.name}`, side: [] };
  const finals = runTable(b, 0, { path, regs: {}, inPort, stopped: false, copies: [], lastDrop: null }, 0);
  const seen = new Set<Step>();
  const out: Step[] = [...b.side];
  for (const r of finals) {
    for (const c of r.copies) if (!seen.has(c)) { seen.add(c); out.push(c); }
    if (r.copies.length === 0) out.push(ended('dropped', r.path, r.lastDrop ?? `${b.where}: no output action`));
  }
  return out;
}

function emit(b: BridgeRun, r: Run, name: string): Run {
  const port = portByName(b.env.bridge, name);
  if (!port) return { ...r, lastDrop: `${b.where}: output to ${name}: no such port` };
  const packet = { ...r.path.packet, tun_id: tunIdOut(port, r.path.packet.tun_id) };
  return { ...r, copies: [...r.copies, { kind: 'emit', port: port.name, path: withPacket(r.path, packet) }] };
}

function runTable(b: BridgeRun, table: number, r: Run, depth: number): Run[] {
  const { e, where } = b;
  const bridge = b.env.bridge;
  if (depth > MAX_RESUBMIT_DEPTH) {
    b.side.push(unknownEnd(`${where}: resubmit depth over ${MAX_RESUBMIT_DEPTH}`, r.path));
    return [];
  }
  const flows = flowsFor(bridge, b.env.tables.get(table) ?? [], r.inPort, r.path.packet);
  const out: Run[] = [];
  const earlier: Cond[] = [];
  for (const f of flows) {
    const m = symMatchFlow(e, bridge, f.match, { packet: r.path.packet, inPort: r.inPort, regs: r.regs });
    if (m.supported.cond === false) continue;
    const notEarlier = notAny(e, earlier);
    if (m.unsupported.length > 0) {
      const u = assume(r.path, e.and(notEarlier, m.supported.cond), m.supported.binds);
      if (u) b.side.push(unknownEnd(`${where}: unsupported match ${m.unsupported.join(',')}: ${f.origin.text}`, u));
      continue; // the evaluator treats the flow as not matching
    }
    const taken = assume(r.path, e.and(notEarlier, m.supported.cond), m.supported.binds);
    if (taken) out.push(...runFlow(b, f, { ...r, path: taken }, depth));
    earlier.push(m.supported.cond);
    if (m.supported.cond === true) return out; // nothing falls through a wildcard
  }
  const miss = assume(r.path, notAny(e, earlier));
  if (miss) out.push({ ...r, path: miss, lastDrop: `${where}: table ${table}: no flow matched` });
  return out;
}

/** ¬c₁ ∧ ¬c₂ ∧ … (true for none). */
function notAny(e: Enc, conds: readonly Cond[]): Cond {
  if (conds.length === 0) return true;
  const parts: Cond[] = [];
  for (const c of conds) parts.push(e.not(c));
  return e.and(...parts);
}

function runFlow(b: BridgeRun, flow: Flow, r0: Run, depth: number): Run[] {
  let runs: Run[] = [{ ...r0, lastDrop: flow.actions.length === 0 ? `${b.where}: ${flow.origin.text}` : r0.lastDrop }];
  for (const a of flow.actions) {
    const next: Run[] = [];
    for (const r of runs) {
      if (r.stopped) next.push(r);
      else next.push(...action(b, flow, a, r, depth));
    }
    runs = next;
  }
  const out: Run[] = [];
  for (const r of runs) out.push(r.stopped ? { ...r, stopped: false } : r);
  return out;
}

function action(b: BridgeRun, flow: Flow, a: FlowAction, r: Run, depth: number): Run[] {
  const { e, where } = b;
  const bridge = b.env.bridge;
  const pk = r.path.packet;
  switch (a.kind) {
    case 'output': {
      const name = portName(bridge, a.port);
      if (name === null) return [{ ...r, lastDrop: `${where}: ${flow.origin.text}: no such port` }];
      return name === r.inPort ? [r] : [emit(b, r, name)];
    }
    case 'in_port':
      return [emit(b, r, r.inPort)];
    case 'normal': {
      const steps = symNormal(e, b.env.host, bridge, r.inPort, r.path, b.env.fdb);
      const copies: Step[] = [];
      for (const s of steps) {
        if (s.kind !== 'emit') {
          // NORMAL's own drops end only their branch of the packet; keep them as ends of their own.
          b.side.push(s);
          continue;
        }
        copies.push(isTunnelPort(portByName(bridge, s.port)) ? s : { ...s, path: withPacket(s.path, { ...s.path.packet, tun_id: null }) });
      }
      return [{ ...r, copies: [...r.copies, ...copies] }];
    }
    case 'drop':
      return [{ ...r, stopped: true, lastDrop: `${where}: ${flow.origin.text}` }];
    case 'resubmit': {
      const n = a.port === null ? null : portName(bridge, a.port);
      const sub = runTable(b, a.table ?? flow.table, { ...r, inPort: n ?? r.inPort }, depth + 1);
      const out: Run[] = [];
      for (const s of sub) out.push({ ...s, inPort: r.inPort, stopped: false });
      return out;
    }
    case 'goto_table': {
      const out: Run[] = [];
      for (const s of runTable(b, a.table, r, depth + 1)) out.push({ ...s, stopped: true });
      return out;
    }
    case 'mod_vlan_vid':
      return [withRunPacket(r, { ...pk, vlan: a.vid })];
    case 'push_vlan':
      return [withRunPacket(r, { ...pk, vlan: 0 })];
    case 'set_vlan_vid':
      return pk.vlan === null ? [r] : [withRunPacket(r, { ...pk, vlan: a.vid })];
    case 'strip_vlan':
      return [withRunPacket(r, { ...pk, vlan: null })];
    case 'set_tun_id':
      return [withRunPacket(r, { ...pk, tun_id: a.value })];
    case 'set_reg':
      return [{ ...r, regs: { ...r.regs, [a.reg]: a.value } }];
    case 'mod_dl_src':
      return [withRunPacket(r, { ...pk, eth_src: macToNum(a.mac) })];
    case 'mod_dl_dst':
      return [withRunPacket(r, { ...pk, eth_dst: macToNum(a.mac) })];
    case 'set_arp_op':
    case 'set_arp_pa':
    case 'set_arp_ha':
    case 'move':
      return writeHeader(b, flow, a, r);
    case 'learn':
      // Converged: the flows learning installs are already in `env.tables`.
      if (a.spec === null) b.side.push(unknownEnd(`${where}: learn action not understood: ${a.text}`, r.path));
      return a.spec === null ? [] : [r];
    case 'unsupported':
      b.side.push(unknownEnd(`${where}: unsupported action ${a.text} (${flow.origin.text})`, r.path));
      return [];
    default: {
      const never: never = a;
      throw new Error(`unknown action ${JSON.stringify(never)}`);
    }
  }
}

/** A write of an Ethernet or ARP field, as src/semantics/header-write.ts decides it for both engines. */
function writeHeader(b: BridgeRun, flow: Flow, a: HeaderWrite, r: Run): Run[] {
  const { e, where } = b;
  let path = r.path;
  const needsArp = a.kind === 'move' ? moveNeedsArp(a.from, a.to) : isArpField(a.kind === 'set_arp_op' ? 'arp_op' : a.field);
  if (needsArp) {
    const isArp = e.eq(path.packet.eth_type, ETH_TYPE.arp, WIDTH.eth_type);
    const other = assume(path, e.not(isArp));
    if (other) b.side.push(unknownEnd(`${where}: ${headerWriteText(a)} on a packet that is not ARP (${flow.origin.text})`, other));
    const arp = assume(path, isArp, [{ field: 'eth_type', value: ETH_TYPE.arp }]);
    if (!arp) return [];
    path = arp;
  }
  const pk = path.packet;
  const next = (packet: SymPacket): Run[] => [{ ...r, path: withPacket(path, packet) }];
  switch (a.kind) {
    case 'set_arp_op': return next({ ...pk, proto: a.value });
    case 'set_arp_pa': return next({ ...pk, [a.field === 'arp_spa' ? 'ip_src' : 'ip_dst']: ipToNum(a.ip) });
    case 'set_arp_ha': return next(pk);
    case 'move': {
      const plan = planMove(a.from, a.to);
      switch (plan.kind) {
        case 'copy': return next({ ...pk, [plan.to]: pk[plan.from] });
        case 'not-kept': return next(pk);
        case 'unknown':
          b.side.push(unknownEnd(`${where}: ${plan.why} (${flow.origin.text})`, path));
          return [];
      }
    }
  }
}

function withRunPacket(r: Run, packet: SymPacket): Run {
  return { ...r, path: withPacket(r.path, packet) };
}
