// `nat-egress` (per router with a gateway, subject `router:R`): every packet from a tenant port behind
// the router that leaves the cloud through the router's external network (or that a namespace takes
// from a router's gateway port there — the network's DHCP server, another router's gateway address —
// which sees what the wire carries: on an external subnet without a gateway that is all a router's qg-
// port can reach) carries as its source a
// floating IP bound to that port or the router's SNAT (qg-) address — for a packet sent from the fixed
// address a floating IP on that network is bound to, that floating IP only (Neutron's float-snat rule,
// `-s FIXED/32 -j SNAT --to-source FIP`, comes before the router's SNAT). A packet the port sends from
// another address (an allowed address pair's, a keepalived VIP; any, without port security) matches no
// float-snat rule, and the router's SNAT address is what it leaves with (or the port's floating IP).
// How: per source port (one representative per class; a port with a floating IP is its own class),
// a solver search for an `exited` end on the router's external network whose final source address is
// none of the allowed ones. The symbolic end does not name the router it crossed, so the allowed set
// is the port's floating IPs plus the qg- address of every router with a gateway on that network and
// an interface on the port's subnet (normally just this one; the message says when it is more).
// A class that leaks is asked again past the sources found (`furtherSources`), so the message names
// every way it leaks (up to three sources), not the first alone.
// Only packets that open a connection count: Linux never NATs a packet conntrack finds INVALID (an
// unsolicited ICMP echo reply), so such a packet leaves un-translated on any real router. Packets are
// followed through other routers that route them on (search.ts's `near` scope stops only at a router
// that can just deliver them locally or into its own subnets, where nothing leaves the cloud).
// And something must leave: a router that lets nothing out (its default route gone) violates the
// property rather than holding it vacuously (`nothingLeaves`, evaluator traces); and the answer to
// what leaves must come back, NAT undone (`replyLost`: a route to the port's subnet gone) — up to the
// port's own firewall, which for a port in stateless groups lets in only what a rule allows (own-firewall.ts).
// Ports behind no router with a gateway are left out, counted in an `n/a` result per network.
import type { FloatingIpT, RouterT, Topology } from '../../topology/model.ts';
import type { Trace } from '../../evaluate/trace.ts';
import { deviceName } from '../../render/names.ts';
import type { PacketFields } from '../packet.ts';
import { traceBetween } from '../trace.ts';
import { checkReply } from '../bidirectional.ts';
import { traceOutcome } from '../witness-replay.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { internetFor, byNetwork, coverage, groupPorts, holds, notApplicable, outsideStations, portLabel, portOf, portCount, sourceSpec, vmStations, type VmStation, elsewhere, owned } from './common.ts';
import { copies, ipNum, macNum, opensConnection, searchAll, type SearchAsk, type SearchResult } from './search.ts';
import { notFound, violation } from './verdict.ts';
import { replyStoppedAsIntended } from './own-firewall.ts';
import { Enc, getZ3 } from '../../smt/index.ts';

const ID = 'nat-egress';

function routersServing(topo: Topology, s: VmStation, network: string, index: PlanIndex | null): RouterT[] {
  const subnet = portOf(topo, s)?.subnet;
  if (index !== null) return subnet === undefined ? [] : (index.routersOn.get(subnet) ?? []).filter((r) => r.gateway?.network === network);
  return topo.routers.filter((r) => r.gateway?.network === network && r.interfaces.some((i) => i.subnet === subnet));
}

/** Index the plans read (`PlanIndex`) rather than scan per router and class (off: the scans, for the test comparing the two). */
export const natPlanIndexSwitch = { on: true };

/**
 * What `plan` looks up, built once per check: the VM ports by subnet (with their place in the
 * dataplane's station order), the routers with an interface on each subnet and the floating IPs of
 * each port, each list in the order a scan would give. Why: a scan of every port per router and of
 * every router and floating IP per class grew as routers × ports (0.05 s at 1,000 VMs, 0.5 s at 3,000).
 */
export interface PlanIndex {
  readonly vmsOn: ReadonlyMap<string, readonly { readonly at: number; readonly s: VmStation }[]>;
  readonly routersOn: ReadonlyMap<string, readonly RouterT[]>;
  readonly fipsOf: ReadonlyMap<string, readonly FloatingIpT[]>;
}

export function planIndex(topo: Topology, vms: readonly VmStation[]): PlanIndex {
  const vmsOn = new Map<string, { at: number; s: VmStation }[]>();
  for (const [at, s] of vms.entries()) {
    const k = portOf(topo, s)?.subnet ?? '';
    let l = vmsOn.get(k);
    if (l === undefined) vmsOn.set(k, (l = []));
    l.push({ at, s });
  }
  const routersOn = new Map<string, RouterT[]>();
  for (const r of topo.routers) {
    for (const subnet of new Set(r.interfaces.map((i) => i.subnet))) {
      let l = routersOn.get(subnet);
      if (l === undefined) routersOn.set(subnet, (l = []));
      l.push(r);
    }
  }
  const fipsOf = new Map<string, FloatingIpT[]>();
  for (const f of topo.floatingIps) {
    let l = fipsOf.get(f.portId);
    if (l === undefined) fipsOf.set(f.portId, (l = []));
    l.push(f);
  }
  return { vmsOn, routersOn, fipsOf };
}

/** The VM ports on one of `subnets`, in station order. */
function portsOn(topo: Topology, vms: readonly VmStation[], index: PlanIndex | null, subnets: ReadonlySet<string>): VmStation[] {
  if (index === null) return vms.filter((s) => subnets.has(portOf(topo, s)?.subnet ?? ''));
  const lists = [...subnets].map((k) => index.vmsOn.get(k) ?? []);
  return lists.length === 1 ? lists[0]!.map((x) => x.s) : lists.flat().sort((a, b) => a.at - b.at).map((x) => x.s);
}

/** What one router's check asks: per class of ports behind it, its representative and the sources it may leave with. */
export interface RouterPlan {
  readonly r: RouterT;
  readonly behind: number;
  readonly reps: readonly { rep: VmStation; allowed: Allowed }[];
  readonly shared: boolean;
}

/**
 * The sources a port's packet may leave with, by the address it was sent from: from a fixed address a
 * floating IP is bound to, that floating IP; from any other, the SNAT addresses or the port's floating IPs.
 */
export interface Allowed {
  /** Each fixed address with a floating IP on the network, and the floating IPs it leaves with. */
  readonly fixed: readonly { readonly ip: string; readonly fips: readonly string[] }[];
  readonly other: readonly string[];
}

const allowedFrom = (a: Allowed, sentFrom: string): readonly string[] => a.fixed.find((f) => f.ip === sentFrom)?.fips ?? a.other;

/** One router's plan (`index` null: found by scans, as `natPlanIndexSwitch` off asks). */
export function plan(topo: Topology, vms: readonly VmStation[], index: PlanIndex | null, r: RouterT): RouterPlan {
  const gw = r.gateway!;
  const subnets = new Set(r.interfaces.map((i) => i.subnet));
  const behind = portsOn(topo, vms, index, subnets);
  let shared = false;
  const reps = groupPorts(topo, behind).map(({ rep }) => {
    const fips = (index === null ? topo.floatingIps : index.fipsOf.get(rep.portId) ?? []).filter((f) => f.portId === rep.portId && f.network === gw.network);
    const routers = routersServing(topo, rep, gw.network, index);
    if (routers.length > 1) shared = true;
    const snat = routers.flatMap((x) => (x.gateway ? [x.gateway.port.ip] : []));
    // A router that holds a floating IP of the port sends everything from its fixed IP out with the
    // floating IP (the float-snat rule comes before the router's own SNAT): from that address, its
    // SNAT address is no allowed source.
    const fixed = [...new Set(fips.map((f) => f.fixedIp))].map((ip) => {
      const mine = fips.filter((f) => f.fixedIp === ip);
      const viaFip = new Set(mine.map((f) => f.router));
      const others = routers.filter((x) => !viaFip.has(x.name)).flatMap((x) => (x.gateway ? [x.gateway.port.ip] : []));
      return { ip, fips: [...mine.map((f) => f.ip), ...others] };
    });
    return { rep, allowed: { fixed, other: [...fips.map((f) => f.ip), ...snat] } };
  });
  return { r, behind: behind.length, reps, shared };
}

interface GatewayMacs { readonly list: readonly number[]; readonly set: ReadonlySet<number> }
const gatewayMacsOf = new WeakMap<Topology, Map<string, GatewayMacs>>();

/**
 * The MACs of the gateway (qg-) ports of the routers with a gateway on `network` (once per topology and
 * network: every port class of every router asks, and at 1,000 routers a scan each was a million): a frame from one of
 * them that a namespace takes (the network's DHCP server, another router's gateway address) was put on
 * that network's wire by a router, as one leaving the cloud is, and Neutron's SNAT rule (`-o qg-X -j
 * SNAT --to-source GW`) translates both alike. On an external subnet without a gateway (no outside
 * world) these namespaces are all a router's gateway reaches.
 */
function gatewayMacs(topo: Topology, network: string): GatewayMacs {
  let byNet = gatewayMacsOf.get(topo);
  if (byNet === undefined) gatewayMacsOf.set(topo, (byNet = new Map()));
  let m = byNet.get(network);
  if (m === undefined) {
    const list = topo.routers.flatMap((r) => (r.gateway?.network === network ? [macNum(r.gateway.port.mac)] : []));
    byNet.set(network, (m = { list, set: new Set(list) }));
  }
  return m;
}

/** A packet from the port leaving through the router's external network (or taken from it by a namespace from a router's gateway port, `macs`) with a source not allowed for the address it was sent from (and none of `besides`). */
function leak(gwNetwork: string, macs: GatewayMacs, allowed: Allowed, besides: readonly string[] = []): SearchAsk['pred'] {
  return (e, sent, final, end) => {
    const d = end.delivery;
    // A frame the port sent with a gateway's MAC, taken as it was sent (no router on the way), is no router's.
    // A concrete source MAC (a router's rewrite) is looked up, not compared with every gateway's.
    const fromGateway = () => {
      const src = final.eth_src;
      return e.and(typeof src === 'number' ? macs.set.has(src) : e.or(...macs.list.map((m) => e.eq(src, m, 48))), e.not(e.eq(src, sent.eth_src, 48)));
    };
    const crossed = d?.kind === 'external' && d.network === gwNetwork ? true : d?.kind === 'namespace' && macs.list.length > 0 ? fromGateway() : false;
    if (crossed === false) return false;
    const oneOf = (ips: readonly string[]) => e.or(...ips.map((ip) => e.eq(final.ip_src, ipNum(ip), 32)));
    const from = (ip: string) => e.eq(sent.ip_src, ipNum(ip), 32);
    const ok = e.or(
      ...allowed.fixed.map((f) => e.and(from(f.ip), oneOf(f.fips))),
      e.and(...allowed.fixed.map((f) => e.not(from(f.ip))), oneOf(allowed.other)),
    );
    // `besides`: sources already found leaking, asked past for another.
    return e.and(...(crossed === true ? [] : [crossed]), opensConnection(e, sent), e.not(ok), ...(besides.length > 0 ? [e.not(oneOf(besides))] : []));
  };
}

/** Where a port with floating IPs sent the packet from, when that decides what it may leave with. */
const sentFrom = (a: Allowed, ip: string): string => (a.fixed.length === 0 ? '' : a.fixed.some((f) => f.ip === ip) ? ` (sent from ${ip})` : ` (sent from ${ip}, which no floating IP is bound to)`);

/** The further sources each class leaks with besides its witness's (`furtherSources`), said after it. */
const besidesText = (more: readonly string[] | undefined): string => (more === undefined || more.length === 0 ? '' : `, and also with ${more.join(', ')}`);

function verdictOf(ctx: VerifyContext, e: Enc, p: RouterPlan, results: readonly SearchResult[], further: readonly (readonly string[])[]): PropertyResult {
  const { r } = p;
  const subject = `router:${r.name}`;
  const gw = r.gateway!;
  if (p.behind === 0) return notApplicable(ID, subject, `no tenant port behind ${r.name}: nothing can leave through its gateway`);
  for (const [i, { rep, allowed }] of p.reps.entries()) {
    const res = results[i]!;
    if (res.kind === 'found') {
      const found = violation(ctx, ID, subject, res,
        (t) => `${portLabel(rep)} ${t.deliveredTo?.kind === 'namespace' ? `reaches ${t.final.ip_dst} in ${t.deliveredTo.namespace} across ${gw.network}` : `leaves through ${gw.network}`} with source ${t.final.ip_src}${sentFrom(allowed, t.packet.ip_src)}, not one of ${allowedFrom(allowed, t.packet.ip_src).join(', ')}${gw.snat ? '' : ' (the router has snat: false and the port no floating IP)'}${besidesText(further[i])}`,
        (t) => !allowedFrom(allowed, t.packet.ip_src).includes(t.final.ip_src));
      if (found.verdict !== 'violated') return found;
      // One result per router: the other findings (other classes leaking, each replayed; nothing reaching
      // the internet; no answer coming back) are said beside the first, not hidden by it.
      const more = alsoLeaking(ctx, p, results, further, i);
      const stuck = nothingLeaves(ctx, e, p);
      const also = [...(more.length > 0 ? [`${more.length === 1 ? 'another class leaks' : `${more.length} more classes leak`} too: ${more.join(', ')}`] : []), ...(stuck ? [stuck.message] : [])];
      return also.length === 0 ? found : { ...found, message: `${found.message}; and ${also.join('; and ')}` };
    }
    const u = notFound(ID, subject, res, `${portLabel(rep)}`);
    if (u) return u;
  }
  const stuck = nothingLeaves(ctx, e, p);
  if (stuck !== null) return stuck;
  const note = p.shared ? '; some subnets are behind several routers on this network, whose SNAT addresses were all allowed' : '';
  return holds(ID, subject, `every packet from ${coverage(p.behind, p.reps.length)} behind ${r.name} leaves ${gw.network} with a floating IP of its port or ${gw.port.ip} (connection-opening packets: an unsolicited ICMP reply or error is INVALID to conntrack and not NATed)${note}`);
}

/** The representatives after the `first` whose leak the evaluator confirms (replayed as the first's is), as `port (source)`. */
function alsoLeaking(ctx: VerifyContext, p: RouterPlan, results: readonly SearchResult[], further: readonly (readonly string[])[], first: number): string[] {
  const gw = p.r.gateway!;
  return p.reps.flatMap(({ rep, allowed }, i) => {
    const res = results[i]!;
    if (i <= first || res.kind !== 'found') return [];
    const v = violation(ctx, ID, `router:${p.r.name}`, res, () => '', (t) => !allowedFrom(allowed, t.packet.ip_src).includes(t.final.ip_src));
    const more = further[i] ?? [];
    return v.verdict === 'violated' && v.trace !== null ? [`${portLabel(rep)} (source${more.length > 0 ? 's' : ''} ${[v.trace.final.ip_src, ...more].join(', ')} through ${gw.network})`] : [];
  });
}

/** What a VM commonly sends to the internet. */
const PROBES: readonly PacketFields[] = [{ proto: 'icmp' }, { proto: 'tcp', dport: 443 }, { proto: 'tcp', dport: 80 }, { proto: 'udp', dport: 53 }];

/**
 * Whether anything leaves at all, and its answer comes back: a router that lets nothing out satisfies
 * the rule above vacuously. Each representative whose default gateway is this router sends the
 * packets of PROBES to the internet (an address its default route takes: `internetFor`) (evaluator traces, no solver) until one leaves through the
 * gateway's network; the reply to that one must come back (`replyLost`), once per subnet. A violation
 * is a router that stops every such packet its ports' firewalls let through (no route, a drop in its
 * namespace), with the trace of the first as witness, or one that drops the answers to a subnet.
 */
function nothingLeaves(ctx: VerifyContext, e: Enc, p: RouterPlan): PropertyResult | null {
  const { r } = p;
  const gw = r.gateway!;
  const ns = deviceName.qrouter(r.id);
  const exits = (t: Trace) => copies(t).some((c) => c.disposition === 'exited' && c.deliveredTo?.kind === 'external' && c.deliveredTo.network === gw.network);
  const stopsHere = (t: Trace) => !exits(t) && copies(t).some((c) => c.disposition !== 'delivered' && c.disposition !== 'exited' && c.hops.at(-1)?.device === ns);
  // An address the router sends by its default route (an extra route may take 8.8.8.8 elsewhere).
  const internet = internetFor(ctx.topology, r);
  let first: { rep: VmStation; t: Trace } | null = null;
  let left = false;
  // Subnets whose answer came back: the way back into a subnet is its route, the same for its classes.
  const answered = new Set<string>();
  for (const { rep } of p.reps) {
    if (!r.interfaces.some((i) => i.port.ip === rep.gateway)) continue;
    const subnet = `${rep.network}|${rep.gateway}`;
    if (answered.has(subnet)) continue;
    for (const f of PROBES) {
      const t = traceBetween(ctx.topology, ctx.evaluator, { kind: 'port', station: rep, ip: rep.ip }, internet, f);
      if (t.uncertain.length > 0) return null;
      if (exits(t)) {
        left = true;
        const lost = replyLost(ctx, e, p, rep, t, internet);
        if (lost !== null) return lost;
        answered.add(subnet);
        break;
      }
      if (first === null && stopsHere(t)) first = { rep, t };
    }
  }
  if (left || first === null) return null;
  const { rep, t } = first;
  const claim = { says: `does not leave through ${gw.network}`, shownBy: (x: Trace) => !exits(x) };
  return { property: ID, subject: `router:${r.name}`, verdict: 'violated', witness: t.packet, trace: t, claim,
    message: `nothing from behind ${r.name} reaches the internet through ${gw.network}: ${portLabel(rep)}'s packet to ${internet} stops in ${r.name} (${traceOutcome(t)}), and so does every other packet tried` };
}

/**
 * The reply to what leaves: the internet's answer to the first packet of `rep` that left, replayed in
 * its conntrack session from the upstream router, must come back to `rep` with the original addresses
 * (the router undoes its NAT and routes it into the port's subnet). A violation when it does not — a
 * router that lost its route to the subnet sends its SNAT traffic out and drops every answer — with the
 * reply's trace; null when it comes back or crossed something not modelled.
 */
function replyLost(ctx: VerifyContext, e: Enc, p: RouterPlan, rep: VmStation, request: Trace, internet: string): PropertyResult | null {
  const gw = p.r.gateway!;
  const from = { kind: 'port', station: rep, ip: rep.ip } as const;
  const c = checkReply(ctx.topology, ctx.dataplane, ctx.evaluator, from, { kind: 'external', network: gw.network, ipDst: [{ ip: internet, prefixLen: 32 }] }, request.packet);
  if (c.ok || c.reply === null || c.reply.uncertain.length > 0 || c.request.uncertain.length > 0) return null;
  // Back at the port's own firewall, which its stateless groups keep shut to it: the router did its part.
  if (replyStoppedAsIntended(e, ctx, rep, c.reply)) return null;
  const back = (x: Trace) => x.disposition === 'delivered' && x.deliveredTo?.kind === 'vm' && x.deliveredTo.vm === rep.vm && x.deliveredTo.port === rep.index;
  return {
    property: ID, subject: `router:${p.r.name}`, verdict: 'violated', witness: c.reply.packet, trace: c.reply,
    claim: { says: `does not get back to ${portLabel(rep)}`, shownBy: (x: Trace) => !back(x) },
    message: `what leaves ${gw.network} from behind ${p.r.name} gets no answer back: ${portLabel(rep)}'s packet to ${internet} leaves with source ${c.request.final.ip_src}, and the reply to it ends ${traceOutcome(c.reply)}, not at ${portLabel(rep)}`,
  };
}

/** Sources asked past per leaking class, besides its witness's. */
const MORE_SOURCES = 2;

/**
 * For each class found leaking, the other sources it leaks with (up to MORE_SOURCES, each a witness
 * replayed through the evaluator): the question asked again with the sources found so far excluded.
 * One result per router says one finding per class, and a second way a class leaks (a floating IP's
 * own SNAT rule gone, beside a second router's SNAT of what an extra route sends it) would otherwise be
 * hidden behind the first. Nothing is asked for a class that does not leak.
 */
async function furtherSources(ctx: VerifyContext, items: readonly { p: RouterPlan; allowed: Allowed; ask: SearchAsk }[], results: readonly SearchResult[]): Promise<string[][]> {
  const sourceOf = (i: number, res: SearchResult): string | null => {
    if (res.kind !== 'found') return null;
    const { p, allowed } = items[i]!;
    const v = violation(ctx, ID, `router:${p.r.name}`, res, () => '', (t) => !allowedFrom(allowed, t.packet.ip_src).includes(t.final.ip_src));
    return v.verdict === 'violated' && v.trace !== null ? v.trace.final.ip_src : null;
  };
  const seen = results.map((res, i) => { const x = sourceOf(i, res); return x === null ? [] : [x]; });
  const further: string[][] = results.map(() => []);
  let open = seen.flatMap((s, i) => (s.length > 0 ? [i] : []));
  for (let round = 0; round < MORE_SOURCES && open.length > 0; round++) {
    const asks = open.map((i) => ({ ...items[i]!.ask, pred: leak(items[i]!.p.r.gateway!.network, gatewayMacs(ctx.topology, items[i]!.p.r.gateway!.network), items[i]!.allowed, seen[i]!) }));
    const again = await searchAll(ctx, asks, 'leaking port classes');
    open = open.filter((i, k) => {
      const x = sourceOf(i, again[k]!);
      if (x === null || seen[i]!.includes(x)) return false;
      seen[i]!.push(x);
      further[i]!.push(x);
      return true;
    });
  }
  return further;
}

export const natEgress: PropertyCheck = {
  id: ID,
  description: "every packet leaving the cloud through a router's gateway carries its port's floating IP or the router's SNAT address",
  async check(ctx) {
    const e = new Enc(await getZ3());
    const routers = ctx.topology.routers.filter((r) => r.gateway !== null);
    const vms = vmStations(ctx);
    const index = natPlanIndexSwitch.on ? planIndex(ctx.topology, vms) : null;
    const plans = routers.map((r) => (owned(ctx, `router:${r.name}`) ? plan(ctx.topology, vms, index, r) : null));
    // Every router's questions at once: the solver proves the empty ones in batches.
    const items = plans.flatMap((p) => (p === null ? [] : p.reps.map(({ rep, allowed }) => ({ p, allowed, ask: { src: sourceSpec(ctx.topology, rep), pred: leak(p.r.gateway!.network, gatewayMacs(ctx.topology, p.r.gateway!.network), allowed), scope: 'near' as const } }))));
    const results = await searchAll(ctx, items.map((x) => x.ask), 'port classes behind routers');
    const further = await furtherSources(ctx, items, results);
    let k = 0;
    const checked = plans.map((p, i) => {
      if (p === null) return elsewhere(ID, `router:${routers[i]!.name}`);
      const from = k;
      k += p.reps.length;
      return verdictOf(ctx, e, p, results.slice(from, k), further.slice(from, k));
    });
    return [...checked, ...unrouted(ctx)];
  },
};

/**
 * The ports behind no router with a gateway, one `n/a` result per network saying how many: no router
 * NATs their packets (on a provider network they reach the outside world with their own addresses).
 */
function unrouted(ctx: VerifyContext): PropertyResult[] {
  const natted = new Set(ctx.topology.routers.filter((r) => r.gateway !== null).flatMap((r) => r.interfaces.map((i) => i.subnet)));
  const left = vmStations(ctx).filter((s) => !natted.has(portOf(ctx.topology, s)?.subnet ?? ''));
  return [...byNetwork(left)].map(([net, on]) => {
    const direct = outsideStations(ctx).some((o) => o.network === net);
    const why = direct
      ? 'which reaches its outside world directly: no router NATs what is sent from there'
      : `behind no router with a gateway: nothing sent from there leaves the cloud through a router`;
    return notApplicable(ID, `network:${net}`, `left out: ${portCount(on.length)} on ${net}, ${why}`);
  });
}
