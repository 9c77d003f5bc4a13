// Which of a cloud's notes touch the endpoints of a query or trace: something netproof left out or could
// not read that may change the answer between them (taint-report.ts does the same for verify's subjects).
import { ALL_SUBJECTS, tainted, type CloudNote } from './notes.ts';
import type { Topology } from '../topology/model.ts';
import { inPrefix, isIpv4 } from '../net/ipv4.ts';

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
 * port's; a set (`project:`, `network:`, a CIDR), those of every VM with a port in it; anything else (the
 * outside world) none — only notes about every subject touch it.
 */
export function endpointSubjects(topo: Topology, ep: string): string[] {
  // A set (query's project:, network:, a CIDR): the subjects of every VM in it, and the set itself.
  const set = setMembers(topo, ep);
  if (set !== null) return [...new Set([...(/^(project|network):/.test(ep) ? [ep] : []), ...set.flatMap((vm) => endpointSubjects(topo, vm))])];
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

/** The VMs a set endpoint holds (a port in the project, on the network, or in the prefix); null when `ep` is no set. */
function setMembers(topo: Topology, ep: string): string[] | null {
  const named = /^(project|network):(.*)$/.exec(ep);
  if (named) return topo.vms.filter((v) => (named[1] === 'project' ? v.project === named[2] : v.ports.some((p) => p.network === named[2]))).map((v) => v.name);
  const cidr = /^([0-9.]+)\/(\d{1,2})$/.exec(ep);
  if (cidr && isIpv4(cidr[1]!) && Number(cidr[2]) <= 32) return topo.vms.filter((v) => v.ports.some((p) => inPrefix(p.ip, cidr[1]!, Number(cidr[2])))).map((v) => v.name);
  return null;
}
