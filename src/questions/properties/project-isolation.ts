// `project-isolation` (per project, subject `project:P`): no packet from a port of the project
// reaches a port of another project by its fixed address — crossing an external network through a
// floating IP, or a shared network, is allowed.
// How: per source port (one representative per class), a solver search for a delivery to another
// project's VM port whose sent destination is that port's fixed address. Ports on shared networks are
// left out on both sides (traffic over a shared network is allowed by design), and so are pairs
// where the destination is reached through a floating IP (its sent destination is the FIP). A packet
// that crosses an external network to another router's own address (a floating IP, its gateway),
// which that router can only deliver locally or into its own subnets, is not followed there
// (search.ts's `near` scope): that is crossing through a floating IP. A packet another router routes
// on (an extra route through its gateway) is followed, and reaching a port's fixed address that way
// is a violation.
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { Topology } from '../../topology/model.ts';
import { deviceName } from '../../render/names.ts';
import { coverage, groupPorts, holds, leftOut, notApplicable, portLabel, sourceSpec, tick, vmStations, type VmStation, elsewhere, owned } from './common.ts';
import { ipNum, search } from './search.ts';
import { notFound, violation } from './verdict.ts';
import type { EndSite } from './search-sites.ts';

const ID = 'project-isolation';

/** How a trace got across: the routers it crossed (each once, in order), which an operator looks at first. */
function through(topo: Topology, t: Trace): string {
  const byNs = new Map(topo.routers.map((r) => [deviceName.qrouter(r.id), r]));
  const crossed = [...new Set(t.hops.flatMap((h) => byNs.get(h.device) ?? []))];
  if (crossed.length === 0) return 'without crossing a router';
  const projects = (r: (typeof crossed)[number]) => (r.project === null ? 'no project' : `project ${r.project}`);
  return `through ${crossed.map((r) => `${r.name} (${projects(r)})`).join(', then ')}`;
}

async function checkProject(ctx: VerifyContext, project: string, shared: ReadonlySet<string>): Promise<PropertyResult> {
  const subject = `project:${project}`;
  const all = vmStations(ctx).filter((s) => !shared.has(s.network));
  const note = leftOut(vmStations(ctx).length - all.length, 'on shared networks');
  const mine = all.filter((s) => s.project === project);
  const others = new Map<string, VmStation>(all.filter((s) => s.project !== project).map((s) => [`${s.vm}:${s.index}`, s]));
  if (others.size === 0) return notApplicable(ID, subject, `no port of another project outside shared networks: nothing to be isolated from${note}`);
  if (mine.length === 0) return notApplicable(ID, subject, `no port of ${project} outside shared networks: nothing to isolate${note}`);
  const groups = groupPorts(ctx.topology, mine);
  // Only a delivery to another project's port can be a violation: a sender whose exploration (by an
  // earlier property of the run, alike) delivered to none is settled without walking it again.
  const toOther = (end: EndSite) => end.disposition === 'delivered' && end.delivery?.kind === 'vm' && others.has(`${end.delivery.vm}:${end.delivery.port}`);
  for (const { rep } of groups) {
    const res = await search(ctx, sourceSpec(ctx.topology, rep), (e, sent, _final, end) => {
      const d = end.delivery;
      if (end.disposition !== 'delivered' || d?.kind !== 'vm') return false;
      const dst = others.get(`${d.vm}:${d.port}`);
      return dst === undefined ? false : e.eq(sent.ip_dst, ipNum(dst.ip), 32);
    }, {}, 'near', toOther);
    if (res.kind === 'found') {
      return violation(ctx, ID, subject, res, (t) => {
        const d = t.deliveredTo;
        const dst = d?.kind === 'vm' ? others.get(`${d.vm}:${d.port}`) : undefined;
        return `${portLabel(rep)} (project ${project}) reaches ${dst ? `${portLabel(dst)} (project ${dst.project ?? '-'})` : 'another project\'s port'} at its fixed address ${t.packet.ip_dst}, ${through(ctx.topology, t)}`;
      });
    }
    const u = notFound(ID, subject, res, portLabel(rep));
    if (u) return u;
  }
  return holds(ID, subject, `no packet from ${coverage(mine.length, groups.length)} of ${project} reaches another project's port by its fixed address${note}`);
}

export const projectIsolation: PropertyCheck = {
  id: ID,
  description: "no packet from a project's port reaches another project's port by its fixed address (floating IPs and shared networks aside)",
  async check(ctx) {
    const shared = new Set(ctx.topology.networks.filter((n) => n.shared).map((n) => n.name));
    const projects = [...new Set(ctx.topology.vms.map((v) => v.project))];
    const out: PropertyResult[] = [];
    for (const [i, p] of projects.entries()) {
      tick(ctx, i, projects.length, 'projects');
      out.push(owned(ctx, `project:${p}`) ? await checkProject(ctx, p, shared) : elsewhere(ID, `project:${p}`));
    }
    return out;
  },
};
