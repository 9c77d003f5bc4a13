// `gateway` for a router's extra routes (subject `router:R/route:DEST via NEXTHOP`): what the router
// routes to DEST goes to NEXTHOP. A VM port behind the router (on one of its subnets, with the router
// as its gateway) sends an ICMP echo request to an address of DEST that no more specific prefix the
// router knows of covers (its own subnets, its other extra routes); where the packet crosses the
// router's namespace, the route taken must be one via NEXTHOP — a route gone (the packet falls to the
// default route, out of the gateway) or pointing elsewhere is a violation with that trace. That the
// next hop then answers ARP, and what it does with the packet, is the next hop's business: a route to
// a next hop nobody answers for holds here, with the message saying so.
// Concrete evaluator traces (cheap: no solver), as the rest of `gateway`; the solver walks the same
// packets to the same ends (test/agreement: every VM to each extra route's destination).
// Ports whose packet never reaches the router (their own firewall stops it) say nothing; with no port
// behind the router getting there, or no address of DEST left to ask about, `n/a` says why.
import type { ExtraRouteT, RouterT, Topology } from '../../topology/model.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { Route } from '../../ir/dataplane.ts';
import { deviceName } from '../../render/names.ts';
import { formatIpv4, inPrefix, ipv4ToNumber, networkOf } from '../../net/ipv4.ts';
import { parseCidr } from '../../render/linux/addr.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { traceBetween } from '../trace.ts';
import { traceOutcome } from '../witness-replay.ts';
import { holds, notApplicable, portLabel, portOf, vmStations } from './common.ts';
import { copies } from './search.ts';

const ID = 'gateway';

export const routeSubject = (r: RouterT, x: ExtraRouteT): string => `router:${r.name}/route:${x.destination} via ${x.nexthop}`;

/** The prefixes the router knows that are at least as specific as `x`'s destination (its subnets, its other routes). */
function moreSpecific(topo: Topology, r: RouterT, x: ExtraRouteT): { ip: string; prefixLen: number }[] {
  const dest = parseCidr(x.destination);
  const subnets = [...r.interfaces, ...(r.gateway ? [r.gateway] : [])].flatMap((i) => {
    const s = topo.networks.find((n) => n.name === i.network)?.subnets.find((y) => y.name === i.subnet);
    return s ? [{ ip: s.networkAddress, prefixLen: s.prefixLen }] : [];
  });
  // Another route to the same destination (another next hop) competes with this one rather than
  // covering it: only longer prefixes count. A subnet of the router equal to the destination: its
  // connected route is no less specific, and which of the two the kernel keeps is not this route's to say.
  const routes = r.routes.map((y) => parseCidr(y.destination)).filter((p) => p.prefixLen > dest.prefixLen);
  return [...subnets.filter((p) => p.prefixLen >= dest.prefixLen), ...routes];
}

/** Destinations Linux never routes (martian: 0/8, 127/8, multicast, 240/4) or that are no unicast host (169.254/16 link-local). */
const UNROUTABLE: readonly { ip: string; prefixLen: number }[] = [
  { ip: '0.0.0.0', prefixLen: 8 }, { ip: '127.0.0.0', prefixLen: 8 }, { ip: '169.254.0.0', prefixLen: 16 }, { ip: '224.0.0.0', prefixLen: 3 },
];

/**
 * An address of `x`'s destination that no more specific prefix the router knows covers and that a
 * router forwards at all: its first, middle or last host address (or, for a default route, a quarter
 * of the way along), else null.
 */
export function routeProbeAddress(topo: Topology, r: RouterT, x: ExtraRouteT): string | null {
  const dest = parseCidr(x.destination);
  const base = networkOf(ipv4ToNumber(dest.ip), dest.prefixLen);
  const size = 2 ** (32 - dest.prefixLen);
  const offsets = size <= 2 ? [...Array(size).keys()] : [1, Math.floor(size / 2) + 1, size - 2, Math.floor(size / 4) + 1];
  const covered = [...moreSpecific(topo, r, x), ...UNROUTABLE];
  for (const off of offsets) {
    const ip = formatIpv4((base + off) >>> 0);
    if (!covered.some((c) => inPrefix(ip, c.ip, c.prefixLen))) return ip;
  }
  return null;
}

export function checkExtraRoute(ctx: VerifyContext, r: RouterT, x: ExtraRouteT, subject: string): PropertyResult {
  const ns = deviceName.qrouter(r.id);
  const dst = routeProbeAddress(ctx.topology, r, x);
  if (dst === null) return notApplicable(ID, subject, `every address of ${x.destination} tried lies in a more specific prefix ${r.name} routes`);
  const mine = new Set(r.interfaces.map((i) => i.port.ip));
  const senders = vmStations(ctx).filter((s) => s.gateway !== null && mine.has(s.gateway) && r.interfaces.some((i) => i.subnet === portOf(ctx.topology, s)?.subnet));
  if (senders.length === 0) return notApplicable(ID, subject, `no VM port behind ${r.name}: nothing to send to ${x.destination} through it`);
  const atRouter = (t: Trace) => copies(t).flatMap((c) => c.hops.filter((h) => h.device === ns));
  const routesTaken = (t: Trace): Route[] => atRouter(t).flatMap((h) => h.events.flatMap((e) => (e.kind === 'route' ? [e.route] : [])));
  const viaNextHop = (t: Trace) => routesTaken(t).some((rt) => rt.via === x.nexthop);
  for (const s of senders) {
    const t = traceBetween(ctx.topology, ctx.evaluator, { kind: 'port', station: s, ip: s.ip }, dst, { proto: 'icmp' });
    if (atRouter(t).length === 0) continue;
    if (t.uncertain.length > 0) {
      return { property: ID, subject, verdict: 'unknown', witness: null, trace: t, message: `${portLabel(s)}'s packet to ${dst} ${viaNextHop(t) ? 'is' : 'is not'} routed via ${x.nexthop} only across something not modelled: ${t.uncertain.join('; ')}` };
    }
    if (!viaNextHop(t)) {
      const taken = routesTaken(t)[0];
      const how = taken ? `routed ${taken.dst.prefixLen === 0 ? 'by the default route' : `by ${taken.dst.ip}/${taken.dst.prefixLen}`}${taken.via ? ` via ${taken.via}` : ''} out of ${taken.dev}` : 'not routed';
      return { property: ID, subject, verdict: 'violated', witness: t.packet, trace: t, claim: { says: `is not routed via ${x.nexthop} in ${ns}`, shownBy: (y) => !viaNextHop(y) },
        message: `${r.name} does not send what it routes to ${x.destination} to ${x.nexthop}: ${portLabel(s)}'s packet to ${dst} is ${how} (${traceOutcome(t)})` };
    }
    const answered = atRouter(t).some((h) => h.events.some((e) => e.kind === 'arp' && e.ip === x.nexthop && e.mac !== null));
    return holds(ID, subject, `${portLabel(s)}'s packet to ${dst} leaves ${ns} via ${x.nexthop}${answered ? '' : `, which answers no ARP there: ${traceOutcome(t)}`}`);
  }
  return notApplicable(ID, subject, `no packet of the ${senders.length} VM port${senders.length === 1 ? '' : 's'} behind ${r.name} to ${dst} gets as far as the router`);
}
