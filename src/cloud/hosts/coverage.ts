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
  for (const h of topo.hosts) {
    if (have.has(h.name)) continue;
    const on = hostSubjects(topo, h.name);
    if (on.ports === 0 && on.taints.length === 1) continue;
    notes.push(note(CLOUD_NOTE.coverage, { file: `${CLOUD_DIRS.hosts}/${h.name}`, line: 1 },
      `Neutron has ${on.ports} port(s) on host ${h.name}${on.vms.length > 0 ? ` (servers ${on.vms.join(', ')})` : ''}, but there is no capture of it (${CLOUD_DIRS.hosts}/${h.name}/)`, on.taints));
  }
  const known = new Set(topo.hosts.map((h) => h.name));
  for (const h of captured) {
    if (!known.has(h)) {
      notes.push(note(CLOUD_NOTE.coverage, { file: `${CLOUD_DIRS.hosts}/${h}`, line: 1 }, `host ${h} was captured but Neutron binds nothing there and runs no agent there that the API shows: its devices are modelled as captured`));
    }
  }
  return notes;
}

/** What a host holds, and the verify subjects whose verdicts depend on its devices being as modelled. */
export interface HostSubjects {
  readonly ports: number;
  readonly vms: readonly string[];
  readonly taints: readonly string[];
}

/**
 * The subjects a host's devices decide: the host, its VMs' ports, the networks it has ports on, the
 * routers there or on those networks, their floating IPs, and — when it has ports — every project (a VM
 * there whose packets are not as modelled can break or fake any project's isolation).
 */
export function hostSubjects(topo: Topology, host: string): HostSubjects {
  const ports = topo.ports.filter((p) => p.host === host);
  const vms = topo.vms.filter((v) => v.host === host);
  const networks = new Set(ports.map((p) => p.network));
  const routers = topo.routers.filter((r) => r.hosts.includes(host) || r.interfaces.some((i) => networks.has(i.network)));
  const allProjects = [...new Set(topo.vms.map((v) => `project:${v.project}`))];
  const taints = [
    `host:${host}`,
    ...vms.flatMap((v) => v.ports.map((_, i) => `port:${v.name}:${i}`)),
    ...[...networks].map((n) => `network:${n}`),
    ...routers.map((r) => `router:${r.name}`),
    ...topo.floatingIps.filter((f) => vms.some((v) => v.name === f.vm) || routers.some((r) => r.name === f.router)).map((f) => `fip:${f.ip}`),
    ...(ports.length > 0 ? allProjects : []),
  ];
  return { ports: ports.length, vms: vms.map((v) => v.name), taints };
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
