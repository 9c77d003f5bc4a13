// `ha-single-master` (per HA router, per scenario, subject `router:R`): in every state VRRP can settle
// in (src/scenario/election.ts, from who hears whose advertisements on the dataplane), exactly one live
// instance of the router is master and holds its addresses. Violated, with both masters named, when the
// HA network between live instances is partitioned (each side elects its own: split brain, both
// answering for the router's addresses); violated when it is cut in one direction only (VRRP then settles on
// one master by the tie-break on addresses, but whenever the unheard instance is master the other becomes
// master too until it is heard); violated when the router can be left without a master (its
// VRID is another router's on the same HA network: keepalived makes them one group, and one master
// among all of their instances). A router whose every instance is down has no master to check (n/a). In the
// scenario without failures, a written observed state (`ha_state`) VRRP cannot reach is a finding too.
// The witness is a VRRP advertisement and its trace: where it stops (a partition) or whom it reaches.
import type { Trace } from '../../evaluate/trace.ts';
import type { ScenarioContext, HaRouterView } from '../../scenario/context.ts';
import type { PropertyResult } from '../property.ts';
import { holds, notApplicable, unknown } from './common.ts';

const ID = 'ha-single-master';

function copiesOf(t: Trace): Trace[] {
  return [t, ...t.branches.flatMap(copiesOf)];
}

/** Every combination of states of the router's groups: the router's masters in each, as site keys. */
export function masterSets(ctx: ScenarioContext, r: HaRouterView): string[][] {
  let combos: string[][] = [[]];
  for (const g of r.groups) combos = combos.flatMap((c) => (ctx.states[g] ?? []).map((s) => [...c, ...s]));
  const mine = new Set(r.sites.values());
  return combos.map((c) => c.filter((k) => mine.has(k)));
}

const hostOf = (key: string) => key.split('/')[0] ?? key;

/** The copy of `from`'s advertisement that shows why `to` does not hear it: the one that stopped on the way there. */
function missedCopy(ctx: ScenarioContext, from: string, to: string): Trace | null {
  const t = ctx.vrrp.adverts.get(from)?.trace;
  if (!t) return null;
  const dropped = copiesOf(t).filter((c) => c.disposition !== 'delivered' && c.disposition !== 'exited');
  const toHost = hostOf(to);
  // When `to`'s own advertisement reaches `from`, the copy that stops on a device it crossed is the one
  // that went the way it should have, the farthest along (the tunnel bridge, not br-ex, which drops every
  // copy by design, nor a flood copy back into br-int).
  const fromSite = ctx.vrrp.sites.get(from);
  const backTrace = ctx.vrrp.adverts.get(to)?.trace;
  const back = backTrace ? copiesOf(backTrace).find((c) => c.deliveredTo?.kind === 'namespace' && c.deliveredTo.host === fromSite?.host && c.deliveredTo.namespace === fromSite?.namespace) : undefined;
  const crossed = new Set(back ? back.hops.map((h) => `${h.host} ${h.device}`) : []);
  const onTheWay = dropped.filter((c) => { const last = c.hops.at(-1); return last !== undefined && crossed.has(`${last.host} ${last.device}`); })
    .sort((a, b) => b.hops.length - a.hops.length)[0];
  return dropped.find((c) => (c.droppedAt?.rule ?? '').includes(toHost)) ?? onTheWay ?? dropped.sort((a, b) => b.hops.length - a.hops.length)[0] ?? t;
}

/** The copy of `from`'s advertisement delivered to `to`'s namespace. */
function heardCopy(ctx: ScenarioContext, from: string, to: string): Trace | null {
  const t = ctx.vrrp.adverts.get(from)?.trace;
  const site = ctx.vrrp.sites.get(to);
  if (!t || !site) return null;
  return copiesOf(t).find((c) => c.deliveredTo?.kind === 'namespace' && c.deliveredTo.host === site.host && c.deliveredTo.namespace === site.namespace) ?? t;
}

/**
 * Split brain as an operator meets it, from what each master's parsed keepalived.conf brings up: the
 * devices that answer ARP for the router's addresses on every master at once, and where traffic goes.
 */
export function splitBrainStory(ctx: ScenarioContext, masters: readonly string[]): string {
  const sites = masters.map((k) => ctx.vrrp.sites.get(k)).filter((x) => x !== undefined);
  const first = sites[0];
  if (!first) return '';
  const byDev = new Map<string, string[]>();
  for (const a of first.instance.excludedVips) byDev.set(a.dev, [...(byDev.get(a.dev) ?? []), a.ip]);
  const mac = (dev: string) => ctx.dataplane.hosts.find((h) => h.name === first.host)?.namespaces.find((n) => n.name === first.namespace)?.interfaces.find((i) => i.name === dev)?.mac;
  const said = (d: string) => `${d}${mac(d) ? ` (${mac(d)})` : ''} answers ARP for ${byDev.get(d)!.join(', ')}`;
  const ext = [...byDev.keys()].filter((d) => d.startsWith('qg-'));
  const int = [...byDev.keys()].filter((d) => d.startsWith('qr-'));
  const parts: string[] = [];
  if (ext.length > 0) parts.push(`${ext.map(said).join(', ')} on the external network: a packet from outside to these addresses goes to whichever node the external switch last learned that MAC on (it moves with each gratuitous ARP)`);
  if (int.length > 0) parts.push(`${int.map(said).join(', ')}: a VM's packets go to the master its compute node last learned that MAC from`);
  if (parts.length === 0) return ', both answering for the router\'s addresses';
  return `. On ${sites.map((x) => x.host).join(' and ')} alike, ${parts.join('; ')}; a connection that changes master midway meets a conntrack table that never saw it (dropped as INVALID, or SNATed anew)`;
}

function checkRouter(ctx: ScenarioContext, r: HaRouterView, withObserved: boolean): PropertyResult {
  const subject = `router:${r.router.name}`;
  const name = r.router.name;
  if (r.sites.size === 0) return notApplicable(ID, subject, `no live instance of ${name} in this scenario: the router is down (the ordinary properties show what it takes along)`);
  const caveats = ctx.vrrp.caveats.filter((c) => [...r.sites.values()].some((k) => c.includes(k)));
  if (caveats.length > 0) return unknown(ID, subject, `VRRP of ${name} is not fully modelled: ${caveats.join('; ')}`);
  if (r.groups.some((g) => !ctx.groups[g]?.complete)) return unknown(ID, subject, `too many keepalived instances in ${name}'s VRRP group to enumerate every state`);
  const sets = masterSets(ctx, r);
  const split = sets.find((s) => s.length > 1);
  if (split) {
    const [a, b] = split as [string, string];
    const trace = missedCopy(ctx, a, b);
    const bSite = ctx.vrrp.sites.get(b);
    const claim = { says: `stops before ${hostOf(b)}'s instance hears it`, shownBy: (t: Trace) => !copiesOf(t).some((c) => c.deliveredTo?.kind === 'namespace' && c.deliveredTo.host === bSite?.host && c.deliveredTo.namespace === bSite?.namespace) };
    return {
      property: ID, subject, verdict: 'violated', witness: trace?.packet ?? null, trace, claim,
      message: `${name} can have ${split.length} masters at once, on ${split.map(hostOf).join(' and ')}: their instances do not hear each other's VRRP advertisements (${trace?.droppedAt?.rule ?? 'they never arrive'}), so each side elects its own — split brain${splitBrainStory(ctx, split)}`,
      masters: { [name]: split.map(hostOf) },
    };
  }
  const none = sets.findIndex((s) => s.length === 0);
  if (none >= 0) {
    const g = ctx.groups[r.groups[0] ?? -1];
    const others = g ? g.members.filter((k) => ![...r.sites.values()].includes(k)) : [];
    const rival = others[0];
    const rivalNs = rival ? ctx.vrrp.sites.get(rival)?.namespace : undefined;
    const rivalName = ctx.haRouters.find((x) => x.namespace === rivalNs)?.router.name ?? rivalNs ?? 'another router';
    const mine = ctx.vrrp.sites.get([...r.sites.values()][0] ?? '');
    const trace = rival ? heardCopy(ctx, rival, [...r.sites.values()][0] ?? '') : null;
    const claim = { says: `reaches ${name}'s instance on ${mine?.host ?? '?'}`, shownBy: (t: Trace) => copiesOf(t).some((c) => c.deliveredTo?.kind === 'namespace' && c.deliveredTo.host === mine?.host && c.deliveredTo.namespace === mine?.namespace) };
    return {
      property: ID, subject, verdict: 'violated', witness: trace?.packet ?? null, trace, claim,
      message: `${name} can be left without a master: its instances hear ${rivalName}'s advertisements with the same VRID ${g?.vrid ?? '?'}, so keepalived makes them one VRRP group with one master among all ${g?.members.length ?? '?'} instances; while ${rivalName} holds it, no instance of ${name} holds its addresses`,
    };
  }
  const deaf = oneWay(ctx, r);
  if (deaf !== null) {
    const { from, to } = deaf;
    const trace = missedCopy(ctx, from, to);
    const toSite = ctx.vrrp.sites.get(to);
    const claim = { says: `stops before ${hostOf(to)}'s instance hears it`, shownBy: (t: Trace) => !copiesOf(t).some((c) => c.deliveredTo?.kind === 'namespace' && c.deliveredTo.host === toSite?.host && c.deliveredTo.namespace === toSite?.namespace) };
    return {
      property: ID, subject, verdict: 'violated', witness: trace?.packet ?? null, trace, claim,
      message: `${name}'s instance on ${hostOf(to)} does not hear ${hostOf(from)}'s VRRP advertisements (${stopText(trace)}), though ${hostOf(from)} hears ${hostOf(to)}'s: whenever ${hostOf(from)} is master — while ${hostOf(to)}'s keepalived was down, or from a simultaneous start — ${hostOf(to)}'s master-down timer fires and it becomes master too, two masters at once until ${hostOf(from)} hears it and steps down, and the router moves each time; VRRP settles on one master only because of the tie-break on addresses`,
      masters: { [name]: [hostOf(from), hostOf(to)] },
    };
  }
  const observed = Object.entries(r.router.ha?.observed ?? {});
  if (withObserved && observed.length > 0) {
    const active = observed.filter(([, s]) => s === 'active').map(([h]) => h).sort();
    const allowed = sets.map((s) => s.map(hostOf).sort());
    if (!allowed.some((s) => s.join(',') === active.join(','))) {
      const said = observed.map(([h, s]) => `${h} ${s}`).join(', ');
      return {
        property: ID, subject, verdict: 'violated', witness: null, trace: null,
        message: `the observed state of ${name} (${said}) is not one VRRP can settle in on this dataplane; it can only have ${allowed.map((s) => s.join(' and ') || 'no master').map((s) => `${s} active`).join(', or ')}`,
      };
    }
  }
  const hosts = [...r.sites.keys()];
  return holds(ID, subject, hosts.length === 1
    ? `${name}'s one live instance, on ${hosts[0]}, is its master`
    : `${name}'s ${hosts.length} live instances (${hosts.join(', ')}) hear each other's VRRP advertisements: exactly one is master in every state VRRP can reach (${sets.length})`);
}

/** Where a copy stops, with its host and device: `network1 br-tun: table 2: no flow matched`. */
function stopText(t: Trace | null): string {
  const last = t?.hops.at(-1);
  if (!t || !last || !t.droppedAt) return 'they never arrive';
  return `${last.host} ${last.device}: ${t.droppedAt.rule}`;
}

/**
 * Two live instances of the router where one hears the other's advertisements and not the reverse (the
 * HA network cut in one direction): VRRP still settles on one master, since the deaf one wins the
 * tie-break, but every time the other is master both are for a while. Null when every instance hears
 * every other (both ways cut is a split brain, found before as two masters in a stable state).
 */
function oneWay(ctx: ScenarioContext, r: HaRouterView): { from: string; to: string } | null {
  const keys = [...r.sites.values()];
  const hears = (a: string, b: string) => ctx.vrrp.adverts.get(b)?.heardBy.has(a) ?? false;
  for (const from of keys) for (const to of keys) if (from !== to && !hears(to, from) && hears(from, to)) return { from, to };
  return null;
}

export function haSingleMaster(ctx: ScenarioContext, withObserved: boolean): PropertyResult[] {
  return ctx.haRouters.map((r) => checkRouter(ctx, r, withObserved));
}
