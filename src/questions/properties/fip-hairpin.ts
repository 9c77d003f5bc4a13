// What a port behind a floating IP's router sees of a packet it sends to that floating IP (hairpin
// NAT). The L3 agent DNATs it to the fixed address and, as it did not come in through the gateway (no
// mark 0x2), source-NATs it to the router's gateway address — `-m mark ! --mark 0x2/0xffff -m conntrack
// --ctstate DNAT -j SNAT --to-source GW` in the snat chain (router_info.py external_gateway_nat_fip_rules:
// since Newton whether or not the router does SNAT, before only with SNAT) — or to the sender's own
// floating IP, whose float-snat rule the snat chain jumps to first. Without it a sender on the port's
// subnet gets the answer straight from the fixed address, past the router's conntrack, and its
// connection to the floating IP never opens; from another subnet the packet arrives with the sender's
// own address.
// How: concrete probes (the evaluator, no solver) from up to two ports behind the router — one without
// a floating IP of its own and one with, on the floating IP's port's subnet where there are, else on
// another of the router's subnets — to the floating IP; from each, the first that arrives at the port
// (delivered, or stopped by its own firewall, where its security groups decide) must carry the
// expected source there. A sender none of whose probes arrives (its own groups let nothing out,
// anti-spoofing or a failure stop it: other properties ask) or whose trace crosses something not
// modelled tells nothing, and the next port of its kind, one of each class (common.ts `classKey`), is
// asked instead: a first port whose groups had no egress rule hid the hairpin rule deleted, where the
// next port's packet arrived with its own address (fault-kill seed 20261207 case 670).
import type { Trace } from '../../evaluate/trace.ts';
import type { FloatingIpT, RouterT, Topology } from '../../topology/model.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { traceBetween } from '../trace.ts';
import { groupPorts, portLabel, portOf, vmStations, type VmStation } from './common.ts';
import { PROBES, arrivalAt } from './fip-reach.ts';
import type { PacketFields } from '../packet.ts';
import { releaseOrdinal } from '../../topology/release.ts';

export interface HairpinCheck {
  /** A violation, or null when the probe arrived as expected or nothing can be said. */
  readonly result: PropertyResult | null;
  /** What was checked and found as expected, for the holds message; null when nothing was. */
  readonly checked: string | null;
}

/** Whether the release programs the hairpin rule on a router without SNAT (bug 1551530, fixed in Newton). */
export const hairpinWithoutSnat = (release: string): boolean => (releaseOrdinal(release) ?? Number.POSITIVE_INFINITY) >= releaseOrdinal('newton')!;

const NOTHING: HairpinCheck = { result: null, checked: null };

const stationsBySubnet = new WeakMap<VerifyContext['dataplane'], Map<string, VmStation[]>>();

function bySubnet(ctx: VerifyContext): Map<string, VmStation[]> {
  let m = stationsBySubnet.get(ctx.dataplane);
  if (m) return m;
  m = new Map();
  for (const s of vmStations(ctx)) {
    const subnet = portOf(ctx.topology, s)?.subnet;
    if (subnet === undefined) continue;
    const list = m.get(subnet);
    if (list) list.push(s);
    else m.set(subnet, [s]);
  }
  stationsBySubnet.set(ctx.dataplane, m);
  return m;
}

const fipsBySender = new WeakMap<Topology, Map<string, string>>();

/** The floating IP the router `r` gives what `s` sends from its fixed address (float-snat), if any. */
function ownFloatingIp(topo: Topology, r: RouterT, s: VmStation): string | undefined {
  let m = fipsBySender.get(topo);
  if (!m) fipsBySender.set(topo, (m = new Map(topo.floatingIps.map((x) => [`${x.router}|${x.portId}|${x.fixedIp}`, x.ip]))));
  return m.get(`${r.name}|${s.portId}|${s.ip}`);
}

/**
 * The candidate senders of each kind, one of each class, in the order of the router's subnets with the
 * floating IP's port's own first: the ports other than it without a floating IP of their own (the
 * hairpin rule source-NATs what they send) and those with one (the float-snat rule, which comes first
 * in the snat chain, does). Each kind's first whose probe arrives decides for it.
 */
function sendersFor(ctx: VerifyContext, r: RouterT, f: FloatingIpT, ownSubnet: string): VmStation[][] {
  const m = bySubnet(ctx);
  const plain: VmStation[] = [];
  const floating: VmStation[] = [];
  for (const subnet of [ownSubnet, ...r.interfaces.map((i) => i.subnet).filter((x) => x !== ownSubnet)]) {
    for (const s of m.get(subnet) ?? []) {
      if (s.portId === f.portId) continue;
      (ownFloatingIp(ctx.topology, r, s) === undefined ? plain : floating).push(s);
    }
  }
  return [plain, floating].map((kind) => groupPorts(ctx.topology, kind).map((g) => g.rep)).filter((kind) => kind.length > 0);
}

/**
 * `sender`'s probes to the floating IP: the first that arrives at the port decides — what was found as
 * expected (for the holds message) or the violation; null when none arrives or a trace crosses
 * something not modelled (the sender tells nothing).
 */
function probe(ctx: VerifyContext, property: string, r: RouterT, gatewayIp: string, f: FloatingIpT, sender: VmStation, ownSubnet: string, arrival: (t: Trace) => Trace | undefined, probes: readonly PacketFields[]): string | PropertyResult | null {
  const expected = ownFloatingIp(ctx.topology, r, sender) ?? gatewayIp;
  const from = portLabel(sender);
  const onSubnet = portOf(ctx.topology, sender)?.subnet === ownSubnet;
  for (const fields of probes) {
    const t = traceBetween(ctx.topology, ctx.evaluator, { kind: 'port', station: sender, ip: sender.ip }, f.ip, fields);
    if (t.uncertain.length > 0) return null;
    const a = arrival(t);
    if (a === undefined) continue;
    const got = a.final.ip_src;
    const reached = a.disposition === 'delivered' ? `arrives at ${f.vm}:${f.portIndex}` : `reaches ${f.vm}:${f.portIndex}'s firewall`;
    if (got === expected) return `a packet from ${from} behind ${r.name} to ${f.ip} ${reached} from ${expected}`;
    const why = got === sender.ip
      ? onSubnet
        ? `: the router did not source-NAT it, so ${f.vm}:${f.portIndex} answers straight from ${f.fixedIp}, past the router's conntrack, and ${from} never hears back from ${f.ip}`
        : ': the router did not source-NAT it'
      : '';
    return {
      property, subject: `fip:${f.ip}`, verdict: 'violated', witness: t.packet, trace: t,
      claim: { says: `arrives at ${f.vm}:${f.portIndex} from another address than ${expected}`, shownBy: (x) => { const y = arrival(x); return y !== undefined && y.final.ip_src !== expected; } },
      message: `a packet from ${from} behind ${r.name} to ${f.ip} (${f.vm}:${f.portIndex}'s floating IP) ${reached} from ${got}, not from ${expected}${why}`,
    };
  }
  return null;
}

/** `probes`: what is sent (a port forwarding's protocol and external port; by default what is commonly sent to a floating IP). */
export function hairpin(ctx: VerifyContext, property: string, f: FloatingIpT, probes: readonly PacketFields[] = PROBES): HairpinCheck {
  const r = ctx.topology.routers.find((x) => x.name === f.router);
  // Before Newton a router without SNAT got no hairpin rule: what a port behind it sends to a floating IP keeps its address.
  if (r === undefined || r.gateway === null || (!r.gateway.snat && !hairpinWithoutSnat(ctx.topology.release))) return NOTHING;
  const owner = vmStations(ctx).find((s) => s.portId === f.portId && s.ip === f.fixedIp);
  const ownSubnet = owner === undefined ? undefined : portOf(ctx.topology, owner)?.subnet;
  if (owner === undefined || ownSubnet === undefined) return NOTHING;
  const arrival = arrivalAt(ctx, f, owner);
  const checked: string[] = [];
  for (const kind of sendersFor(ctx, r, f, ownSubnet)) {
    for (const sender of kind) {
      const got = probe(ctx, property, r, r.gateway.port.ip, f, sender, ownSubnet, arrival, probes);
      if (got === null) continue; // nothing of this sender's arrives: the next of its kind is asked
      if (typeof got === 'string') checked.push(got);
      else return { result: got, checked: null };
      break;
    }
  }
  return { result: null, checked: checked.length === 0 ? null : checked.join('; ') };
}
