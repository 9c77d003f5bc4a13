// `gateway` for a network whose subnets' gateway is the upstream router, outside the cloud (a flat or VLAN
// provider network; subject `network:N`), for ports on subnets no router of the cloud has an interface on
// and on subnets where one has an interface at another address than the gateway's: one port of each
// class on a subnet the outside world is on pings its gateway address and gets the echo reply back, replayed
// in the request's conntrack session (bidirectional.ts `checkReply`) — what an operator tries first from a
// VM on a provider network, and what every reply from beyond that router relies on: frames from the
// physical network enter the provider bridge by its NORMAL flow and br-int by the segment's VLAN
// translation, and the upstream router's MAC is learned only from them. One port per class on each host
// (those are each host's own flows). Concrete evaluator traces (cheap: no solver). Ports on a subnet without a gateway address, or whose gateway is not the outside world's, are
// left out and counted; with none left the result is `n/a`, as before this check. A class whose own
// security groups do not let the echo out, stopped by its own firewall, is not asked (own-firewall.ts);
// nor is one whose stateless groups do not let the echo reply in (its own firewall drops it by intent).
// And per router interface on such a subnet, at another address than the gateway's: the upstream router
// pings it and gets the echo reply back (`checkProviderInterface`).
import type { RouterInterfaceT, RouterT } from '../../topology/model.ts';
import type { Trace } from '../../evaluate/trace.ts';
import { inPrefix } from '../../net/ipv4.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { traceBetween } from '../trace.ts';
import { checkReply } from '../bidirectional.ts';
import { traceOutcome } from '../witness-replay.ts';
import { groupPorts, holds, notApplicable, outsideStations, portCount, portLabel, type VmStation } from './common.ts';
import { copies } from './search.ts';
import { replyStoppedAsIntended, stoppedAsIntended } from './own-firewall.ts';
import type { Enc } from '../../smt/index.ts';
import { upstreamEcho } from './gateway-upstream.ts';

const ID = 'gateway';

type Outside = ReturnType<typeof outsideStations>[number];

/** The outside world's station a port's gateway is: on its network, its subnet's gateway address. */
export function upstreamOf(ctx: VerifyContext, s: VmStation): Outside | null {
  if (s.gateway === null) return null;
  return outsideStations(ctx).find((o) => o.network === s.network && o.gateway === s.gateway && inPrefix(s.ip, o.cidr.ip, o.cidr.prefixLen)) ?? null;
}

/** `ports`: the VM ports of `net` on subnets no router of the cloud has an interface on, or whose gateway is the upstream router. */
export function checkProviderGateway(ctx: VerifyContext, e: Enc, net: string, ports: readonly VmStation[], subnets: string): PropertyResult {
  const subject = `network:${net}`;
  const asked = ports.filter((s) => upstreamOf(ctx, s) !== null);
  const left = ports.length - asked.length;
  const leftOut = left === 0 ? '' : `; ${portCount(left)} left out (no gateway address, or a gateway that is not the upstream router's)`;
  if (asked.length === 0) return notApplicable(ID, subject, `left out: ${portCount(ports.length)} on ${subnets}, where no router has an interface (the gateway is the upstream router, outside the cloud, and no port's subnet has its address as gateway)`);
  // One port per class on each host: what brings the reply in (the provider bridge's flows, br-int's VLAN
  // translation, the MAC learned from the wire) is each host's own.
  const classes = groupPorts(ctx.topology, asked, (s) => s.host);
  const stopped: VmStation[] = [];
  // Classes whose echo reply came back to their own firewall, which their stateless groups keep shut to it.
  const shut: VmStation[] = [];
  for (const { rep } of classes) {
    const o = upstreamOf(ctx, rep)!;
    const from = { kind: 'port' as const, station: rep, ip: rep.ip };
    const request = traceBetween(ctx.topology, ctx.evaluator, from, o.gateway, { proto: 'icmp' });
    const reaches = (t: Trace) => copies(t).some((c) => (c.disposition === 'exited' || c.disposition === 'delivered') && c.deliveredTo?.kind === 'external' && c.deliveredTo.network === net && c.final.ip_dst === o.gateway);
    if (request.uncertain.length > 0) return unknownAcross(subject, request, `${portLabel(rep)}'s echo request to its gateway ${o.gateway}`);
    if (!reaches(request) && stoppedAsIntended(e, ctx, rep, request)) {
      stopped.push(rep);
      continue;
    }
    if (!reaches(request)) {
      return { property: ID, subject, verdict: 'violated', witness: request.packet, trace: request, claim: { says: `does not reach the upstream router ${o.gateway}`, shownBy: (t) => !reaches(t) },
        message: `${portLabel(rep)} does not reach its gateway, the upstream router ${o.gateway} of ${net}: ${traceOutcome(request)}` };
    }
    const r = checkReply(ctx.topology, ctx.dataplane, ctx.evaluator, from, { kind: 'external', network: net, ipDst: [{ ip: o.gateway, prefixLen: 32 }] }, request.packet);
    if (r.reply !== null && r.reply.uncertain.length > 0) return unknownAcross(subject, r.reply, `the echo reply from ${o.gateway} to ${portLabel(rep)}`);
    if (!r.ok && r.reply !== null && replyStoppedAsIntended(e, ctx, rep, r.reply)) {
      shut.push(rep);
      continue;
    }
    if (!r.ok) {
      const trace = r.reply ?? r.request;
      return { property: ID, subject, verdict: 'violated', witness: trace.packet, trace, claim: { says: 'does not get back to the port', shownBy: (t) => !backAt(t, rep) },
        message: `${portLabel(rep)} reaches its gateway, the upstream router ${o.gateway} of ${net}, but the echo reply does not get back: ${r.reply === null ? r.reason : traceOutcome(r.reply)}` };
    }
  }
  const excused = stopped.length === 0 ? '' : `; ${stopped.length === 1 ? 'a class' : `${stopped.length} classes`} (${stopped.slice(0, 3).map(portLabel).join(', ')}${stopped.length > 3 ? ', …' : ''}) not asked: ${stopped.length === 1 ? 'its' : 'their'} own security groups do not let an ICMP echo out, and ${stopped.length === 1 ? 'its' : 'their'} firewall stops it`;
  const shutText = shut.length === 0 ? '' : `; ${shut.length === 1 ? 'a class' : `${shut.length} classes`} (${shut.slice(0, 3).map(portLabel).join(', ')}${shut.length > 3 ? ', …' : ''}) ${shut.length === 1 ? 'gets its' : 'get their'} echo reply back only to ${shut.length === 1 ? 'its' : 'their'} own firewall: ${shut.length === 1 ? 'its' : 'their'} security groups are stateless and let no such reply in`;
  if (stopped.length === classes.length) return notApplicable(ID, subject, `no VM port on ${subnets} may send an ICMP echo to its gateway, the upstream router outside the cloud${excused}${leftOut}`);
  const reached = classes.filter((c) => !stopped.includes(c.rep) && !shut.includes(c.rep));
  if (reached.length === 0) return notApplicable(ID, subject, `no VM port on ${subnets} may have an ICMP echo to its gateway answered${excused}${shutText}${leftOut}`);
  const reachedPorts = reached.reduce((n, c) => n + c.members.length, 0);
  const checked = reached.length === reachedPorts ? portCount(reachedPorts) : `${portCount(reachedPorts)} (${reached.length} checked, one of each class on each host)`;
  const one = reachedPorts === 1;
  return holds(ID, subject, `${checked} on ${subnets} ${one ? 'reaches its' : 'reach their'} gateway, the upstream router outside the cloud (ICMP echo request), and ${one ? 'gets' : 'get'} its reply back through the connection's state${excused}${shutText}${leftOut}`);
}

function backAt(t: Trace, s: VmStation): boolean {
  return copies(t).some((c) => c.disposition === 'delivered' && c.deliveredTo?.kind === 'vm' && c.deliveredTo.vm === s.vm && c.deliveredTo.port === s.index);
}

function unknownAcross(subject: string, t: Trace, what: string): PropertyResult {
  return { property: ID, subject, verdict: 'unknown', witness: null, trace: t, message: `${what} crosses something not modelled: ${t.uncertain.join('; ')}` };
}

/**
 * A router's interface on a subnet whose gateway is the upstream router (the router holds another address
 * there, as beside a provider network's physical router): the upstream router, its neighbour on that link,
 * pings the interface's address and gets the echo reply back (gateway-upstream.ts) — what an operator
 * tries from the physical network, and what everything the router exchanges with that link relies on
 * (the ARP answers and replies of the upstream router and the hosts behind it enter by the provider
 * bridge's NORMAL flow and br-int's VLAN translation). No port's packet shows it: a request from a port
 * behind the router to the upstream router still leaves, flooded, when nothing from the physical network
 * enters the router's host. Null when no outside world is on the interface's subnet (its gateway is a
 * router of the cloud, it has none, or the network has no physical segment VMs sit on); else the
 * violated or unknown result, or what held.
 */
export function checkProviderInterface(ctx: VerifyContext, r: RouterT, iface: RouterInterfaceT, subject: string): { readonly result: PropertyResult } | { readonly text: string } | null {
  const ip = iface.port.ip;
  const o = outsideStations(ctx).find((s) => s.network === iface.network && inPrefix(ip, s.cidr.ip, s.cidr.prefixLen) && s.gateway !== ip);
  if (o === undefined) return null;
  const echo = upstreamEcho(ctx, r, o, ip, `${r.name}'s interface ${ip} on ${iface.subnet}`, subject);
  if ('result' in echo) return echo;
  return { text: `the upstream router of ${o.network} (${o.gateway}), ${iface.subnet}'s gateway, reaches ${r.name}'s interface ${ip} there (ICMP echo request), and its echo reply gets back out` };
}
