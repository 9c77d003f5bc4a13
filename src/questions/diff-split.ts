// Where `diff` splits a sender's walk between the two dataplanes (walk.ts `split`): the devices that
// differ, from which a copy is followed on each side by that side's walker; everything before them is
// walked once and stands for both sides. Without it the after side was walked whole for every sender
// that reaches anything changed, though only what follows a changed device can differ — at the large
// sizes that second walk was a quarter of a sender's time.
// Which devices: every device that differs whole (changed-devices.ts), a namespace whose chains
// differ, and for a host's own iptables (run by its Linux bridges through br_netfilter) the Linux
// bridges of the port whose own chains differ (named by its id, as the agent names them), or every
// Linux bridge with br_netfilter on the host when a chain no single port owns differs.
// Why a wrong choice cannot change an answer: the split walk watches for every changed device and
// chain (`marks`) outside the splits, and when it visits one the after side is walked on its own
// (diff.ts); naming too many devices only splits earlier.
import type { Dataplane } from '../ir/dataplane.ts';
import type { ChangedDevices } from '../smt/changed-devices.ts';

/** How many characters of a port id name its own chains (the agent's `neutron-openvswi-i<id>` …). */
const CHAIN_ID = 10;

/** The devices (`host`, `device`) a walk splits at, or null when there is nothing to split at (nothing changed). */
export function splitDevices(before: Dataplane, changed: ChangedDevices): ((host: string, device: string) => boolean) | null {
  if (changed.global !== null) return null;
  const at = new Set(changed.devices.map((d) => d.replace('/', '\u0000')));
  const ports = before.stations.flatMap((s) => (s.kind === 'vm-port' ? [s.portId.slice(0, CHAIN_ID)] : []));
  for (const c of changed.chains) {
    // `host/namespace/table/chain`.
    const parts = c.split('/');
    const host = parts[0]!;
    const namespace = parts.slice(1, -2).join('/');
    const chain = parts.at(-1)!;
    if (namespace !== 'root') {
      at.add(`${host}\u0000${namespace}`);
      continue;
    }
    const own = ports.filter((id) => chain.includes(id));
    const bridges = before.hosts.find((h) => h.name === host)?.linuxBridges.filter((b) => b.netfilter) ?? [];
    for (const b of bridges) if (own.length === 0 || b.ports.some((p) => own.some((id) => p.includes(id)))) at.add(`${host}\u0000${b.name}`);
    if (own.length === 0) at.add(`${host}\u0000root`);
  }
  if (at.size === 0) return null;
  return (host, device) => at.has(`${host}\u0000${device}`);
}
