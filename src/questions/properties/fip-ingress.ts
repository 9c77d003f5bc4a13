// `fip-ingress` (per floating IP, subject `fip:IP`): a packet from outside addressed to a floating IP
// reaches, if any port, only the associated port, with the destination rewritten to its fixed IP, and
// is never kept by a namespace (the router's own stack, where a missing DNAT leaves it) when it opens a
// connection; and packets from outside do reach it.
// How: one solver search over every packet the outside world of the FIP's external network may send
// to the FIP: a violation is a delivery to another VM port, to the associated port with a final
// destination other than its fixed address, or to a namespace. And something must arrive at the port
// (fip-reach.ts): a floating IP nothing reaches is no floating IP. And a packet sent to it from behind
// its router arrives source-NATed by the router (fip-hairpin.ts), so the answer goes back through it.
// A floating IP with port forwardings instead (no port of its own) is checked by fip-forwarding.ts.
import type { FloatingIpT } from '../../topology/model.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { holds, outsideFor, outsideOn, tick, unknown, elsewhere, owned } from './common.ts';
import { ipNum, opensConnection, search } from './search.ts';
import { notFound, violation } from './verdict.ts';
import { unreachableFip } from './fip-reach.ts';
import { hairpin } from './fip-hairpin.ts';
import { checkForwardedFip, forwardedFloatingIps } from './fip-forwarding.ts';

const ID = 'fip-ingress';

async function checkFip(ctx: VerifyContext, f: FloatingIpT): Promise<PropertyResult> {
  const subject = `fip:${f.ip}`;
  // The outside world on the floating IP's own subnet (an external network may have several): from
  // another subnet's upstream router no packet to the floating IP starts at all, and the proof was empty.
  const outside = outsideOn(ctx.dataplane.stations, f.network, f.ip);
  // From inside the cloud (hairpin): a concrete violation stands whatever the outside world is.
  const inside = hairpin(ctx, ID, f);
  if (!outside && !outsideFor(ctx.dataplane.stations, f.network, f.ip)) return inside.result ?? unknown(ID, subject, `no outside world on ${f.network} to send from`);
  // On a subnet without an upstream router (no gateway), how the outside world reaches the address is
  // not modelled: nothing would be sent to it, and a proof over nothing is none.
  if (!outside) return inside.result ?? unknown(ID, subject, `${f.ip}'s subnet of ${f.network} has no gateway: no upstream router sends to it, so nothing from outside is followed to it`);
  const owner = `${f.vm}:${f.portIndex}`;
  const res = await search(ctx, { station: outside }, (e, sent, final, end) => {
    const d = end.delivery;
    if (end.disposition !== 'delivered') return false;
    // Kept by a namespace (the router's own stack) rather than rewritten: the DNAT is missing there.
    // Only for a packet that opens a connection: one conntrack finds INVALID (an unsolicited echo
    // reply) is never NATed and goes to the router's stack on any real router.
    if (d?.kind === 'namespace') return opensConnection(e, sent);
    if (d?.kind !== 'vm') return false;
    if (d.vm !== f.vm || d.port !== f.portIndex) return true;
    return e.not(e.eq(final.ip_dst, ipNum(f.fixedIp), 32));
  }, { ipDst: [{ ip: f.ip, prefixLen: 32 }] });
  if (res.kind === 'found') {
    return violation(ctx, ID, subject, res, (t) => {
      const d = t.deliveredTo;
      if (d?.kind === 'namespace') return `a packet to ${f.ip} is delivered to ${d.namespace} on ${d.host} itself, not rewritten to ${owner}'s fixed IP ${f.fixedIp}`;
      const at = d?.kind === 'vm' ? `${d.vm}:${d.port}` : 'somewhere';
      return at === owner ? `a packet to ${f.ip} reaches ${owner} addressed to ${t.final.ip_dst}, not its fixed IP ${f.fixedIp}` : `a packet to ${f.ip} reaches ${at}, not only ${owner}`;
    });
  }
  const also = inside.checked === null ? '' : `; ${inside.checked}`;
  return inside.result ?? unreachableFip(ctx, ID, f, outside) ?? notFound(ID, subject, res, `packets to ${f.ip} from ${outside.gateway}`) ?? holds(ID, subject, `every packet from outside (${f.network}) to ${f.ip} reaches only ${owner}, addressed to ${f.fixedIp}${also}`);
}

export const fipIngress: PropertyCheck = {
  id: ID,
  description: 'a packet from outside to a floating IP reaches only its port, with the destination rewritten to the fixed IP, never the router itself; through a floating IP with port forwardings, only by a forwarding, and each forwarding works',
  async check(ctx) {
    const out: PropertyResult[] = [];
    const forwarded = forwardedFloatingIps(ctx.topology.portForwardings);
    const total = ctx.topology.floatingIps.length + forwarded.length;
    for (const [i, f] of ctx.topology.floatingIps.entries()) {
      tick(ctx, i, total, 'floating IPs');
      out.push(owned(ctx, `fip:${f.ip}`) ? await checkFip(ctx, f) : elsewhere(ID, `fip:${f.ip}`));
    }
    for (const [i, pfs] of forwarded.entries()) {
      const subject = `fip:${pfs[0]!.floatingIp}`;
      tick(ctx, ctx.topology.floatingIps.length + i, total, 'floating IPs');
      out.push(owned(ctx, subject) ? await checkForwardedFip(ctx, ID, pfs) : elsewhere(ID, subject));
    }
    return out;
  },
};
