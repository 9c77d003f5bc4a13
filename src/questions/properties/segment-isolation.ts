// `segment-isolation` (per network, subject `network:N`): no packet crosses from one network to
// another except through a router; local VLANs never appear on a wire; each tunnel packet carries its
// network's VNI/GRE key and each physical-network packet its segment's VLAN (none for flat).
// How, in two halves said in the message:
// - structural (segment-structure.ts), exhaustive over the rules of br-tun, the physical bridges and
//   br-int's physical-bridge inputs: a rule-level violation has no witness packet (the rule is named);
// - symbolic, per source port of the network (one representative per class): a solver search for a
//   packet delivered to a VM port or DHCP namespace of another network still carrying the sender's
//   MAC — a routed packet always carries a router's MAC, so this is crossing without a router. The
//   routers are the Neutron routers' qr-/qg- ports and the upstream routers of the outside world: a
//   port without port security may send from an upstream router's MAC, and what that router routes
//   back onto its subnet then arrives with the MAC sent.
import { deviceName } from '../../render/names.ts';
import { isRouterPort, type NetworkT } from '../../topology/model.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { coverage, groupPorts, holds, portLabel, sourceSpec, vmStations, type VmStation, elsewhere, owned } from './common.ts';
import { macNum, searchAll, type SearchAsk, type SearchResult } from './search.ts';
import type { Cond, SymPacket } from '../../smt/index.ts';
import { segmentIssues, type SegmentIssue } from './segment-structure.ts';
import type { EndGuard, EndSite } from './search-sites.ts';
import { notFound, violation } from './verdict.ts';

const ID = 'segment-isolation';

/** What one network's check asks: per class of its ports, a search for a crossing without a router. */
interface NetworkPlan {
  readonly net: NetworkT;
  readonly issues: readonly SegmentIssue[];
  readonly ports: number;
  readonly reps: readonly VmStation[];
}

/** Facts every network's predicate reads, gathered once. */
interface Facts {
  readonly netOfNs: ReadonlyMap<string, string>;
  readonly netOfVm: ReadonlyMap<string, string>;
  readonly routerMacs: readonly number[];
}

/** The network of a VM port or DHCP namespace an end was delivered to (undefined: neither, or not delivered). */
function networkOf(end: Pick<EndSite, 'disposition' | 'delivery'>, f: Facts): string | undefined {
  const d = end.delivery;
  if (end.disposition !== 'delivered' || d === null) return undefined;
  return d.kind === 'vm' ? f.netOfVm.get(`${d.vm}:${d.port}`) : d.kind === 'namespace' ? f.netOfNs.get(d.namespace) : undefined;
}

/**
 * Where a crossing can be at all: delivered on another network with a final source MAC that may be the
 * sent one. A sender whose earlier exploration in the run (nat-egress's, alike) ended nowhere such is
 * answered without walking it again (search-sites.ts): a packet routed to another network carries a
 * router's MAC, which a port-secured sender's own MAC is not.
 */
function crossable(net: NetworkT, f: Facts): EndGuard {
  return (end) => {
    if (!end.macKept) return false;
    const other = networkOf(end, f);
    return other !== undefined && other !== net.name;
  };
}

/** Delivered to a VM port or DHCP namespace of another network, still carrying the sender's MAC (not a router's). */
function crossing(net: NetworkT, f: Facts): SearchAsk['pred'] {
  // "Not sent from a router's MAC", built once per sender (its ends share its sent variables).
  let notRouter: { sent: SymPacket; cond: Cond } | null = null;
  return (e, sent, final, end) => {
    const other = networkOf(end, f);
    if (other === undefined || other === net.name) return false;
    const same = e.eq(final.eth_src, sent.eth_src, 48);
    if (same === false) return false;
    if (notRouter?.sent !== sent) notRouter = { sent, cond: e.and(...f.routerMacs.map((m) => e.not(e.eq(sent.eth_src, m, 48)))) };
    return e.and(same, notRouter.cond);
  };
}

function verdictOf(ctx: VerifyContext, p: NetworkPlan, results: readonly SearchResult[]): PropertyResult {
  const { net } = p;
  const subject = `network:${net.name}`;
  if (p.issues.length > 0) {
    return { property: ID, subject, verdict: 'violated', witness: null, trace: null, message: `rule check: ${p.issues[0]!.text}${p.issues.length > 1 ? ` (and ${p.issues.length - 1} more)` : ''}` };
  }
  for (const [i, rep] of p.reps.entries()) {
    const res = results[i]!;
    if (res.kind === 'found') {
      return violation(ctx, ID, subject, res, (t) => {
        const d = t.deliveredTo;
        const to = d?.kind === 'vm' ? `${d.vm}:${d.port}` : d?.kind === 'namespace' ? d.namespace : 'another network';
        return `${portLabel(rep)} on ${net.name} reaches ${to} on another network without crossing a router`;
      });
    }
    const u = notFound(ID, subject, res, portLabel(rep));
    if (u) return u;
  }
  return holds(ID, subject, `every tunnel, physical-bridge and br-int VLAN rule keeps ${net.name} on its segment (rule check, exhaustive), and no packet from ${coverage(p.ports, p.reps.length)} reaches another network without a router (solver)`);
}

export const segmentIsolation: PropertyCheck = {
  id: ID,
  description: "no packet crosses networks except through a router; local VLANs stay off the wires; tunnels and physical networks carry each network's own segment id",
  async check(ctx) {
    const issues = segmentIssues(ctx.topology, ctx.dataplane);
    const facts: Facts = {
      netOfNs: new Map(ctx.topology.networks.map((n) => [deviceName.qdhcp(n.id), n.name])),
      netOfVm: new Map(vmStations(ctx).map((s) => [`${s.vm}:${s.index}`, s.network])),
      routerMacs: [...new Set([
        ...ctx.topology.ports.filter(isRouterPort).map((p) => p.mac),
        ...ctx.dataplane.stations.flatMap((s) => (s.kind === 'outside' ? [s.mac] : [])),
      ])].map(macNum),
    };
    const plans: NetworkPlan[] = ctx.topology.networks.filter((net) => owned(ctx, `network:${net.name}`)).map((net) => {
      const mine = issues.filter((i) => i.network === net.name || i.network === null);
      const ports = vmStations(ctx).filter((s) => s.network === net.name);
      // A rule-level violation needs no search.
      return { net, issues: mine, ports: ports.length, reps: mine.length > 0 ? [] : groupPorts(ctx.topology, ports).map((g) => g.rep) };
    });
    // Every network's questions at once: the solver proves the empty ones in batches.
    const results = await searchAll(ctx, plans.flatMap((p) => p.reps.map((rep) => ({ src: sourceSpec(ctx.topology, rep), pred: crossing(p.net, facts), scope: 'near' as const, guard: crossable(p.net, facts) }))));
    let k = 0;
    const verdicts = new Map(plans.map((p) => [p.net.name, verdictOf(ctx, p, results.slice(k, (k += p.reps.length)))]));
    return ctx.topology.networks.map((net) => verdicts.get(net.name) ?? elsewhere(ID, `network:${net.name}`));
  },
};
