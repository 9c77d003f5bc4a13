// What an OVS bridge's ports and flow tables mean to both engines: a flow's port reference resolved
// to the bridge's port, which ports are tunnel ports (a copy sent there keeps its tunnel id; a copy
// sent anywhere else loses it), and the order a table's flows are tried in.
// Guarantees: pure functions over the IR; per-bridge indexes are built once and held weakly.
import type { Flow, OvsBridge, OvsPort, PortRef } from '../ir/openflow.ts';

const portsByName = new WeakMap<OvsBridge, ReadonlyMap<string, OvsPort>>();
// ofport → name per bridge (the first port with that number, as a scan would find), built once:
// in_port matches are in most flows, and br-int has a port per VM.
const ofportNames = new WeakMap<OvsBridge, ReadonlyMap<number, string>>();

/** The bridge's port of that name (the first, if the IR lists two; indexed once per bridge). */
export function portByName(bridge: OvsBridge, name: string): OvsPort | undefined {
  let m = portsByName.get(bridge);
  if (!m) {
    const byName = new Map<string, OvsPort>();
    for (const p of bridge.ports) if (!byName.has(p.name)) byName.set(p.name, p);
    portsByName.set(bridge, (m = byName));
  }
  return m.get(name);
}

/** A port reference of a flow resolved to the bridge port's name (null: no such port). */
export function portName(bridge: OvsBridge, ref: PortRef): string | null {
  if (ref.kind === 'name') return ref.name;
  let names = ofportNames.get(bridge);
  if (!names) {
    const m = new Map<number, string>();
    for (const p of bridge.ports) if (p.ofport !== null && !m.has(p.ofport)) m.set(p.ofport, p.name);
    ofportNames.set(bridge, (names = m));
  }
  return names.get(ref.ofport) ?? null;
}

/** A port that encapsulates what it sends (the underlay carries it to the port's remote IP). */
export const isTunnelPort = (p: OvsPort | undefined): boolean => p !== undefined && (p.type === 'vxlan' || p.type === 'gre' || p.type === 'geneve');

/**
 * The tunnel id a copy carries out of `port`: towards a tunnel the packet's own (0 when it has none,
 * as OVS reads unset tunnel metadata), elsewhere none (the metadata does not leave the bridge).
 */
export function tunIdOut<T>(port: OvsPort, tunId: T | null): T | 0 | null {
  return isTunnelPort(port) ? (tunId ?? 0) : null;
}

/** Flows of one bridge by table, each table in the order its flows are tried. */
export type FlowTables = ReadonlyMap<number, readonly Flow[]>;

/**
 * A bridge's flows by table, each table by descending priority; flows of equal priority keep their
 * list order (Array.prototype.sort is stable), so the first listed wins a tie, as in the dump.
 */
export function flowTables(flows: readonly Flow[]): FlowTables {
  const byTable = new Map<number, Flow[]>();
  for (const f of flows) {
    const t = byTable.get(f.table);
    if (t) t.push(f);
    else byTable.set(f.table, [f]);
  }
  for (const t of byTable.values()) t.sort((a, b) => b.priority - a.priority);
  return byTable;
}
