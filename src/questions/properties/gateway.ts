// `gateway` (per router interface, subject `router:R/SUBNET`): every VM port of the subnet reaches
// the subnet's gateway address on its router — an ICMP echo request to the gateway is delivered to
// the router's qrouter namespace. Concrete evaluator traces of that standard packet, one per port
// (cheap: no solver); a failure reports the port and the trace of the packet that fails. And the
// router routes to the subnet through its interface there: a packet from a port of another of its
// subnets to a port of this one leaves the namespace through that interface (`routedElsewhere`).
// Per router with an external gateway (subject `router:R/SUBNET` of the gateway's subnet): the
// gateway address reachable from the external network and answering back (gateway-outside.ts). Per
// extra route (subject `router:R/route:DEST via NEXTHOP`): what the router routes to DEST goes to
// NEXTHOP (gateway-routes.ts).
// A port whose own security groups do not let the echo out, stopped by its own firewall, is not
// asked (own-firewall.ts; security-groups judges that); with every port so, the interface is `n/a`.
// Ports on subnets no router serves are left out, counted in an `n/a` result per network.
import type { RouterT } from '../../topology/model.ts';
import type { Trace } from '../../evaluate/trace.ts';
import { deviceName } from '../../render/names.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { traceBetween } from '../trace.ts';
import { traceOutcome } from '../witness-replay.ts';
import { byNetwork, groupPorts, holds, notApplicable, outsideStations, portLabel, portOf, portCount, tick, vmStations, type VmStation, elsewhere, owned } from './common.ts';
import { copies } from './search.ts';
import { stoppedAsIntended } from './own-firewall.ts';
import { Enc, getZ3 } from '../../smt/index.ts';
import { checkProviderGateway } from './gateway-provider.ts';
import { checkExternalGateway } from './gateway-outside.ts';
import { checkExtraRoute, routeSubject } from './gateway-routes.ts';

const ID = 'gateway';

function checkInterface(ctx: VerifyContext, e: Enc, r: RouterT, subnet: string, gw: string): PropertyResult {
  const subject = `router:${r.name}/${subnet}`;
  const ns = deviceName.qrouter(r.id);
  const ports = vmStations(ctx).filter((s) => portOf(ctx.topology, s)?.subnet === subnet);
  const reaches = (x: Trace) => copies(x).some((c) => c.disposition === 'delivered' && c.deliveredTo?.kind === 'namespace' && c.deliveredTo.namespace === ns);
  // A port whose own security groups do not let the echo out, and whose firewall stops it there,
  // tells nothing about the router (own-firewall.ts); security-groups judges that firewall.
  const stopped: VmStation[] = [];
  for (const s of ports) {
    const t = traceBetween(ctx.topology, ctx.evaluator, { kind: 'port', station: s, ip: s.ip }, gw, { proto: 'icmp' });
    // A trace that crossed something unmodelled (an opaque device of a cloud capture, an unsupported
    // action) shows neither that the packet gets there nor that it does not.
    if (t.uncertain.length > 0) {
      return { property: ID, subject, verdict: 'unknown', witness: null, trace: t, message: `${portLabel(s)} ${reaches(t) ? 'reaches' : 'does not reach'} ${gw} only across something not modelled: ${t.uncertain.join('; ')}` };
    }
    if (reaches(t)) continue;
    if (stoppedAsIntended(e, ctx, s, t)) {
      stopped.push(s);
      continue;
    }
    const claim = { says: `does not reach ${gw} in ${ns}`, shownBy: (x: Trace) => !reaches(x) };
    return { property: ID, subject, verdict: 'violated', witness: t.packet, trace: t, message: `${portLabel(s)} does not reach its gateway ${gw} on ${r.name}: ${traceOutcome(t)}`, claim };
  }
  if (ports.length === 0) return notApplicable(ID, subject, `no VM port on ${subnet}: nothing to reach its gateway from`);
  const asked = ports.length - stopped.length;
  const excused = stopped.length === 0 ? '' : `; ${portCount(stopped.length)} (${stopped.slice(0, 3).map(portLabel).join(', ')}${stopped.length > 3 ? ', …' : ''}) not asked: ${stopped.length === 1 ? 'its' : 'their'} own security groups do not let an ICMP echo out, and ${stopped.length === 1 ? 'its' : 'their'} firewall stops it`;
  if (asked === 0) return notApplicable(ID, subject, `no VM port of ${subnet} may send an ICMP echo to ${gw}${excused}`);
  const misrouted = routedElsewhere(ctx, r, subnet, ports);
  if (misrouted !== null) return misrouted;
  return holds(ID, subject, `${asked === ports.length ? `all ${ports.length} VM ports of ${subnet} reach` : `${asked} of ${ports.length} VM ports of ${subnet} ${asked === 1 ? 'reaches' : 'reach'}`} ${gw} in ${ns} (ICMP echo request)${excused}`);
}

/**
 * The other way through the router: a packet a port of another of the router's subnets sends to a
 * port of `subnet` (ICMP echo, evaluator trace) must leave the router's namespace through its
 * interface on `subnet`. A packet its sender's own firewall stops never reaches the router and tells
 * nothing (the next sender, one of each class, is tried); one the router sends elsewhere (a route to
 * the subnet gone: out of the gateway, or nowhere) is a violation with that trace.
 */
function routedElsewhere(ctx: VerifyContext, r: RouterT, subnet: string, ports: readonly VmStation[]): PropertyResult | null {
  const ns = deviceName.qrouter(r.id);
  const iface = r.interfaces.find((i) => i.subnet === subnet)!;
  const qr = deviceName.qr(iface.port.id);
  const target = ports[0]!;
  const others = r.interfaces.filter((i) => i.subnet !== subnet);
  const candidates = vmStations(ctx).filter((s) => others.some((i) => i.subnet === portOf(ctx.topology, s)?.subnet && i.port.ip === s.gateway));
  // The first sender, one of each class, whose packet gets as far as the router decides: a port its own
  // security groups stop (no egress rule) tells nothing about the router.
  const decisive = (s: VmStation) => {
    const t = traceBetween(ctx.topology, ctx.evaluator, { kind: 'port', station: s, ip: s.ip }, target.ip, { proto: 'icmp' });
    const atRouter = t.uncertain.length > 0 ? [] : copies(t).flatMap((c) => c.hops.filter((h) => h.device === ns));
    return atRouter.length === 0 ? null : { sender: s, t, routed: atRouter.some((h) => h.outPort === qr) };
  };
  const found = groupPorts(ctx.topology, candidates).reduce<ReturnType<typeof decisive>>((got, { rep }) => got ?? decisive(rep), null);
  if (found === null || found.routed) return null;
  const { sender, t } = found;
  const through = (x: Trace) => copies(x).some((c) => c.hops.some((h) => h.device === ns && h.outPort === qr));
  const claim = { says: `does not leave ${ns} through ${qr}`, shownBy: (x: Trace) => !through(x) };
  return { property: ID, subject: `router:${r.name}/${subnet}`, verdict: 'violated', witness: t.packet, trace: t, claim,
    message: `${r.name} does not route to ${subnet} through its interface there: ${portLabel(sender)}'s packet to ${portLabel(target)} (${target.ip}) ${traceOutcome(t)}` };
}

export const gateway: PropertyCheck = {
  id: ID,
  description: "every port of a router's subnet reaches the subnet's gateway address on the router, the router's external gateway answers its external network, and its extra routes go to their next hops; on a provider network, every port reaches its gateway, the upstream router, and gets the reply back",
  async check(ctx) {
    const e = new Enc(await getZ3());
    const out: PropertyResult[] = [];
    const total = ctx.topology.routers.reduce((n, r) => n + r.interfaces.length + (r.gateway ? 1 : 0) + r.routes.length, 0);
    const ask = (subject: string, check: () => PropertyResult) => {
      tick(ctx, out.length, total, 'router interfaces, gateways and routes');
      out.push(owned(ctx, subject) ? check() : elsewhere(ID, subject));
    };
    for (const r of ctx.topology.routers) {
      for (const i of r.interfaces) ask(`router:${r.name}/${i.subnet}`, () => checkInterface(ctx, e, r, i.subnet, i.port.ip));
      if (r.gateway) ask(`router:${r.name}/${r.gateway.subnet}`, () => checkExternalGateway(ctx, r, `router:${r.name}/${r.gateway!.subnet}`));
      for (const x of r.routes) ask(routeSubject(r, x), () => checkExtraRoute(ctx, r, x, routeSubject(r, x)));
    }
    return [...out, ...unrouted(ctx)];
  },
};

/** The ports on subnets no router has an interface on, one `n/a` result per network saying how many. */
function unrouted(ctx: VerifyContext): PropertyResult[] {
  const routed = new Set(ctx.topology.routers.flatMap((r) => r.interfaces.map((i) => i.subnet)));
  const left = vmStations(ctx).filter((s) => !routed.has(portOf(ctx.topology, s)?.subnet ?? ''));
  return [...byNetwork(left)].map(([net, on]) => {
    const subnets = [...new Set(on.map((s) => portOf(ctx.topology, s)?.subnet ?? '?'))].join(', ');
    // On a network the outside world is on, the gateway is its upstream router: asked (gateway-provider.ts).
    if (outsideStations(ctx).some((o) => o.network === net)) return owned(ctx, `network:${net}`) ? checkProviderGateway(ctx, net, on, subnets) : elsewhere(ID, `network:${net}`);
    return notApplicable(ID, `network:${net}`, `left out: ${portCount(on.length)} on ${subnets}, where no router has an interface`);
  });
}
