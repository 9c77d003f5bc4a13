// `nat-egress` (per router with a gateway, subject `router:R`): every packet from a tenant port behind
// the router that leaves the cloud through the router's external network carries as its source a
// floating IP bound to that port or the router's SNAT (qg-) address.
// How: per source port (one representative per class; a port with a floating IP is its own class),
// a solver search for an `exited` end on the router's external network whose final source address is
// none of the allowed ones. The symbolic end does not name the router it crossed, so the allowed set
// is the port's floating IPs plus the qg- address of every router with a gateway on that network and
// an interface on the port's subnet (normally just this one; the message says when it is more).
// Only packets that open a connection count: Linux never NATs a packet conntrack finds INVALID (an
// unsolicited ICMP echo reply), so such a packet leaves un-translated on any real router. Packets are
// followed through other routers that route them on (search.ts's `near` scope stops only at a router
// that can just deliver them locally or into its own subnets, where nothing leaves the cloud).
// Ports behind no router with a gateway are left out, counted in an `n/a` result per network.
import type { RouterT, Topology } from '../../topology/model.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { byNetwork, coverage, groupPorts, holds, notApplicable, outsideStations, portLabel, portOf, portCount, sourceSpec, vmStations, type VmStation } from './common.ts';
import { ipNum, opensConnection, searchAll, type SearchAsk, type SearchResult } from './search.ts';
import { notFound, violation } from './verdict.ts';

const ID = 'nat-egress';

function routersServing(topo: Topology, s: VmStation, network: string): RouterT[] {
  const subnet = portOf(topo, s)?.subnet;
  return topo.routers.filter((r) => r.gateway?.network === network && r.interfaces.some((i) => i.subnet === subnet));
}

/** What one router's check asks: per class of ports behind it, its representative and the sources it may leave with. */
interface RouterPlan {
  readonly r: RouterT;
  readonly behind: number;
  readonly reps: readonly { rep: VmStation; allowed: readonly string[] }[];
  readonly shared: boolean;
}

function plan(ctx: VerifyContext, r: RouterT): RouterPlan {
  const gw = r.gateway!;
  const subnets = new Set(r.interfaces.map((i) => i.subnet));
  const behind = vmStations(ctx).filter((s) => subnets.has(portOf(ctx.topology, s)?.subnet ?? ''));
  let shared = false;
  const reps = groupPorts(ctx.topology, behind).map(({ rep }) => {
    const fips = ctx.topology.floatingIps.filter((f) => f.portId === rep.portId && f.network === gw.network).map((f) => f.ip);
    const routers = routersServing(ctx.topology, rep, gw.network);
    if (routers.length > 1) shared = true;
    return { rep, allowed: [...fips, ...routers.flatMap((x) => (x.gateway ? [x.gateway.port.ip] : []))] };
  });
  return { r, behind: behind.length, reps, shared };
}

/** A packet from the port leaving through the router's external network with a source not allowed. */
function leak(gwNetwork: string, allowed: readonly string[]): SearchAsk['pred'] {
  return (e, sent, final, end) =>
    end.delivery?.kind === 'external' && end.delivery.network === gwNetwork
      ? e.and(opensConnection(e, sent), e.not(e.or(...allowed.map((ip) => e.eq(final.ip_src, ipNum(ip), 32)))))
      : false;
}

function verdictOf(ctx: VerifyContext, p: RouterPlan, results: readonly SearchResult[]): PropertyResult {
  const { r } = p;
  const subject = `router:${r.name}`;
  const gw = r.gateway!;
  if (p.behind === 0) return notApplicable(ID, subject, `no tenant port behind ${r.name}: nothing can leave through its gateway`);
  for (const [i, { rep, allowed }] of p.reps.entries()) {
    const res = results[i]!;
    if (res.kind === 'found') {
      const allowedText = allowed.join(', ');
      return violation(ctx, ID, subject, res,
        (t) => `${portLabel(rep)} leaves through ${gw.network} with source ${t.final.ip_src}, not one of ${allowedText}${gw.snat ? '' : ' (the router has snat: false and the port no floating IP)'}`,
        (t) => !allowed.includes(t.final.ip_src));
    }
    const u = notFound(ID, subject, res, `${portLabel(rep)}`);
    if (u) return u;
  }
  const note = p.shared ? '; some subnets are behind several routers on this network, whose SNAT addresses were all allowed' : '';
  return holds(ID, subject, `every packet from ${coverage(p.behind, p.reps.length)} behind ${r.name} leaves ${gw.network} with a floating IP of its port or ${gw.port.ip} (connection-opening packets: an unsolicited ICMP reply or error is INVALID to conntrack and not NATed)${note}`);
}

export const natEgress: PropertyCheck = {
  id: ID,
  description: "every packet leaving the cloud through a router's gateway carries its port's floating IP or the router's SNAT address",
  async check(ctx) {
    const plans = ctx.topology.routers.filter((r) => r.gateway !== null).map((r) => plan(ctx, r));
    // Every router's questions at once: the solver proves the empty ones in batches.
    const asks = plans.flatMap((p) => p.reps.map(({ rep, allowed }) => ({ src: sourceSpec(ctx.topology, rep), pred: leak(p.r.gateway!.network, allowed), scope: 'near' as const })));
    const results = await searchAll(ctx, asks, 'port classes behind routers');
    let k = 0;
    const checked = plans.map((p) => {
      const mine = results.slice(k, (k += p.reps.length));
      return verdictOf(ctx, p, mine);
    });
    return [...checked, ...unrouted(ctx)];
  },
};

/**
 * The ports behind no router with a gateway, one `n/a` result per network saying how many: no router
 * NATs their packets (on a provider network they reach the outside world with their own addresses).
 */
function unrouted(ctx: VerifyContext): PropertyResult[] {
  const natted = new Set(ctx.topology.routers.filter((r) => r.gateway !== null).flatMap((r) => r.interfaces.map((i) => i.subnet)));
  const left = vmStations(ctx).filter((s) => !natted.has(portOf(ctx.topology, s)?.subnet ?? ''));
  return [...byNetwork(left)].map(([net, on]) => {
    const direct = outsideStations(ctx).some((o) => o.network === net);
    const why = direct
      ? 'which reaches its outside world directly: no router NATs what is sent from there'
      : `behind no router with a gateway: nothing sent from there leaves the cloud through a router`;
    return notApplicable(ID, `network:${net}`, `left out: ${portCount(on.length)} on ${net}, ${why}`);
  });
}
