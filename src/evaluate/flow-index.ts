// The first flow of one OpenFlow table that matches a packet, without trying every flow: a table of many
// flows (the tunnel bridge's VNI and flood tables on a network node, a learning table's learned MACs)
// is indexed once by the exact-match field most of its flows set (in_port, dl_vlan, tun_id or dl_dst),
// and a packet tries only the flows whose value of that field is the packet's, merged in table order
// with the flows that leave the field open.
// Guarantees: the same answer as trying every flow in order (flow-match.ts): a flow left out sets the
// indexed field to another value, so its understood fields do not all hold — it would not match and
// would report nothing uncertain. Flows are tried, and uncertainty reported, in table order.
import type { Flow, FlowMatch, OvsBridge } from '../ir/openflow.ts';
import { portName } from '../semantics/ovs-bridge.ts';
import { macKey } from './addr.ts';
import { matchFlow, type MatchInput } from './flow-match.ts';

type Field = 'in_port' | 'dl_vlan' | 'tun_id' | 'dl_dst';
const FIELDS: readonly Field[] = ['in_port', 'dl_vlan', 'tun_id', 'dl_dst'];
type Key = string | number;

/** Below this many flows a table is tried flow by flow: an index would not pay for itself. */
const MIN_INDEXED = 16;

interface TableIndex {
  readonly bridge: OvsBridge;
  readonly field: Field;
  /** Positions in the table of the flows that set the field, by its value, ascending. */
  readonly byValue: ReadonlyMap<Key, readonly number[]>;
  /** Positions of the flows that leave the field open (or set it in a way not indexed), ascending. */
  readonly open: readonly number[];
}

const FULL32 = 0xffffffff;

/**
 * What a flow's match asks of `field`: `open` (any value, or a mask the index does not split on), a
 * value, or `never` (no packet has it: a port the bridge does not have, a malformed MAC). The values
 * are computed as flow-match.ts compares them.
 */
function flowKey(bridge: OvsBridge, field: Field, m: FlowMatch): Key | 'open' | 'never' {
  switch (field) {
    case 'in_port': return m.in_port === undefined ? 'open' : portName(bridge, m.in_port) ?? 'never';
    case 'dl_vlan': return m.dl_vlan === undefined ? 'open' : m.dl_vlan;
    case 'tun_id': {
      if (m.tun_id === undefined || ((m.tun_id.mask ?? FULL32) >>> 0) !== FULL32) return 'open';
      return (m.tun_id.value & FULL32) >>> 0;
    }
    case 'dl_dst': return m.dl_dst === undefined || m.dl_dst.mask !== null ? 'open' : macKey(m.dl_dst.mac) ?? 'never';
  }
}

/** The packet's value of `field` as flowKey gives it (null: no flow setting the field matches it). */
function packetKey(field: Field, x: MatchInput): Key | null {
  switch (field) {
    case 'in_port': return x.inPort;
    case 'dl_vlan': return x.packet.vlan;
    case 'tun_id': return ((x.packet.tun_id ?? 0) & FULL32) >>> 0;
    case 'dl_dst': return macKey(x.packet.eth_dst);
  }
}

function buildIndex(bridge: OvsBridge, flows: readonly Flow[]): TableIndex | null {
  // The field most flows set to one value splits the table best.
  let best: Field | null = null;
  let bestCount = 0;
  for (const field of FIELDS) {
    let n = 0;
    for (const f of flows) if (flowKey(bridge, field, f.match) !== 'open') n++;
    if (n > bestCount) { best = field; bestCount = n; }
  }
  if (best === null || bestCount < MIN_INDEXED) return null;
  const byValue = new Map<Key, number[]>();
  const open: number[] = [];
  flows.forEach((f, i) => {
    const k = flowKey(bridge, best, f.match);
    if (k === 'open') open.push(i);
    else if (k !== 'never') {
      const l = byValue.get(k);
      if (l) l.push(i);
      else byValue.set(k, [i]);
    }
  });
  return { bridge, field: best, byValue, open };
}

// Tables are immutable once built (a learned flow goes into a copy: evaluator.ts), so an index kept by
// the table's array stays right; null records that the table is not worth indexing.
const indexes = new WeakMap<readonly Flow[], TableIndex | null>();

function indexOf(bridge: OvsBridge, flows: readonly Flow[]): TableIndex | null {
  if (flows.length < MIN_INDEXED) return null;
  let ix = indexes.get(flows);
  if (ix === undefined || (ix !== null && ix.bridge !== bridge)) {
    ix = buildIndex(bridge, flows);
    indexes.set(flows, ix);
  }
  return ix;
}

/** Builds the index of one table now rather than at the first packet through it (a resident model's load). */
export function prepareFlowIndex(bridge: OvsBridge, flows: readonly Flow[]): void {
  indexOf(bridge, flows);
}

const NONE: readonly number[] = [];

/**
 * The first flow of `flows` (one table, in priority order) that matches, or undefined; `uncertain` is told
 * of every flow tried before it whose only mismatch is a field netproof does not understand, in order.
 */
export function firstMatch(bridge: OvsBridge, flows: readonly Flow[], x: MatchInput, uncertain: (why: string, flow: Flow) => void): Flow | undefined {
  const ix = indexOf(bridge, flows);
  if (ix === null) {
    for (const f of flows) {
      const r = matchFlow(bridge, f.match, x);
      if (r.uncertain !== null) uncertain(r.uncertain, f);
      if (r.matched) return f;
    }
    return undefined;
  }
  const k = packetKey(ix.field, x);
  const same = k === null ? NONE : ix.byValue.get(k) ?? NONE;
  const open = ix.open;
  let i = 0;
  let j = 0;
  while (i < same.length || j < open.length) {
    const pos = j >= open.length || (i < same.length && same[i]! < open[j]!) ? same[i++]! : open[j++]!;
    const f = flows[pos]!;
    const r = matchFlow(bridge, f.match, x);
    if (r.uncertain !== null) uncertain(r.uncertain, f);
    if (r.matched) return f;
  }
  return undefined;
}
