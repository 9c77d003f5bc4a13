// `gateway` for a router's external gateway (subject `router:R/SUBNET`, the gateway port's subnet):
// the router's gateway address is reachable from its external network and answers back — what an
// operator checks first after setting a gateway (`ping` it from a host on the external network), and
// what SNAT replies and floating IPs rely on: the upstream router on the gateway's subnet pings the
// gateway address and gets the router's echo reply back (gateway-upstream.ts).
// Then the router must send to another address of that subnet straight out of its qg- device, not by
// the upstream router (gateway-onlink.ts). A gateway on a subnet without a gateway address, or on a
// network with no outside world, has no upstream router on its link: only the on-link part is asked, of
// another holder of the subnet (`checkOnLinkAlone`), and with none there the result is `n/a`, saying which.
import type { RouterT } from '../../topology/model.ts';
import { deviceName } from '../../render/names.ts';
import { inPrefix } from '../../net/ipv4.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { holds, notApplicable, outsideStations } from './common.ts';
import { checkOnLink, checkOnLinkAlone } from './gateway-onlink.ts';
import { subnetByRef } from '../../topology/lookup.ts';
import { upstreamEcho } from './gateway-upstream.ts';

const ID = 'gateway';

export function checkExternalGateway(ctx: VerifyContext, r: RouterT, subject: string): PropertyResult {
  const gw = r.gateway!;
  const ip = gw.port.ip;
  const ns = deviceName.qrouter(r.id);
  const o = outsideStations(ctx).find((s) => s.network === gw.network && inPrefix(ip, s.cidr.ip, s.cidr.prefixLen));
  if (o === undefined) {
    const why = subnetByRef(ctx.topology, gw.subnet)?.gateway === null ? `${gw.subnet} has no gateway address` : `${gw.network} has no outside world (no flat or VLAN segment on a physical network)`;
    const none = `${why}: no upstream router on the link of ${r.name}'s gateway ${ip} to reach it from`;
    // What the router reaches on that subnet all the same (its DHCP server, other routers), it reaches on-link.
    const onLink = checkOnLinkAlone(ctx, r, subject);
    if (onLink === null) return notApplicable(ID, subject, none);
    return onLink.result ?? holds(ID, subject, `${none}; ${r.name} ${onLink.checked}`);
  }
  const echo = upstreamEcho(ctx, r, o, ip, `${r.name}'s gateway ${ip}`, subject);
  if ('result' in echo) return echo.result;
  const upstream = `the upstream router of ${gw.network} (${o.gateway})`;
  const onLink = checkOnLink(ctx, r, o, echo.host, echo.asked, subject);
  if (onLink.result !== null) return onLink.result;
  return holds(ID, subject, `${upstream} reaches ${ip} in ${ns} (ICMP echo request), and its echo reply gets back out; ${r.name} ${onLink.checked}`);
}
