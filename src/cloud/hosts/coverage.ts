// Which hosts the API and the captures agree on, and what each disagreement touches: a host Neutron has
// ports or routers on but no capture of (its devices are missing, so every verdict about what is there,
// or what could come from there, is unknown), and a capture of a host Neutron does not know (modelled as
// captured, said in a note). Also the local VLAN of each network on each captured host, read from the
// tags the OVS agent set on br-int ports (never assumed).
import type { Topology } from '../../topology/model.ts';
import type { VsctlShow } from '../../parse/index.ts';
import { brIntDevice } from '../../render/ovs/layout.ts';
import { CLOUD_DIRS } from '../layout.ts';
import { CLOUD_NOTE, note, type CloudNote } from '../notes.ts';

export function coverageNotes(topo: Topology, captured: readonly string[]): CloudNote[] {
  const have = new Set(captured);
  const notes: CloudNote[] = [];
  const allProjects = [...new Set(topo.vms.map((v) => `project:${v.project}`))];
  for (const h of topo.hosts) {
    if (have.has(h.name)) continue;
    const ports = topo.ports.filter((p) => p.host === h.name);
    const vms = topo.vms.filter((v) => v.host === h.name);
    const networks = new Set(ports.map((p) => p.network));
    const routers = topo.routers.filter((r) => r.hosts.includes(h.name) || r.interfaces.some((i) => networks.has(i.network)));
    const taints = [
      `host:${h.name}`,
      ...vms.flatMap((v) => v.ports.map((_, i) => `port:${v.name}:${i}`)),
      ...[...networks].map((n) => `network:${n}`),
      ...routers.map((r) => `router:${r.name}`),
      ...topo.floatingIps.filter((f) => vms.some((v) => v.name === f.vm) || routers.some((r) => r.name === f.router)).map((f) => `fip:${f.ip}`),
      // Its VMs send nothing in the model: isolation from them would hold for want of a sender.
      ...(ports.length > 0 ? allProjects : []),
    ];
    if (ports.length === 0 && taints.length === 1) continue;
    notes.push(note(CLOUD_NOTE.coverage, { file: `${CLOUD_DIRS.hosts}/${h.name}`, line: 1 },
      `Neutron has ${ports.length} port(s) on host ${h.name}${vms.length > 0 ? ` (servers ${vms.map((v) => v.name).join(', ')})` : ''}, but there is no capture of it (${CLOUD_DIRS.hosts}/${h.name}/)`, taints));
  }
  const known = new Set(topo.hosts.map((h) => h.name));
  for (const h of captured) {
    if (!known.has(h)) {
      notes.push(note(CLOUD_NOTE.coverage, { file: `${CLOUD_DIRS.hosts}/${h}`, line: 1 }, `host ${h} was captured but Neutron binds nothing there and runs no agent there that the API shows: its devices are modelled as captured`));
    }
  }
  return notes;
}

/** Host → network → local VLAN, from the br-int tags of each captured host's Neutron ports; other hosts keep the topology's. */
export function capturedLocalVlans(topo: Topology, shows: ReadonlyMap<string, VsctlShow | null>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [host, derived] of Object.entries(topo.localVlans)) out[host] = { ...derived };
  for (const [host, show] of shows) {
    const brInt = show?.bridges.find((b) => b.name === 'br-int');
    if (!brInt) continue;
    const tags = new Map(brInt.ports.map((p) => [p.name, p.tag]));
    const mine: Record<string, number> = {};
    for (const p of topo.ports) {
      if (p.host !== host || p.deviceOwner === 'network:floatingip') continue;
      const tag = tags.get(brIntDevice(topo, p));
      if (tag !== undefined && tag !== null && mine[p.network] === undefined) mine[p.network] = tag;
    }
    // Networks whose ports the capture lacks keep a number no captured network uses (the drift says the port is missing).
    const used = new Set(Object.values(mine));
    let next = Math.max(0, ...used) + 1;
    for (const net of Object.keys(topo.localVlans[host] ?? {})) {
      if (mine[net] !== undefined) continue;
      const want = topo.localVlans[host]?.[net];
      if (want !== undefined && !used.has(want)) mine[net] = want;
      else {
        while (used.has(next)) next++;
        mine[net] = next;
      }
      used.add(mine[net] as number);
    }
    out[host] = mine;
  }
  return out;
}
