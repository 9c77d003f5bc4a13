// `ha-vrid-unique` (per HA network, subject `network:N`): no two HA routers on the network use the same
// VRID in their keepalived configurations (as parsed, not as the topology says), and it carries at
// most 254 HA routers (Neutron's VR_ID_RANGE 1–254). Two routers with one VRID on one HA network are
// one VRRP group to keepalived (Neutron's advertisements carry only the primary VIP 169.254.0.<vrid>,
// the same for both): one master among all their instances, so one of the routers has no master and
// its addresses are held nowhere. The witness is one router's advertisement reaching the other's
// instance, when the dataplane carries it there.
import type { ScenarioContext } from '../../scenario/context.ts';
import type { Trace } from '../../evaluate/trace.ts';
import { VRID_MAX } from '../../topology/ha.ts';
import type { PropertyResult } from '../property.ts';
import { holds } from './common.ts';

const ID = 'ha-vrid-unique';

function copiesOf(t: Trace): Trace[] {
  return [t, ...t.branches.flatMap(copiesOf)];
}

export function haVridUnique(ctx: ScenarioContext): PropertyResult[] {
  return ctx.topology.networks.filter((n) => n.ha).map((net): PropertyResult => {
    const subject = `network:${net.name}`;
    const routers = ctx.haRouters.filter((r) => r.router.ha?.network === net.name);
    // Each router's VRIDs as its instances' keepalived.conf say.
    const vridsOf = new Map(routers.map((r) => [r.router.name, [...new Set([...r.sites.values()].map((k) => ctx.vrrp.sites.get(k)?.instance.vrid ?? -1))]] as const));
    const byVrid = new Map<number, string[]>();
    for (const [name, vrids] of vridsOf) for (const v of vrids) byVrid.set(v, [...(byVrid.get(v) ?? []), name]);
    const clash = [...byVrid].find(([, names]) => names.length > 1);
    if (clash) {
      const [vrid, [a, b]] = clash as [number, [string, string]];
      const ra = routers.find((r) => r.router.name === a);
      const rb = routers.find((r) => r.router.name === b);
      const from = ra ? [...ra.sites.values()][0] : undefined;
      const to = rb ? [...rb.sites.values()][0] : undefined;
      const site = to ? ctx.vrrp.sites.get(to) : undefined;
      const t = from ? ctx.vrrp.adverts.get(from)?.trace ?? null : null;
      const trace = t && site ? (copiesOf(t).find((c) => c.deliveredTo?.kind === 'namespace' && c.deliveredTo.host === site.host && c.deliveredTo.namespace === site.namespace) ?? t) : t;
      const claim = { says: `reaches ${b}'s instance on ${site?.host ?? '?'}`, shownBy: (x: Trace) => copiesOf(x).some((c) => c.deliveredTo?.kind === 'namespace' && c.deliveredTo.host === site?.host && c.deliveredTo.namespace === site?.namespace) };
      return {
        property: ID, subject, verdict: 'violated', witness: trace?.packet ?? null, trace, claim,
        message: `${a} and ${b} both use VRID ${vrid} on ${net.name}: keepalived makes their instances one VRRP group (their advertisements carry the same primary VIP 169.254.0.${vrid}), so only one instance among them is master and one router is left without a master — its subnets lose their gateway and its floating IPs stop answering`,
      };
    }
    if (routers.length > VRID_MAX) {
      return { property: ID, subject, verdict: 'violated', witness: null, trace: null, message: `${routers.length} HA routers on ${net.name}: more than the ${VRID_MAX} VRIDs Neutron allocates` };
    }
    const list = [...vridsOf].map(([n, v]) => `${n} ${v.join('/')}`).join(', ');
    return holds(ID, subject, routers.length === 0 ? `no HA router on ${net.name}` : `each of the ${routers.length} HA routers on ${net.name} has a VRID of its own (${list})`);
  });
}
