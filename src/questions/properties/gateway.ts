// `gateway` (per router interface, subject `router:R/SUBNET`): every VM port of the subnet reaches
// the subnet's gateway address on its router — an ICMP echo request to the gateway is delivered to
// the router's qrouter namespace. Concrete evaluator traces of that standard packet, one per port
// (cheap: no solver); a failure reports the port and the trace of the packet that fails. And the
// router routes to the subnet through its interface there: a packet from a port of another of its
// subnets to a port of this one leaves the namespace through that interface (`routesInto`).
// Per router with an external gateway (subject `router:R/SUBNET` of the gateway's subnet): the
// gateway address reachable from the external network and answering back (gateway-outside.ts). Per
// extra route (subject `router:R/route:DEST via NEXTHOP`): what the router routes to DEST goes to
// NEXTHOP (gateway-routes.ts). An interface on a subnet whose gateway is the upstream router, outside the
// cloud, is also pinged by that router and must answer back (gateway-provider.ts `checkProviderInterface`).
// A port whose own security groups do not let the echo out, stopped by its own firewall, is not
// asked (own-firewall.ts; security-groups judges that); with every port so, the interface is `n/a`.
// A subnet of the router without VM ports is asked the other way: a packet to an address there (from
// a port of another of its subnets, else from outside) must leave through the interface (`emptySubnet`).
// Ports on subnets no router serves are left out, counted in an `n/a` result per network.
import type { RouterInterfaceT, RouterT } from '../../topology/model.ts';
import type { Hop, Trace } from '../../evaluate/trace.ts';
import { deviceName } from '../../render/names.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { traceBetween } from '../trace.ts';
import type { Sender } from '../trace.ts';
import { formatIpv4, inPrefix, ipv4ToNumber } from '../../net/ipv4.ts';
import { parseCidr } from '../../render/linux/addr.ts';
import { subnetByRef } from '../../topology/lookup.ts';
import { traceOutcome } from '../witness-replay.ts';
import { INTERNET, outsideFor, byNetwork, groupPorts, holds, notApplicable, outsideStations, portLabel, portOf, portCount, tick, vmStations, type VmStation, elsewhere, owned } from './common.ts';
import { copies } from './search.ts';
import { stoppedAsIntended } from './own-firewall.ts';
import { Enc, getZ3 } from '../../smt/index.ts';
import { checkProviderGateway, checkProviderInterface, upstreamOf } from './gateway-provider.ts';
import { checkExternalGateway } from './gateway-outside.ts';
import { checkExtraRoute, routeSubject } from './gateway-routes.ts';

const ID = 'gateway';

/**
 * A router interface: its subnet's ports reach it and the router routes into the subnet (`portsReach`);
 * on a subnet whose gateway is the upstream router, also the upstream router's echo exchange with the
 * interface (gateway-provider.ts `checkProviderInterface`).
 */
function checkInterface(ctx: VerifyContext, e: Enc, r: RouterT, i: RouterInterfaceT): PropertyResult {
  const inner = portsReach(ctx, e, r, i.subnet, i.port.ip);
  if (inner.verdict === 'violated' || inner.verdict === 'unknown') return inner;
  const up = checkProviderInterface(ctx, r, i, inner.subject);
  if (up === null) return inner;
  if ('result' in up) return up.result;
  return holds(ID, inner.subject, inner.verdict === 'holds' ? `${inner.message}; ${up.text}` : `${up.text}; ${inner.message}`);
}

function portsReach(ctx: VerifyContext, e: Enc, r: RouterT, subnet: string, gw: string): PropertyResult {
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
  if (ports.length === 0) return emptySubnet(ctx, r, subnet);
  const asked = ports.length - stopped.length;
  const excused = stopped.length === 0 ? '' : `; ${portCount(stopped.length)} (${stopped.slice(0, 3).map(portLabel).join(', ')}${stopped.length > 3 ? ', …' : ''}) not asked: ${stopped.length === 1 ? 'its' : 'their'} own security groups do not let an ICMP echo out, and ${stopped.length === 1 ? 'its' : 'their'} firewall stops it`;
  const misrouted = routesInto(ctx, r, subnet, { ip: ports[0]!.ip, label: portLabel(ports[0]!), answersArp: true });
  // Ports that may not send the echo still get packets routed to them: how the router routes into
  // their subnet is asked all the same, as of a subnet without VM ports.
  if (asked === 0) {
    const none = `no VM port of ${subnet} may send an ICMP echo to ${gw}${excused}`;
    if (misrouted === null) return notApplicable(ID, subject, none);
    if (misrouted.verdict === 'violated') return misrouted;
    return holds(ID, subject, `${none}; ${r.name} routes into it through its interface there: ${misrouted.message}`);
  }
  if (misrouted !== null && misrouted.verdict === 'violated') return misrouted;
  return holds(ID, subject, `${asked === ports.length ? `all ${ports.length} VM ports of ${subnet} reach` : `${asked} of ${ports.length} VM ports of ${subnet} ${asked === 1 ? 'reaches' : 'reach'}`} ${gw} in ${ns} (ICMP echo request)${excused}`);
}

/**
 * A subnet of the router without VM ports: nothing sends from it, but the router must still route
 * into it. A packet to an address there (its DHCP port's, else a free one no extra route of the router
 * takes elsewhere) must leave through the router's interface on it (`routesInto`); `n/a` when no
 * sender's packet gets as far as the router, or no address of the subnet is left to ask about.
 */
function emptySubnet(ctx: VerifyContext, r: RouterT, subnet: string): PropertyResult {
  const subject = `router:${r.name}/${subnet}`;
  const none = `no VM port on ${subnet}: nothing to reach its gateway from`;
  const target = addressIn(ctx, r, subnet);
  if (target === null) return notApplicable(ID, subject, none);
  // Its DHCP port answers ARP (the packet must leave through the interface); a free address does not.
  const answersArp = ctx.topology.ports.some((p) => p.subnet === subnet && p.ip === target);
  const routed = routesInto(ctx, r, subnet, { ip: target, label: target, answersArp });
  if (routed === null) return notApplicable(ID, subject, `${none}, and no packet to ${target} there reaches ${r.name} to show how it routes into it`);
  if (routed.verdict === 'violated') return routed;
  return holds(ID, subject, `${none}; ${r.name} routes into it through its interface there: ${routed.message}`);
}

/** An address of `subnet` to send to: its DHCP port's, else a free one; none that a more specific extra route of `r` covers. */
function addressIn(ctx: VerifyContext, r: RouterT, subnet: string): string | null {
  const sn = subnetByRef(ctx.topology, subnet);
  if (sn === undefined) return null;
  const { ip: base, prefixLen } = parseCidr(sn.cidr);
  const held = new Set([...ctx.topology.ports.filter((p) => p.subnet === subnet).map((p) => p.ip), ...r.interfaces.map((i) => i.port.ip)]);
  const dhcp = ctx.topology.ports.filter((p) => p.subnet === subnet && p.deviceOwner === 'network:dhcp').map((p) => p.ip);
  const size = 2 ** (32 - prefixLen);
  const free = [2, 3, size - 2].filter((o) => o > 0 && o < size - 1).map((o) => formatIpv4((ipv4ToNumber(base) + o) >>> 0)).filter((ip) => !held.has(ip));
  const elsewhere = r.routes.map((x) => parseCidr(x.destination)).filter((d) => d.prefixLen > prefixLen);
  return [...dhcp, ...free].find((ip) => !elsewhere.some((d) => inPrefix(ip, d.ip, d.prefixLen))) ?? null;
}

/**
 * The other way through the router: a packet to `target`, an address of `subnet`, from a port of
 * another of the router's subnets (ICMP echo, evaluator trace) — else from the outside world of its
 * gateway's network, whose upstream router routes the router's subnets to it — must leave the
 * router's namespace through its interface on `subnet` (a hop out of it, or the route the router took
 * there when the address answers no ARP). A packet its sender's own firewall stops never reaches the
 * router and tells nothing (the next sender, one of each class, is tried); one the router sends
 * elsewhere (a route to the subnet gone: out of the gateway, or nowhere) is a violation with that
 * trace. An address an extra route at least as specific as the subnet takes must be routed by it, to
 * one of its next hops, out of whichever interface that is. Null when no sender's packet reaches the router; else the violation, or a `holds` saying
 * which packet showed it.
 */
function routesInto(ctx: VerifyContext, r: RouterT, subnet: string, target: { ip: string; label: string; answersArp: boolean }): PropertyResult | null {
  const ns = deviceName.qrouter(r.id);
  const iface = r.interfaces.find((i) => i.subnet === subnet)!;
  const qr = deviceName.qr(iface.port.id);
  const others = r.interfaces.filter((i) => i.subnet !== subnet);
  const candidates = vmStations(ctx).filter((s) => others.some((i) => i.subnet === portOf(ctx.topology, s)?.subnet && i.port.ip === s.gateway));
  const outside = r.gateway ? outsideFor(ctx.dataplane.stations, r.gateway.network, r.gateway.port.ip) : undefined;
  const senders: { from: Sender; label: string }[] = [
    ...groupPorts(ctx.topology, candidates).map(({ rep }) => ({ from: { kind: 'port', station: rep, ip: rep.ip } as Sender, label: portLabel(rep) })),
    ...(outside ? [{ from: { kind: 'outside', station: outside, ip: INTERNET } as Sender, label: `${INTERNET} (outside, beyond ${r.gateway!.network})` }] : []),
  ];
  const intoSubnet = (h: Hop) => h.device === ns && (h.outPort === qr || h.events.some((e) => e.kind === 'route' && e.route.dev === qr));
  // Into its own subnet the router sends on-link, to the destination's own MAC (the connected route),
  // unless an extra route at least as specific as the subnet takes the address to a next hop. A route via
  // a next hop on the subnet (a default extra route through a VM there, once the connected route is
  // gone) still leaves through the interface, but to the next hop's MAC: the packet is delivered there.
  // Such a route may lead out of another interface (a next hop on another subnet: Neutron's `ip route
  // replace` of the subnet's own prefix takes the connected route's place), and then the packet must
  // be routed by it — to one of those next hops — wherever it leaves; whether the next hop answers is
  // the route's business (gateway-routes.ts).
  const sn = subnetByRef(ctx.topology, subnet);
  const extraHops = new Set(sn === undefined ? [] : r.routes.filter((x) => {
    const d = parseCidr(x.destination);
    return d.prefixLen >= sn.prefixLen && inPrefix(target.ip, d.ip, d.prefixLen);
  }).map((x) => x.nexthop));
  const byExtraRoute = extraHops.size > 0;
  const viaExtraRoute = (h: Hop) => h.device === ns && h.events.some((e) => e.kind === 'route' && e.route.via !== null && extraHops.has(e.route.via));
  const viaNextHop = (h: Hop) => h.device === ns && h.events.some((e) => e.kind === 'route' && e.route.dev === qr && e.route.via !== null);
  // An address that answers ARP (a VM or DHCP port) must be reached: the packet leaves through the
  // interface. The route alone counts only for a free address, whose ARP dies either way; for a port,
  // an ARP that dies on the way (a bridge out of the router's host broken) is the router failing to
  // deliver what it routes there.
  const leaves = (h: Hop) => h.device === ns && h.outPort === qr;
  const routedIn = (hs: readonly Hop[]) => (byExtraRoute ? hs.some(viaExtraRoute) : hs.some(intoSubnet) && !hs.some(viaNextHop) && (!target.answersArp || hs.some(leaves)));
  // The first sender whose packet gets as far as the router decides: a port its own security groups
  // stop (no egress rule) tells nothing about the router.
  const decisive = (x: { from: Sender; label: string }) => {
    const t = traceBetween(ctx.topology, ctx.evaluator, x.from, target.ip, { proto: 'icmp' });
    const atRouter = t.uncertain.length > 0 ? [] : copies(t).flatMap((c) => c.hops.filter((h) => h.device === ns));
    return atRouter.length === 0 ? null : { sender: x.label, t, routed: routedIn(atRouter) };
  };
  const found = senders.reduce<ReturnType<typeof decisive>>((got, x) => got ?? decisive(x), null);
  if (found === null) return null;
  const { sender, t } = found;
  const subject = `router:${r.name}/${subnet}`;
  if (found.routed) return holds(ID, subject, byExtraRoute ? `${sender}'s packet to ${target.label} is routed by ${r.name}'s extra route via ${[...extraHops].join(' or ')}, which takes that address` : `${sender}'s packet to ${target.label} leaves ${ns} through ${qr} on-link`);
  const hops = (x: Trace) => copies(x).flatMap((c) => c.hops);
  const through = (x: Trace) => routedIn(hops(x));
  const nextHop = hops(t).filter(intoSubnet).flatMap((h) => h.events.flatMap((e) => (e.kind === 'route' && e.route.dev === qr && e.route.via !== null ? [e.route] : [])))[0];
  const unanswered = nextHop === undefined && hops(t).some((h) => intoSubnet(h) && h.events.some((e) => e.kind === 'arp' && e.mac === null));
  const how = byExtraRoute ? `does not route ${target.ip} by its extra route via ${[...extraHops].join(' or ')}, which takes that address of ${subnet}`
    : unanswered ? `routes to ${subnet} out of ${qr}, but gets no ARP answer there from ${target.label}, which answers ARP: the packet never leaves`
    : nextHop === undefined ? `does not route to ${subnet} through its interface there`
    : `routes to ${subnet} by ${nextHop.dst.prefixLen === 0 ? 'the default route' : `${nextHop.dst.ip}/${nextHop.dst.prefixLen}`} via ${nextHop.via} out of ${qr}, not on-link to the destination (no connected route to ${sn?.cidr ?? subnet}?)`;
  const claim = { says: byExtraRoute ? `is not routed by ${r.name}'s extra route` : nextHop === undefined ? `does not leave ${ns} through ${qr}` : `does not leave ${ns} through ${qr} on-link`, shownBy: (x: Trace) => !through(x) };
  return { property: ID, subject, verdict: 'violated', witness: t.packet, trace: t, claim,
    message: `${r.name} ${how}: ${sender}'s packet to ${target.label}${target.label === target.ip ? '' : ` (${target.ip})`} ${traceOutcome(t)}` };
}

export const gateway: PropertyCheck = {
  id: ID,
  description: "every port of a router's subnet reaches the subnet's gateway address on the router, the router's external gateway answers its external network, and its extra routes go to their next hops; on a provider network, every port reaches its gateway, the upstream router, and gets the reply back, and so does that router reach a router's interface beside it",
  async check(ctx) {
    const e = new Enc(await getZ3());
    const out: PropertyResult[] = [];
    const total = ctx.topology.routers.reduce((n, r) => n + r.interfaces.length + (r.gateway ? 1 : 0) + r.routes.length, 0);
    const ask = (subject: string, check: () => PropertyResult) => {
      tick(ctx, out.length, total, 'router interfaces, gateways and routes');
      out.push(owned(ctx, subject) ? check() : elsewhere(ID, subject));
    };
    for (const r of ctx.topology.routers) {
      for (const i of r.interfaces) ask(`router:${r.name}/${i.subnet}`, () => checkInterface(ctx, e, r, i));
      if (r.gateway) ask(`router:${r.name}/${r.gateway.subnet}`, () => checkExternalGateway(ctx, r, `router:${r.name}/${r.gateway!.subnet}`));
      for (const x of r.routes) ask(routeSubject(r, x), () => checkExtraRoute(ctx, r, x, routeSubject(r, x)));
    }
    return [...out, ...unrouted(ctx, e)];
  },
};

/**
 * The ports on subnets no router has an interface on, one `n/a` result per network saying how many —
 * but on a network the outside world is on, the ports whose gateway is its upstream router are asked,
 * also where a router has an interface on their subnet at another address (what the router's interface
 * answers says nothing of the way out through the provider bridge to that gateway).
 */
function unrouted(ctx: VerifyContext, e: Enc): PropertyResult[] {
  const routed = new Set(ctx.topology.routers.flatMap((r) => r.interfaces.map((i) => i.subnet)));
  const left = vmStations(ctx).filter((s) => !routed.has(portOf(ctx.topology, s)?.subnet ?? '') || upstreamOf(ctx, s) !== null);
  return [...byNetwork(left)].map(([net, on]) => {
    const subnets = [...new Set(on.map((s) => portOf(ctx.topology, s)?.subnet ?? '?'))].join(', ');
    // On a network the outside world is on, the gateway is its upstream router: asked (gateway-provider.ts).
    if (outsideStations(ctx).some((o) => o.network === net)) return owned(ctx, `network:${net}`) ? checkProviderGateway(ctx, e, net, on, subnets) : elsewhere(ID, `network:${net}`);
    return notApplicable(ID, `network:${net}`, `left out: ${portCount(on.length)} on ${subnets}, where no router has an interface`);
  });
}
