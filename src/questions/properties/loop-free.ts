// `loop-free` (per host, subject `host:H`): no packet visits the same device in the same state twice.
// The symbolic ends carry no loop disposition (an over-long path is `unknown`), so this is checked
// in two ways, both named in the message:
// - structural: on every OVS bridge of the host, the table graph (resubmit/goto_table edges) has no
//   cycle, so no packet loops inside one bridge;
// - the evaluator's loop detection on the standard packets most likely to loop across devices: from
//   every VM port on the host, a broadcast ARP request and a broadcast UDP packet (both flooded
//   through every bridge and tunnel of the network), each copy's trace checked for `loop`.
import { BROADCAST_MAC, ETH_TYPE, IP_PROTO, type Packet } from '../../ir/packet.ts';
import type { OvsBridge } from '../../ir/openflow.ts';
import type { HostDataplane } from '../../ir/dataplane.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { holds, portLabel, tick, unknown, vmStations, type VmStation, elsewhere, owned } from './common.ts';
import { copies } from './search.ts';

const ID = 'loop-free';

/** A cycle of tables (`0 → 60 → 0`) on the bridge, or null. */
export function tableCycle(br: OvsBridge): number[] | null {
  const edges = new Map<number, Set<number>>();
  for (const f of br.flows) {
    for (const a of f.actions) {
      const to = a.kind === 'goto_table' ? a.table : a.kind === 'resubmit' ? (a.table ?? f.table) : null;
      if (to === null) continue;
      // resubmit(P) into the same table with another in_port is a re-lookup, not a cycle by itself,
      // unless that table resubmits back: same-table edges are kept and judged by the cycle search.
      if (!edges.has(f.table)) edges.set(f.table, new Set());
      edges.get(f.table)!.add(to);
    }
  }
  const state = new Map<number, 'open' | 'done'>();
  const stack: number[] = [];
  const dfs = (t: number): number[] | null => {
    state.set(t, 'open');
    stack.push(t);
    for (const n of edges.get(t) ?? []) {
      if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
      if (state.get(n) === undefined) {
        const c = dfs(n);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(t, 'done');
    return null;
  };
  for (const t of edges.keys()) {
    if (state.get(t) === undefined) {
      const c = dfs(t);
      if (c) return c;
    }
  }
  return null;
}

function standardPackets(s: VmStation): { what: string; packet: Packet }[] {
  const base = { eth_src: s.mac, eth_dst: BROADCAST_MAC, vlan: null, tun_id: null, sport: null, dport: null, icmp_type: null, icmp_code: null };
  return [
    { what: 'broadcast ARP request', packet: { ...base, eth_type: ETH_TYPE.arp, ip_src: s.ip, ip_dst: s.gateway ?? s.ip, proto: 1 } },
    { what: 'broadcast UDP', packet: { ...base, eth_type: ETH_TYPE.ipv4, ip_src: s.ip, ip_dst: '255.255.255.255', proto: IP_PROTO.udp, sport: 40000, dport: 9 } },
  ];
}

function checkHost(ctx: VerifyContext, h: HostDataplane): PropertyResult {
  const subject = `host:${h.name}`;
  for (const br of h.ovsBridges) {
    const c = tableCycle(br);
    if (c) return { property: ID, subject, verdict: 'violated', witness: null, trace: null, message: `rule check: ${br.name} tables resubmit in a cycle ${c.join(' → ')}` };
  }
  const ports = vmStations(ctx).filter((s) => s.host === h.name);
  let traces = 0;
  for (const s of ports) {
    for (const { what, packet } of standardPackets(s)) {
      const t = ctx.evaluator.trace(s, packet);
      traces++;
      const looped = copies(t).find((c) => c.disposition === 'loop');
      if (looped) {
        const claim = { says: 'loops', shownBy: (x: Trace) => copies(x).some((c) => c.disposition === 'loop') };
        return { property: ID, subject, verdict: 'violated', witness: packet, trace: looped, message: `${what} from ${portLabel(s)} loops (evaluator loop detection)`, claim };
      }
      if (t.uncertain.length > 0) return unknown(ID, subject, `${what} from ${portLabel(s)} crosses unmodelled rules: ${t.uncertain.join('; ')}`);
    }
  }
  return holds(ID, subject, `no OVS bridge of ${h.name} has a table cycle (rule check), and ${traces} flooded standard packets from its ${ports.length} VM ports never loop (evaluator)`);
}

export const loopFree: PropertyCheck = {
  id: ID,
  description: 'no packet visits the same device in the same state twice',
  // Broadcast floods and table cycles: no router routes a broadcast, and no learned location of a router's MAC is consulted.
  mastersIndependent: true,
  async check(ctx) {
    return ctx.dataplane.hosts.map((h, i, all) => {
      tick(ctx, i, all.length, 'hosts');
      return owned(ctx, `host:${h.name}`) ? checkHost(ctx, h) : elsewhere(ID, `host:${h.name}`);
    });
  },
};
