// What a cloud's notes do to answers: a verdict whose subject a note taints (something netproof left
// out or could not read may change it) becomes `unknown`, saying which note and where it came from. A
// violation found in the modelled part is kept as a hint (witness and trace) but no longer claimed.
import type { PropertyResult } from '../questions/property.ts';
import type { VerifyReport } from '../questions/verify.ts';
import { ALL_SUBJECTS, tainted, type CloudNote } from './notes.ts';
import type { Topology } from '../topology/model.ts';

/** The subjects a user property touches: its own subject's parts (`isolate:a->b` → a, b) and every subject when unsure. */
function subjectsOf(r: PropertyResult): string[] {
  const m = /^[a-z-]+:(.+)->(.+)$/.exec(r.subject);
  return m ? [m[1] as string, m[2] as string] : [r.subject];
}

function taintingNote(r: PropertyResult, notes: readonly CloudNote[]): CloudNote | null {
  for (const n of notes) {
    if (n.taints.length === 0) continue;
    const set = new Set(n.taints);
    if (subjectsOf(r).some((s) => tainted(s, set))) return n;
    // User properties name endpoints in their own words: any note that may change every verdict applies.
    if (set.has(ALL_SUBJECTS)) return n;
  }
  return null;
}

export function taintReport(report: VerifyReport, notes: readonly CloudNote[]): VerifyReport {
  if (!notes.some((n) => n.taints.length > 0)) return report;
  const results = report.results.map((r): PropertyResult => {
    if (r.verdict === 'unknown') return r;
    const n = taintingNote(r, notes);
    if (n === null) return r;
    const was = r.verdict === 'violated' ? 'violated in the modelled part' : 'holds in the modelled part';
    return { ...r, verdict: 'unknown', message: `${was}, but ${n.message} (${n.file}:${n.line}) — ${r.message}` };
  });
  const count = (v: PropertyResult['verdict']) => results.filter((r) => r.verdict === v).length;
  return { results, summary: { holds: count('holds'), violated: count('violated'), unknown: count('unknown') } };
}

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
