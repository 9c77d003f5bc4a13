// How `verify --jobs N` splits a run's results among its worker threads: by project. The solver-backed
// properties share work per sender (a sender's explorations, the symbolic walker's ends downstream of
// each router), and a project's subjects — `project:P`, its networks, its routers, its ports and
// floating IPs — ask about the same senders. `--shard`'s hash of property, subject and scenario scatters
// them over every part, so each part would explore most senders again; here a project, in every
// scenario, is checked by one worker. Projects go to the parts largest first (by VM ports, then name),
// each to the part with the least so far: the same topology and N always give the same split, and the
// results never depend on which worker checked them. A subject of no project (a host, the outside
// world, a user property) goes by the hash of its own name.
import type { Topology } from '../topology/model.ts';
import { shardOf, type Assign } from '../shard/assign.ts';

/** The project each subject (`KIND:NAME`) belongs to, by kind. */
function projectsOf(t: Topology): Map<string, string> {
  const of = new Map<string, string>();
  const portProject = new Map<string, string>();
  for (const p of new Set(t.vms.map((v) => v.project))) of.set(`project:${p}`, p);
  for (const v of t.vms) {
    for (const [i, p] of v.ports.entries()) {
      of.set(`port:${v.name}:${i}`, v.project);
      portProject.set(p.id, v.project);
    }
  }
  for (const n of t.networks) if (n.project !== null) of.set(`network:${n.name}`, n.project);
  for (const r of t.routers) if (r.project !== null) of.set(`router:${r.name}`, r.project);
  for (const f of t.floatingIps) {
    const p = portProject.get(f.portId);
    if (p !== undefined) of.set(`fip:${f.ip}`, p);
  }
  return of;
}

/** The split of `t`'s results into `count` parts, a project's subjects in one part. */
export function projectSplit(t: Topology, count: number): Assign {
  const of = projectsOf(t);
  const weight = new Map<string, number>();
  for (const v of t.vms) weight.set(v.project, (weight.get(v.project) ?? 0) + v.ports.length);
  for (const p of of.values()) if (!weight.has(p)) weight.set(p, 0);
  const order = [...weight].sort(([a, wa], [b, wb]) => wb - wa || (a < b ? -1 : a > b ? 1 : 0));
  const load = Array.from({ length: count }, () => 0);
  const partOf = new Map<string, number>();
  for (const [p, w] of order) {
    const least = load.indexOf(Math.min(...load));
    partOf.set(p, least + 1);
    // Every project counts for one more, so that projects without ports are spread too.
    load[least]! += w + 1;
  }
  // The scenario is not part of the key: a subject stays in one part in every scenario, where the
  // results carried from the first scenario to the others are (src/questions/carry.ts).
  return (_count, property, subject) => {
    const p = of.get(subject);
    return (p === undefined ? undefined : partOf.get(p)) ?? shardOf(count, property, subject, '');
  };
}
