// A failure scenario applied to a dataplane: hosts that are down and underlay connections that are
// cut. A host that is down takes everything on it along: its bridges and namespaces (router instances,
// DHCP servers), its VMs (they neither send nor receive) and its NICs on the physical networks; the
// links among them go too. A cut between two hosts is recorded for the device graph
// (src/semantics/topology-index.ts), where both engines see it: tunnel packets between them are lost,
// and frames one puts on a physical network's wire do not reach the other.
// Guarantees: applying no failure returns the dataplane itself; the result's `failures` says what was
// applied (on top of what the input already had), so a trace can say why a packet stopped.
import type { Dataplane, Failures, HostDataplane } from '../ir/dataplane.ts';

export const NO_FAILURES: Failures = { down: [], cuts: [] };

/** A cut written either way round is the same cut. */
const cutKey = ([a, b]: readonly [string, string]) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

export function combineFailures(a: Failures, b: Failures): Failures {
  const down = [...new Set([...a.down, ...b.down])];
  const cuts = new Map([...a.cuts, ...b.cuts].map((c) => [cutKey(c), c] as const));
  return { down, cuts: [...cuts.values()] };
}

export const isEmptyFailure = (f: Failures): boolean => f.down.length === 0 && f.cuts.length === 0;

export function applyFailures(dp: Dataplane, f: Failures): Dataplane {
  if (isEmptyFailure(f)) return dp;
  const failures = combineFailures(dp.failures ?? NO_FAILURES, f);
  const down = new Set(failures.down);
  const gone = (host: string) => down.has(host);
  const hosts: HostDataplane[] = dp.hosts.map((h) =>
    gone(h.name) ? { name: h.name, tunnelIp: h.tunnelIp, ovsBridges: [], linuxBridges: [], namespaces: [] } : h);
  return {
    ...dp,
    hosts,
    links: dp.links.filter((l) => !gone(l.a.host) && !gone(l.b.host)),
    wires: dp.wires.map((w) => ({ ...w, members: w.members.filter((m) => !gone(m.host)) })),
    stations: dp.stations.filter((s) => s.kind !== 'vm-port' || !gone(s.host)),
    failures,
  };
}
