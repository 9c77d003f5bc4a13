// The kill table: per fault class, how many faults were applied, how many a property killed (and
// which properties), how many only turned some result unknown, how many survived although a packet
// of the behaviour spread ends differently (a gap: the fault changes behaviour and no property says
// so), how many were masked (a result already violated without the fault says a further finding, or holds),
// how many survived with no packet of the spread ending differently, and how many the parsers refused.
// The kill rate is over the faults shown to change something: killed / (killed + unknown that change
// behaviour + gaps); masked faults are in none of these.
import { FAULT_CLASSES, type FaultClass } from './faults.ts';
import type { KillOutcome } from './kill.ts';

/**
 * Faults no built-in property kills yet, by class and by what they change, with why. Such a survivor
 * is reported (in the table, as a gap) but does not fail the suites; any other survivor that changes
 * how a packet of the spread ends does.
 */
export const KNOWN_GAPS: readonly { readonly cls: FaultClass | 'any'; readonly what?: RegExp; readonly behaviour?: RegExp; readonly why: string }[] = [
  {
    cls: 'any', behaviour: /^\S+ (DHCP broadcast from [\d.]+|-> \S+ \S+ in a broadcast frame):/,
    why: "only a broadcast shows it (a port no unicast from the sender reaches, e.g. on another subnet of the network without a router): the built-in properties' senders send the first packets of unicast flows",
  },
  {
    cls: 'flow-deleted', what: /table=22,|table=2, priority=\d+,dl_dst=01:00:00:00:00:00\/01:00:00:00:00:00 actions=resubmit\(,22\)$/, behaviour: /^\S+ -> \S+ \w+: (.+) before, dropped, \1 with the fault( \(masters: [^)]*\))?$/,
    why: "a br-tun flood flow (table 22: a network's broadcasts and unknown unicast out to the tunnels; or table 2's entry into it for every multicast frame from br-int) deleted on one host, where every packet of the spread still gets where it got, and only a copy flooded from that host towards the tunnels now dies there: no property's sender needs a flood out of that host (a broadcast a property asks is killed by it: a DHCP request to a server on another host, or `east-west`'s ARP request for a port on another host where br-tun's ARP responder does not answer it)",
  },
  {
    cls: 'route-deleted', behaviour: /: no-arp before, no-route with the fault$/,
    why: "a route whose next hop answers no ARP deleted: what it carried still dies in the router (without an ARP answer before, without a route after); no property asks how a packet that reaches nothing fails (an extra route's deletion is killed by `gateway`, which checks that the route is taken)",
  },
  {
    cls: 'route-deleted', what: /\/qrouter-[^/]*\.ip-route:\d+ deleted: \S+ dev qg-\S+ proto kernel scope link/, behaviour: /: no-arp before, (dropped, )?no-arp with the fault( \(masters: [^)]*\))?$/,
    why: "a router's connected route to its external subnet deleted where no other address of that subnet answers ARP: what the router sends there dies either way (no ARP answer on the link before; by the default route to the upstream router and back onto the link, still unanswered, after); `gateway` checks the router sends to another holder of the subnet straight out of qg- wherever there is one (where there is none, to the upstream router's own address, which the default route still reaches straight unless an extra route replaced it)",
  },
  {
    cls: 'fip-fixed-address-swapped', behaviour: /^\S+ -> [\d.]+ \w+: (vm:\S+) \S+ vlan \S+ [\d.]+>([\d.]+) (.+) before, \1 \S+ vlan \S+ [\d.]+>\2 \3 with the fault( \(masters: [^)]*\))?$/,
    why: "a floating IP's rules moved to another fixed address where only a packet hairpinned through the router to a floating IP shows it, delivered to the same port either way with another source address (an external subnet without an outside world to leave to): `nat-egress` judges what leaves the cloud and `fip-ingress` what comes in from outside, and the source a packet sent to a floating IP from behind its router arrives with only from one sender per floating IP (fip-hairpin.ts: a port beside the floating IP's port), whose own floating IP the move need not touch",
  },
  {
    cls: 'address-deleted', what: /\/qrouter-[^/]*\.ip-addr:/, behaviour: /^\S+ -> [\d.]+ \w+: ns:q(router|dhcp)-/,
    why: "a router's address deleted (with its connected route) on a subnet without VM ports, where no sender's packet reaches the router to route from (no other subnet of its with a port that gets there, no gateway): only a packet to that address itself, or from elsewhere to that subnet's DHCP server, shows it, and `gateway` asks a router with a sender (routing into a subnet without VM ports) and every subnet's ports (its address)",
  },
  {
    cls: 'tap-unplugged',
    why: "a VM's tap on no bridge: its frames reach the host's own stack (its addresses, ARP, forwarding), which is not modelled, so what the VM sends turns the results that cross it unknown, naming the tap, and verify exits 3 without a proof either way; what is sent to the VM dies on its Linux bridge, which some results show violated",
  },
  {
    cls: 'address-deleted', what: /\/qdhcp-[^/]*\.ip-addr:/, behaviour: /^\S+ -> [\d.]+ \w+: (\S+, )*ns:qdhcp-/,
    why: "a DHCP server's own address deleted on a subnet no VM port is on (an external network's, a second subnet of a network whose ports are all on the first): `dhcp` asks each agent's server, from each port, at its address on the port's own subnet; only a packet addressed to that server shows it",
  },
];

/** Why `o` is a known gap, or null when it is none. */
export const knownGap = (o: KillOutcome): string | null =>
  KNOWN_GAPS.find((g) => (g.cls === 'any' || g.cls === o.fault.cls) && (g.what?.test(o.fault.what) ?? true) && (g.behaviour?.test(o.behaviour ?? '') ?? true))?.why ?? null;

export interface ClassRow {
  faults: number;
  killed: number;
  /** No result turned violated, some turned unknown, and a packet of the spread ends differently. */
  unknown: number;
  /** No result turned violated, but one violated without the fault says a further finding with it. */
  masked: number;
  /** Survived, and a packet of the spread ends differently. */
  gaps: number;
  /** Survived, and no packet of the spread ends differently. */
  quiet: number;
  rejected: number;
  killers: Map<string, number>;
}

export type KillTable = Map<FaultClass, ClassRow>;

export const emptyTable = (): KillTable => new Map(FAULT_CLASSES.map((c) => [c, { faults: 0, killed: 0, unknown: 0, masked: 0, gaps: 0, quiet: 0, rejected: 0, killers: new Map() }]));

export function record(t: KillTable, o: KillOutcome): void {
  const row = t.get(o.fault.cls)!;
  row.faults++;
  if (o.status === 'rejected') row.rejected++;
  else if (o.status === 'killed') {
    row.killed++;
    for (const p of o.properties) row.killers.set(p, (row.killers.get(p) ?? 0) + 1);
  } else if (o.behaviour === null) row.quiet++;
  else if (o.status === 'unknown') row.unknown++;
  else if (o.status === 'masked') row.masked++;
  else row.gaps++;
}

/** Killed over (killed + unknown + gaps), as a percentage; null when no fault of the class was shown to change anything. */
export const killRate = (r: ClassRow): number | null => (r.killed + r.unknown + r.gaps === 0 ? null : (100 * r.killed) / (r.killed + r.unknown + r.gaps));

export function formatTable(t: KillTable): string {
  const head = ['fault class', 'faults', 'killed', 'unknown', 'masked', 'gap', 'no change seen', 'refused', 'kill rate', 'killed by'];
  const rows = [...t].map(([cls, r]) => {
    const rate = killRate(r);
    return [cls, String(r.faults), String(r.killed), String(r.unknown), String(r.masked), String(r.gaps), String(r.quiet), String(r.rejected), rate === null ? '-' : `${rate.toFixed(0)}%`,
      [...r.killers].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`).join(', ')];
  });
  const total = [...t.values()].reduce((a, r) => ({ f: a.f + r.faults, k: a.k + r.killed, u: a.u + r.unknown, m: a.m + r.masked, g: a.g + r.gaps }), { f: 0, k: 0, u: 0, m: 0, g: 0 });
  const changed = total.k + total.u + total.g;
  rows.push(['all', String(total.f), String(total.k), String(total.u), String(total.m), String(total.g), '', '', changed === 0 ? '-' : `${((100 * total.k) / changed).toFixed(0)}%`, '']);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(width[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
