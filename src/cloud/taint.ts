// Which of a cloud's notes touch the endpoints of a query or trace: something netproof left out or could
// not read that may change the answer between them (taint-report.ts does the same for verify's subjects).
import { ALL_SUBJECTS, tainted, type CloudNote } from './notes.ts';
import type { Topology } from '../topology/model.ts';

/** Whether any note taints one of `subjects` (for query and trace, whose endpoints are the subjects). */
export function noteFor(subjects: readonly string[], notes: readonly CloudNote[]): CloudNote | null {
  for (const n of notes) {
    const set = new Set(n.taints);
    if (subjects.some((s) => tainted(s, set))) return n;
  }
  return null;
}

/**
 * The subjects an endpoint of `query` or `trace` stands for: a VM's ports (all, or the one named), their
 * networks, host and project; an address of a port, the same for that port; a floating IP, itself and its
 * port's; anything else (the outside world) none — only notes about every subject touch it.
 */
export function endpointSubjects(topo: Topology, ep: string): string[] {
  const ip = ep.includes('/') ? ep.slice(ep.indexOf('/') + 1) : ep;
  const fip = topo.floatingIps.find((f) => f.ip === ip);
  const [vmName, index] = ep.split(':');
  const vm = topo.vms.find((v) => v.name === vmName) ?? topo.vms.find((v) => v.ports.some((p) => p.ip === ip)) ?? (fip ? topo.vms.find((v) => v.name === fip.vm) : undefined);
  const out = new Set<string>(fip ? [`fip:${fip.ip}`, `router:${fip.router}`] : []);
  if (vm) {
    out.add(`host:${vm.host}`).add(`project:${vm.project}`);
    vm.ports.forEach((p, i) => {
      if (index !== undefined && index !== '' && Number(index) !== i && p.ip !== ip) return;
      out.add(`port:${vm.name}:${i}`).add(`network:${p.network}`);
    });
  }
  const port = topo.ports.find((p) => p.ip === ip && p.deviceOwner !== 'compute:nova');
  if (port) out.add(`network:${port.network}`);
  return [...out];
}

/** The note that makes an answer between two endpoints unknown, if one does. */
export function noteForEndpoints(topo: Topology, from: string, to: string, notes: readonly CloudNote[]): CloudNote | null {
  return noteFor([...endpointSubjects(topo, from), ...endpointSubjects(topo, to), '*'].filter((s) => s !== '*'), notes) ?? notes.find((n) => n.taints.includes(ALL_SUBJECTS)) ?? null;
}
