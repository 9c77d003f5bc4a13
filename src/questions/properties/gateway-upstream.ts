// The echo exchange between the upstream router (the outside world's station on a subnet whose gateway
// is outside the cloud) and an address a Neutron router holds on that subnet — its external gateway
// (gateway-outside.ts) or an interface on a provider subnet (gateway-provider.ts `checkProviderInterface`).
// The upstream router sends an ICMP echo request from its own address (on-link: no routing outside the
// cloud involved) to the router's address, which must be delivered to the router's namespace; the
// namespace's echo reply, routed and ARP-resolved as the namespace's own stack does (evaluator
// `sendFromNamespace`), must get back out to that network's outside world. Concrete evaluator traces
// (cheap: no solver). The reply is sent as a new packet, not in the request's conntrack session:
// Neutron's router rules never drop the router's own output.
import type { RouterT } from '../../topology/model.ts';
import type { Packet } from '../../ir/packet.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { OutsideStation } from '../../semantics/topology-index.ts';
import { IP_PROTO } from '../../ir/packet.ts';
import { deviceName } from '../../render/names.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { traceBetween } from '../trace.ts';
import { traceOutcome } from '../witness-replay.ts';
import { copies } from './search.ts';

const ID = 'gateway';

/** The exchange done: the request as it arrived in the router's namespace, and on which host. */
export interface EchoAnswered {
  readonly host: string;
  readonly asked: Packet;
}

/**
 * `o` pings `ip`, an address of router `r` on `o`'s subnet (`what` names it in messages: "router1's
 * gateway 203.0.113.10"): the violated or unknown result for `subject` when the request is not delivered
 * to the router's namespace or the reply does not get back out to `o`'s network, else how it was answered.
 */
export function upstreamEcho(ctx: VerifyContext, r: RouterT, o: OutsideStation, ip: string, what: string, subject: string): { readonly result: PropertyResult } | EchoAnswered {
  const ns = deviceName.qrouter(r.id);
  const upstream = `the upstream router of ${o.network} (${o.gateway})`;
  const unknownOf = (t: Trace, text: string): { result: PropertyResult } => ({ result: { property: ID, subject, verdict: 'unknown', witness: null, trace: t, message: `${text} only across something not modelled: ${t.uncertain.join('; ')}` } });

  const request = traceBetween(ctx.topology, ctx.evaluator, { kind: 'outside', station: o, ip: o.gateway }, ip, { proto: 'icmp' });
  const arrived = copies(request).find((c) => c.disposition === 'delivered' && c.deliveredTo?.kind === 'namespace' && c.deliveredTo.namespace === ns);
  if (request.uncertain.length > 0) return unknownOf(request, `${upstream} ${arrived ? 'reaches' : 'does not reach'} ${ip}`);
  if (arrived === undefined || arrived.deliveredTo?.kind !== 'namespace') {
    const reaches = (t: Trace) => copies(t).some((c) => c.disposition === 'delivered' && c.deliveredTo?.kind === 'namespace' && c.deliveredTo.namespace === ns);
    return { result: { property: ID, subject, verdict: 'violated', witness: request.packet, trace: request, claim: { says: `does not reach ${ip} in ${ns}`, shownBy: (t) => !reaches(t) },
      message: `${upstream} does not reach ${what}: ${traceOutcome(request)}` } };
  }

  const asked = arrived.final;
  const reply = ctx.evaluator.sendFromNamespace(arrived.deliveredTo.host, ns, { ...asked, ip_src: asked.ip_dst, ip_dst: asked.ip_src, proto: IP_PROTO.icmp, icmp_type: 0, icmp_code: 0 });
  const back = (t: Trace) => copies(t).some((c) => (c.disposition === 'exited' || c.disposition === 'delivered') && c.deliveredTo?.kind === 'external' && c.deliveredTo.network === o.network && c.final.ip_dst === o.gateway);
  if (reply.uncertain.length > 0) return unknownOf(reply, `${r.name}'s echo reply to ${o.gateway} ${back(reply) ? 'gets' : 'does not get'} back out`);
  if (!back(reply)) {
    return { result: { property: ID, subject, verdict: 'violated', witness: reply.packet, trace: reply, claim: { says: `does not get back out to the outside world of ${o.network}`, shownBy: (t) => !back(t) },
      message: `${upstream} reaches ${what}, but the echo reply ${ip} → ${o.gateway} does not get back out: ${traceOutcome(reply)}` } };
  }
  return { host: arrived.deliveredTo.host, asked };
}
