// `gateway` for a router's external gateway (subject `router:R/SUBNET`, the gateway port's subnet):
// the router's gateway address is reachable from its external network and answers back — what an
// operator checks first after setting a gateway (`ping` it from a host on the external network), and
// what SNAT replies and floating IPs rely on. The upstream router on the gateway's subnet (the outside
// world's station there, sending from its own address: on-link, no routing outside the cloud
// involved) sends an ICMP echo request to the gateway address, which must be delivered to the
// router's namespace; the namespace's echo reply, routed and ARP-resolved as the namespace's own
// stack does (evaluator `sendFromNamespace`), must get back out to that network's outside world.
// Concrete evaluator traces (cheap: no solver). The reply is sent as a new packet, not in the
// request's conntrack session: Neutron's router rules never drop the router's own output.
// Then the router must send to another address of that subnet straight out of its qg- device, not by
// the upstream router (gateway-onlink.ts). A gateway on a subnet without a gateway address, or on a
// network with no outside world, has no upstream router on its link: `n/a`, saying which.
import type { RouterT } from '../../topology/model.ts';
import type { Trace } from '../../evaluate/trace.ts';
import { IP_PROTO } from '../../ir/packet.ts';
import { deviceName } from '../../render/names.ts';
import { inPrefix } from '../../net/ipv4.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { traceBetween } from '../trace.ts';
import { traceOutcome } from '../witness-replay.ts';
import { holds, notApplicable, outsideStations } from './common.ts';
import { copies } from './search.ts';
import { checkOnLink } from './gateway-onlink.ts';

const ID = 'gateway';

export function checkExternalGateway(ctx: VerifyContext, r: RouterT, subject: string): PropertyResult {
  const gw = r.gateway!;
  const ip = gw.port.ip;
  const ns = deviceName.qrouter(r.id);
  const o = outsideStations(ctx).find((s) => s.network === gw.network && inPrefix(ip, s.cidr.ip, s.cidr.prefixLen));
  if (o === undefined) {
    const why = outsideStations(ctx).some((s) => s.network === gw.network) ? `${gw.subnet} has no gateway address` : `${gw.network} has no outside world (no flat or VLAN segment on a physical network)`;
    return notApplicable(ID, subject, `${why}: no upstream router on the link of ${r.name}'s gateway ${ip} to reach it from`);
  }
  const upstream = `the upstream router of ${gw.network} (${o.gateway})`;
  const unknownOf = (t: Trace, what: string): PropertyResult => ({ property: ID, subject, verdict: 'unknown', witness: null, trace: t, message: `${what} only across something not modelled: ${t.uncertain.join('; ')}` });

  const request = traceBetween(ctx.topology, ctx.evaluator, { kind: 'outside', station: o, ip: o.gateway }, ip, { proto: 'icmp' });
  const arrived = copies(request).find((c) => c.disposition === 'delivered' && c.deliveredTo?.kind === 'namespace' && c.deliveredTo.namespace === ns);
  if (request.uncertain.length > 0) return unknownOf(request, `${upstream} ${arrived ? 'reaches' : 'does not reach'} ${ip}`);
  if (arrived === undefined || arrived.deliveredTo?.kind !== 'namespace') {
    const reaches = (t: Trace) => copies(t).some((c) => c.disposition === 'delivered' && c.deliveredTo?.kind === 'namespace' && c.deliveredTo.namespace === ns);
    return { property: ID, subject, verdict: 'violated', witness: request.packet, trace: request, claim: { says: `does not reach ${ip} in ${ns}`, shownBy: (t) => !reaches(t) },
      message: `${upstream} does not reach ${r.name}'s gateway ${ip}: ${traceOutcome(request)}` };
  }

  const asked = arrived.final;
  const reply = ctx.evaluator.sendFromNamespace(arrived.deliveredTo.host, ns, { ...asked, ip_src: asked.ip_dst, ip_dst: asked.ip_src, proto: IP_PROTO.icmp, icmp_type: 0, icmp_code: 0 });
  const back = (t: Trace) => copies(t).some((c) => (c.disposition === 'exited' || c.disposition === 'delivered') && c.deliveredTo?.kind === 'external' && c.deliveredTo.network === gw.network && c.final.ip_dst === o.gateway);
  if (reply.uncertain.length > 0) return unknownOf(reply, `${r.name}'s echo reply to ${o.gateway} ${back(reply) ? 'gets' : 'does not get'} back out`);
  if (!back(reply)) {
    return { property: ID, subject, verdict: 'violated', witness: reply.packet, trace: reply, claim: { says: `does not get back out to the outside world of ${gw.network}`, shownBy: (t) => !back(t) },
      message: `${upstream} reaches ${r.name}'s gateway ${ip}, but the echo reply ${ip} → ${o.gateway} does not get back out: ${traceOutcome(reply)}` };
  }
  const onLink = checkOnLink(ctx, r, o, arrived.deliveredTo.host, asked, subject);
  if (onLink.result !== null) return onLink.result;
  return holds(ID, subject, `${upstream} reaches ${ip} in ${ns} (ICMP echo request), and its echo reply gets back out; ${r.name} ${onLink.checked}`);
}
