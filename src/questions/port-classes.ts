// Classes of VM ports that stand for each other, one representative checked per class: the
// grouping `verify`'s security-groups property and `diff` share. A class holds ports alike in the
// topology (common.ts `classKey`: network and subnet, groups, port security, address pairs, no
// floating IP) whose hosts programmed the same firewall rules for them, up to the port's own names
// and addresses, and whose address the same ipsets hold (firewall-fingerprint.ts).
// Why: a representative may stand for a port on another host only where that host's rules are shown
// to treat the port alike; a port whose host's rules differ (a fault, a stale rule, a set that leaves
// it out) is a class of its own. `diff` asks this of both dataplanes at once: a class there is a
// class in BEFORE and in AFTER, so a port the change treats otherwise (added to the changed group,
// its host's rules changed) never shares a class with one it treats as before.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Topology } from '../topology/model.ts';
import { classKey, groupPorts, type VmStation } from './properties/common.ts';
import { firewallFingerprint, setMemberships } from './properties/firewall-fingerprint.ts';

/** What the port's host's firewall does for it and which ipsets hold its address, as a comparable string. */
export function firewallKey(dp: Dataplane, s: VmStation): string {
  return `${firewallFingerprint(dp, s)}\nin sets: ${setMemberships(dp, s)}`;
}

/** One representative per class of ports alike, with the same firewall rules for them (see the top of this file). */
export function portClasses(topo: Topology, dp: Dataplane, ports: readonly VmStation[]): { rep: VmStation; members: VmStation[] }[] {
  return groupPorts(topo, ports, (s) => firewallKey(dp, s));
}

/** The key `portClasses` groups a port by in one model (its topology and dataplane). */
export function portClassKey(topo: Topology, dp: Dataplane, s: VmStation): string {
  return classKey(topo, s, firewallKey(dp, s));
}
