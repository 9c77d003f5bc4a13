// `security-groups` (per VM port with port security, subject `port:VM:N`, both directions): a packet
// enters or leaves the port only if its intent (sg-intent.ts, from the topology) allows it, and every
// first packet the intent allows gets through the port's own firewall. With the solver, first
// packets only (conntrack NEW):
// - soundness, egress: is there a packet the port may send that reaches any destination (delivered
//   or exited) although the intent does not allow it? A packet that passes the port's firewall but
//   dies later on its path is not seen (its end is elsewhere).
// - soundness, ingress: is there a packet from any sender (every other VM port class and the outside
//   world) delivered to the port that the intent does not allow, judged on the packet as delivered?
// - completeness (sg-completeness.ts), egress: is there a packet the port may send, allowed by the
//   intent, that its own qbr drops? ingress: is there a packet from any sender, addressed to the port
//   and allowed by the intent as it reaches the port's qbr, that the qbr drops? Only drops at the
//   port's own firewall count: a packet allowed here but stopped elsewhere (a router, another port's
//   firewall) is another property's business.
// Every violation carries a witness replayed through the evaluator; a disagreement is `unknown`.
// A direction the solver cannot decide (a rule not modelled on its paths) is `unknown` only when the other
// direction shows no violation: an undecided egress does not hide an ingress leak.
// One representative per class of ports (same network, groups, port security, address pairs, no
// floating IP, the same firewall rules programmed for it on its host and the same ipsets holding its
// address: firewall-fingerprint.ts) is checked, and the result names the ports it stands for. A port
// whose host's rules differ from its classmates' (one host's faulty or stale rules), or that a set
// leaves out, is a class of its own, checked on its own. Ports with port security off are left out,
// each said in an `n/a` result. Under another choice of HA masters, a class whose egress leaked under
// the first choice is violated here when the same witness, sent again, leaks here too (ends where it
// ended there: first-choice.ts); only the other classes are asked again.
import { protoName } from '../../report/packet-json.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { PortT } from '../../topology/model.ts';
import type { SourceSpec } from '../../smt/index.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { holds, notApplicable, outsideStations, portLabel, portOf, unenforced, sourceSpec, tick, vmStations, type VmStation, elsewhere, owned } from './common.ts';
import { allows } from './sg-intent.ts';
import { search, searchArriving, type EndPredicate, type SearchResult } from './search.ts';
import { notFound, violation } from './verdict.ts';
import { completenessViolation, droppedAllowed, firewallSite } from './sg-completeness.ts';
import { settledAtFirewalls, type Settled } from './sg-local.ts';
import { checkReplies } from './sg-replies.ts';
import { portClasses } from '../port-classes.ts';
import { foundFirst, keepFound } from './first-choice.ts';

const ID = 'security-groups';

const fields = (p: Trace['final']) => `proto ${protoName(p)}${p.dport !== null ? ` dport ${p.dport}` : ''}`;

type Found = Extract<SearchResult, { kind: 'found' }>;

/** An egress leak: the port sends a packet its groups do not allow, and it ends where the solver said (replayed). */
function egressLeak(ctx: VerifyContext, subject: string, s: VmStation, f: Found, stands: string): PropertyResult {
  return violation(ctx, ID, subject, f, (t) => `egress: ${portLabel(s)} sends ${t.packet.ip_dst} ${fields(t.packet)}, which no rule of its groups allows${unenforced(ctx.topology)}${stands}`);
}

/**
 * Under another choice of HA masters, the class's egress leak under the first choice, when its witness,
 * sent again here, ends where it ended there (delivered or exited: a leak whatever the masters, the
 * groups judging the packet as sent); null when it does not (the class is asked).
 */
function leakedAgain(ctx: VerifyContext, s: VmStation, stands: string): PropertyResult | null {
  const subject = `port:${portLabel(s)}`;
  const f = foundFirst<Found>(ctx, ID, subject);
  if (f === null) return null;
  const r = egressLeak(ctx, subject, s, f, stands);
  return r.verdict === 'violated' ? r : null;
}

/** What a class's result is made from besides its devices: the representative as the dataplane shows it, the ports it stands for, its firewall. */
const restKey = (s: VmStation, stands: string, site: ReturnType<typeof firewallSite>): string => JSON.stringify([s, stands, site]);

async function checkPort(ctx: VerifyContext, s: VmStation, port: PortT, stands: string, settled: Settled): Promise<PropertyResult> {
  const subject = `port:${portLabel(s)}`;
  const site = firewallSite(ctx, s);
  // Each search asks both halves at once (one solver check per sender): the end the witness takes
  // says which half it violates.
  const leaks: EndPredicate = (e, sent, _final, end) =>
    end.disposition === 'delivered' || end.disposition === 'exited' ? e.not(allows(e, ctx.topology, port, sent, 'egress')) : false;
  const blocksOut = droppedAllowed(ctx, port, site, 'egress');
  // The port's own firewall first (sg-local.ts): when it settles a direction, no whole-path search is
  // needed. Otherwise followed whole: a leak is a leak wherever its packet ends.
  const out = settled.egress ? null : await search(ctx, sourceSpec(ctx.topology, s), (e, sent, final, end) => e.or(leaks(e, sent, final, end), blocksOut(e, sent, final, end)), {}, 'whole');
  if (out?.kind === 'found') {
    if (out.end.disposition === 'dropped' && site !== null) return completenessViolation(ctx, ID, subject, s, port, site, 'egress', out, stands);
    const leak = egressLeak(ctx, subject, s, out, stands);
    if (leak.verdict === 'violated') keepFound(ctx, ID, subject, out);
    return leak;
  }
  // An egress the solver could not decide proves nothing either way, and hides nothing either: ingress is
  // still asked, and its violation (a witness, replayed) is the result; else the egress's unknown is.
  const u = out === null ? null : notFound(ID, subject, out, `egress from ${portLabel(s)}`);
  const complete = site !== null
    ? `, and every first packet they allow passes its firewall (${site.device}@${site.host})`
    : '; completeness not checked: the port has no hybrid firewall bridge';
  const rules = `no first packet leaves or enters ${portLabel(s)} unless its groups' rules or Neutron's per-port rules allow it${complete}`;
  // Replies, replayed once the first packets hold (sg-replies.ts).
  const replies = () => (site === null ? null : checkReplies(ctx, ID, subject, s, site, stands));
  if (settled.ingress) {
    if (u) return u;
    const r = replies();
    if (r?.violation) return r.violation;
    const h = holds(ID, subject, `${rules} (ingress checked at the firewall over every IPv4 packet from the network)${r?.said ?? ''}${stands}`);
    // Both directions settled by the port's own firewall: no first packet beyond it was followed, and
    // what the replies show is that firewall's treatment of them (sg-replies.ts).
    // Rests on the firewall bridge, its host's root namespace (whose hooks bridged packets cross) and the VM behind the tap.
    if (!settled.egress || site === null) return h;
    return { ...h, local: true, rests: { devices: [`${site.host}/${site.device}`, `${site.host}/root`, `${s.host}/vm:${s.vm}`], key: restKey(s, stands, site) } };
  }
  const senders = ingressSenders(ctx);
  const intrudes: EndPredicate = (e, _sent, final, end) => {
    const d = end.delivery;
    return end.disposition === 'delivered' && d?.kind === 'vm' && d.vm === s.vm && d.port === s.index ? e.not(allows(e, ctx.topology, port, final, 'ingress')) : false;
  };
  const blocksIn = droppedAllowed(ctx, port, site, 'ingress');
  // Every sender at once, over its ends delivered to the port or dropped at the port's qbr.
  const r = await searchArriving(ctx, senders, { vm: s.vm, port: s.index, portId: s.portId }, site === null ? null : `${site.host}/${site.device}`,
    (e, sent, final, end) => e.or(intrudes(e, sent, final, end), blocksIn(e, sent, final, end)));
  if (r.kind === 'found') {
    if (r.end.disposition === 'dropped' && site !== null) return completenessViolation(ctx, ID, subject, s, port, site, 'ingress', r, stands);
    return violation(ctx, ID, subject, r, (t) => `ingress: ${t.final.ip_src} reaches ${portLabel(s)} with ${fields(t.final)}, which no rule of its groups allows${unenforced(ctx.topology)}${stands}`);
  }
  if (u) return u;
  const v = notFound(ID, subject, r, `ingress to ${portLabel(s)}`);
  if (v) return v;
  const others = senders.filter((x) => !(x.station.kind === 'vm-port' && x.station.portId === s.portId)).length;
  const back = replies();
  if (back?.violation) return back.violation;
  return holds(ID, subject, `${rules} (ingress checked against ${others} senders)${back?.said ?? ''}${stands}`);
}

const sendersOf = new WeakMap<VerifyContext, SourceSpec[]>();

/**
 * The senders every port's ingress is checked against: one port per class (and a second one, so a
 * port's classmates are senders too when the port itself is its class's representative), and the
 * outside world.
 */
function ingressSenders(ctx: VerifyContext): SourceSpec[] {
  let out = sendersOf.get(ctx);
  if (!out) {
    const vms = portClasses(ctx.topology, ctx.dataplane, vmStations(ctx)).flatMap((g) => g.members.slice(0, 2));
    out = [...vms, ...outsideStations(ctx)].map((st) => sourceSpec(ctx.topology, st));
    sendersOf.set(ctx, out);
  }
  return out;
}

export const securityGroups: PropertyCheck = {
  id: ID,
  description: "a packet enters or leaves a port only if one of its groups' rules or Neutron's per-port rules allows it, and every packet they allow passes the port's firewall",
  async check(ctx) {
    const results: PropertyResult[] = [];
    const secured = vmStations(ctx).filter((s) => portOf(ctx.topology, s)?.portSecurity === true);
    const all = portClasses(ctx.topology, ctx.dataplane, secured);
    // A class is checked through its representative, whose subject the result is.
    const mine = new Set(all.filter((g) => owned(ctx, `port:${portLabel(g.rep)}`)));
    const standsOf = (g: (typeof all)[number]) => {
      const others = g.members.filter((m) => m !== g.rep).map(portLabel);
      return others.length > 0 ? `; also stands for ${others.join(', ')} (same class, same firewall rules)` : '';
    };
    const checked = new Map<(typeof all)[number], PropertyResult>();
    // A class settled at its firewall in another scenario, with the same devices and members here, is taken as it was.
    for (const g of all) {
      if (!mine.has(g)) continue;
      const r = ctx.reuse?.(`port:${portLabel(g.rep)}`, restKey(g.rep, standsOf(g), firewallSite(ctx, g.rep))) ?? leakedAgain(ctx, g.rep, standsOf(g));
      if (r !== null) checked.set(g, r);
    }
    const groups = all.filter((g) => mine.has(g) && !checked.has(g));
    const settled = await settledAtFirewalls(ctx, groups.map((g) => g.rep));
    for (const [i, g] of groups.entries()) {
      tick(ctx, i, groups.length, 'port classes');
      const port = portOf(ctx.topology, g.rep)!;
      checked.set(g, await checkPort(ctx, g.rep, port, standsOf(g), settled[i]!));
    }
    for (const g of all) results.push(checked.get(g) ?? elsewhere(ID, `port:${portLabel(g.rep)}`));
    // Ports without port security have no firewall to check: each is left out, said in an `n/a` result.
    const open = vmStations(ctx).filter((s) => portOf(ctx.topology, s)?.portSecurity === false);
    for (const s of open) results.push(notApplicable(ID, `port:${portLabel(s)}`, `left out: port security is off on ${portLabel(s)} (no security group applies, and it may send from any address)`));
    return results;
  },
};
