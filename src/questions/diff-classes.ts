// The classes of senders `diff` asks once: VM ports that are one class in BEFORE and one class in
// AFTER (port-classes.ts: alike in the topology, the same firewall rules for them on their hosts up
// to their own names and addresses, the same ipsets holding them), one representative each.
// Why it is sound to let the representative's differences stand for its classmates': what tells two
// such ports' packets apart is the port they enter by (its own rules, compared on both sides) and
// their host's devices on the way out. So on top of the class in each model:
// - nothing read across devices may differ (changed-devices.ts `global`: wiring, stations, DNAT
//   targets…): then every sender is its own class;
// - a port whose host has something changed that a packet of any port there may cross (a bridge, a
//   namespace whole, a chain no single port owns) is grouped only with ports of that same host; a
//   changed chain of one port (its own `i`/`o`/`s` chains, named by its id) is crossed only by packets
//   to or from that port, alike for every sender, and is left out of this.
// The outside world is always a class of its own. A member's differences are then the
// representative's with the two ports' roles swapped: its own addresses in place of the
// representative's, and a difference at the representative's own port is one at the member's
// (and the member's at the representative's port is the representative's at the member's).
import type { Station } from '../ir/dataplane.ts';
import type { Model } from '../pipeline.ts';
import type { ChangedDevices } from '../smt/changed-devices.ts';
import { groupPorts, type VmStation } from './properties/common.ts';
import { firewallKey, portClassKey } from './port-classes.ts';
import { stationName } from './witness-replay.ts';

/** A class of senders by station name: its representative first, then the ports it stands for. */
export interface SenderClass {
  readonly rep: string;
  readonly members: readonly string[];
}

/** How many characters of a port id name its own chains (the agent's `neutron-openvswi-i<id>` …). */
const CHAIN_ID = 10;

/**
 * Per host, what changed there that a packet of any of its ports may cross, as a comparable string
 * ('' when nothing): devices changed whole, and changed chains that are no port's own.
 */
function hostChanges(changed: ChangedDevices, ports: readonly VmStation[]): (host: string) => string {
  const ids = [...new Set(ports.map((p) => p.portId.slice(0, CHAIN_ID)))];
  const owned = (chain: string) => ids.some((id) => chain.includes(id));
  const per = new Map<string, string[]>();
  const add = (item: string) => {
    const slash = item.indexOf('/');
    const host = item.slice(0, slash);
    const list = per.get(host);
    if (list === undefined) per.set(host, [item.slice(slash + 1)]);
    else list.push(item.slice(slash + 1));
  };
  for (const d of changed.devices) add(d);
  for (const c of changed.chains) if (!owned(c.slice(c.lastIndexOf('/') + 1))) add(c);
  return (host) => (per.get(host) ?? []).join('\n');
}

/** The senders among `names` (stations both models have) in classes; each name in exactly one, in the order of `names`. */
export function diffSenderClasses(before: Model, after: Model, names: readonly string[], changed: ChangedDevices): SenderClass[] {
  const alone = names.map((n) => ({ rep: n, members: [] }));
  if (changed.global !== null) return alone;
  const station = (m: Model) => new Map(m.dataplane.stations.map((s) => [stationName(s), s] as const));
  const [b, a] = [station(before), station(after)];
  const isPort = (s: Station | undefined): s is VmStation => s?.kind === 'vm-port';
  const ports = names.filter((n) => isPort(b.get(n)) && isPort(a.get(n)));
  const portsB = ports.map((n) => b.get(n) as VmStation);
  // Every port of either model owns its chains, whether it is among the senders asked or not.
  const changesOn = hostChanges(changed, [...b.values(), ...a.values()].filter(isPort));
  // The class in BEFORE (groupPorts' own key), and in AFTER and the host's changes as its extra part.
  const extra = (s: VmStation): string => {
    const sa = a.get(stationName(s)) as VmStation;
    const host = changesOn(s.host);
    return [firewallKey(before.dataplane, s), portClassKey(after.topology, after.dataplane, sa), host === '' ? '' : `host ${s.host}: ${host}`].join('\n--\n');
  };
  const groups = groupPorts(before.topology, portsB, extra);
  const classOf = new Map<string, SenderClass>();
  for (const g of groups) {
    const c = { rep: stationName(g.rep), members: g.members.filter((m) => m !== g.rep).map(stationName) };
    for (const m of g.members) classOf.set(stationName(m), c);
  }
  // In the order of `names`, each class where its representative stands.
  return names.filter((n) => !classOf.has(n) || classOf.get(n)!.rep === n).map((n) => classOf.get(n) ?? { rep: n, members: [] });
}
