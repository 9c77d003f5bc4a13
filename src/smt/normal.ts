// The OVS `NORMAL` action over a symbolic packet, as src/evaluate/normal.ts: a converged MAC-learning
// switch per VLAN. Access ports admit untagged frames and assign their tag; a trunk keeps the VID;
// a frame to a reserved multicast destination is dropped (normal-admission.ts);
// a destination in the converged MAC table goes to its port, any other (or a group address) floods to
// every port of the VLAN but the input port; output to an access port strips the tag.
// Guarantees: the branches partition the packets (one per MAC table entry of the VLAN, then "not
// learned"); the MAC table is read, never written (the state is already converged).
import type { OvsBridge, OvsPort } from '../ir/openflow.ts';
import type { FdbEntry } from '../semantics/converged.ts';
import type { SymPacket } from './headers.ts';
import { isGroupDst, macToNum } from './headers.ts';
import type { Cond, Enc } from './cond.ts';
import type { Path, Step } from './path.ts';
import { assume, ended, unknownEnd, withPacket } from './path.ts';
import { portByName } from '../semantics/ovs-bridge.ts';
import { LINK_LAYER_WHY } from '../semantics/link-layer.ts';
import { normalRefuses } from './normal-admission.ts';

const tables = new WeakMap<readonly FdbEntry[], Map<number | null, { all: FdbEntry[]; byMac: Map<number, FdbEntry[]> }>>();

/**
 * The MAC-table entries of one VLAN (null: untagged) a frame to `dst` can hit: all of them for a
 * symbolic destination, only its own for a known one (the others' comparisons would fold to false).
 */
export function fdbCandidates(fdb: readonly FdbEntry[], vlan: number | null, dst: SymPacket['eth_dst']): readonly FdbEntry[] {
  let byVlan = tables.get(fdb);
  if (!byVlan) {
    byVlan = new Map();
    for (const f of fdb) {
      let t = byVlan.get(f.vlan);
      if (!t) byVlan.set(f.vlan, (t = { all: [], byMac: new Map() }));
      t.all.push(f);
      const m = macToNum(f.mac);
      t.byMac.set(m, [...(t.byMac.get(m) ?? []), f]);
    }
    tables.set(fdb, byVlan);
  }
  const t = byVlan.get(vlan);
  if (!t) return [];
  return typeof dst === 'number' ? (t.byMac.get(dst) ?? []) : t.all;
}

const inVlan = (p: OvsPort, vid: number) => (p.tag === null ? true : p.tag === vid);

function outFrame(packet: SymPacket, port: OvsPort, vid: number): SymPacket {
  return { ...packet, vlan: port.tag !== null || vid === 0 ? null : vid };
}

/**
 * Runs NORMAL for the path arriving on `inPortName`. `fdb` is the converged MAC table of this bridge
 * (every VLAN). Yields emitted copies and drops.
 */
export function symNormal(e: Enc, host: string, bridge: OvsBridge, inPortName: string, path: Path, fdb: readonly FdbEntry[]): Step[] {
  const where = `${host}/${bridge.name}`;
  const inPort = portByName(bridge, inPortName);
  if (!inPort) return [ended('dropped', path, `${where}: NORMAL: unknown input port ${inPortName}`)];
  const pk = path.packet;
  let vid: number;
  if (inPort.tag !== null) {
    if (pk.vlan !== null) {
      if (typeof pk.vlan !== 'number') return [unknownEnd(`${where}: NORMAL on a symbolic VLAN`, path)];
      if (pk.vlan !== 0) return [ended('dropped', path, `${where}: NORMAL: tagged frame on access port ${inPort.name}`)];
    }
    vid = inPort.tag;
  } else {
    if (pk.vlan !== null && typeof pk.vlan !== 'number') return [unknownEnd(`${where}: NORMAL on a symbolic VLAN`, path)];
    vid = pk.vlan ?? 0;
  }
  const out: Step[] = [];
  // Admission (reserved destinations) comes after the VLAN check, as in the evaluator and OVS.
  const refused = normalRefuses(e, pk);
  const barred = assume(path, refused);
  if (barred) out.push(ended('dropped', barred, `${where}: ${LINK_LAYER_WHY.ovsReserved}`));
  const admitted = assume(path, e.not(refused));
  if (!admitted) return out;
  const tagged = withPacket(admitted, { ...admitted.packet, vlan: vid === 0 ? null : vid });
  const entries = fdbCandidates(fdb, vid, pk.eth_dst);
  const group = isGroupDst(e, pk);
  const notEntries: Cond[] = [];
  for (const f of entries) {
    const mac = macToNum(f.mac);
    const hit = e.eq(pk.eth_dst, mac, 48);
    notEntries.push(e.not(hit));
    const p = assume(tagged, e.and(e.not(group), hit), [{ field: 'eth_dst', value: mac }]);
    if (p === null) continue;
    const port = portByName(bridge, f.port);
    // OVS drops a frame whose destination was learned on the port it came in on.
    if (!port || f.port === inPort.name) out.push(ended('dropped', p, `${where}: NORMAL: ${f.mac} learned on the input port`));
    else out.push({ kind: 'emit', port: port.name, path: withPacket(p, outFrame(p.packet, port, vid)) });
  }
  const flood = assume(tagged, e.or(group, e.and(...notEntries)));
  if (flood !== null) {
    const targets = bridge.ports.filter((p) => p.name !== inPort.name && inVlan(p, vid));
    if (targets.length === 0) out.push(ended('dropped', flood, `${where}: NORMAL: no other port in VLAN ${vid}`));
    for (const t of targets) out.push({ kind: 'emit', port: t.name, path: withPacket(flood, outFrame(flood.packet, t, vid)) });
  }
  return out;
}
