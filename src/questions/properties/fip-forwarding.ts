// `fip-ingress` for a floating IP with port forwardings (subject `fip:IP`; Neutron's port_forwarding plugin):
// what arrives from outside through the floating IP arrives only by a forwarding, and each forwarding works.
// How: one solver search over every packet the outside world of the floating IP's external network may send
// to it. A violation is a delivery to a VM port other than by a forwarding of that port — the packet's
// protocol and destination port are a forwarding's, and it arrives addressed to the forwarding's internal
// address and port — or a connection-opening packet of a forwarded protocol and port kept by a namespace (the
// router's own stack, where a missing DNAT leaves it). Packets to ports not forwarded reach the router's own
// stack on any real router (the address is on its qg- device) and are no violation. Then per forwarding one
// packet from the outside world to FIP:EXT (evaluator trace) must arrive at the port — delivered, or dropped by
// its own firewall, where its security groups decide, as fip-reach.ts counts a floating IP's arrival —
// addressed to the internal address and port. And from behind the router, each forwarding's packet arrives
// source-NATed by the router (fip-hairpin.ts, with the forwarding's protocol and external port).
// A forwarding with port ranges (Zed+) forwards every port of its external range: the search allows an
// external port E + i to arrive only at internal port I + i (or at the one internal port), and the first and
// last ports of the range are each traced and sent from behind the router.
import type { Trace } from '../../evaluate/trace.ts';
import { IP_PROTO } from '../../ir/packet.ts';
import type { FloatingIpT, PortForwardingT } from '../../topology/model.ts';
import { externalText, forwardedPort, internalText } from '../../topology/port-forwarding-ports.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { traceBetween } from '../trace.ts';
import { traceOutcome } from '../witness-replay.ts';
import { holds, INTERNET, outsideFor, outsideOn, unknown, vmStations, type OutsideStation } from './common.ts';
import { arrivalAt } from './fip-reach.ts';
import { hairpin } from './fip-hairpin.ts';
import { ipNum, opensConnection, search } from './search.ts';
import { notFound, violation } from './verdict.ts';

const PROTO = { tcp: IP_PROTO.tcp, udp: IP_PROTO.udp } as const;
const label = (pf: PortForwardingT) => `${pf.protocol}/${externalText(pf)} → ${pf.vm}:${pf.portIndex} ${pf.internalIp}:${internalText(pf)}`;
/** The external ports traced for a forwarding: its one port, or the first and last of its range. */
const tracedPorts = (pf: PortForwardingT): number[] => (pf.externalPortEnd === pf.externalPort ? [pf.externalPort] : [pf.externalPort, pf.externalPortEnd]);

/** The forwardings of each forwarded floating IP, in order of each floating IP's first forwarding. */
export function forwardedFloatingIps(pfs: readonly PortForwardingT[]): PortForwardingT[][] {
  const by = new Map<string, PortForwardingT[]>();
  for (const pf of pfs) by.set(pf.floatingIp, [...(by.get(pf.floatingIp) ?? []), pf]);
  return [...by.values()];
}

/** A forwarding's target as fip-reach.ts's arrival sees a floating IP's port. */
const asFip = (pf: PortForwardingT): FloatingIpT => ({
  id: pf.floatingIpId, ip: pf.floatingIp, network: pf.network, portId: pf.portId, vm: pf.vm, portIndex: pf.portIndex, fixedIp: pf.internalIp, router: pf.router,
});

/** A violation when the forwarding's packet from `outside` does not arrive at its port at the internal address and port; `unknown` when it crossed something not modelled; else null. */
function unreachableForwarding(ctx: VerifyContext, property: string, pf: PortForwardingT, outside: OutsideStation, ext: number): PropertyResult | null {
  const subject = `fip:${pf.floatingIp}`;
  const port = vmStations(ctx).find((s) => s.vm === pf.vm && s.index === pf.portIndex);
  if (port === undefined) return null;
  const arrival = arrivalAt(ctx, asFip(pf), port);
  const internal = forwardedPort(pf, ext);
  const arrives = (t: Trace) => {
    const c = arrival(t);
    return c !== undefined && c.final.ip_dst === pf.internalIp && c.final.dport === internal;
  };
  const t = traceBetween(ctx.topology, ctx.evaluator, { kind: 'outside', station: outside, ip: INTERNET }, pf.floatingIp, { proto: pf.protocol, dport: ext });
  if (arrives(t)) return null;
  if (t.uncertain.length > 0) return unknown(property, subject, `whether port forwarding ${label(pf)} works: the packet crosses something not modelled: ${t.uncertain.join('; ')}`);
  return {
    property, subject, verdict: 'violated', witness: t.packet, trace: t,
    claim: { says: `does not arrive at ${pf.vm}:${pf.portIndex} as ${pf.internalIp}:${internal}`, shownBy: (x) => !arrives(x) },
    message: `port forwarding ${label(pf)} of ${pf.floatingIp} does not work: a ${pf.protocol} packet from outside to ${pf.floatingIp}:${ext} ends ${traceOutcome(t)}`,
  };
}

export async function checkForwardedFip(ctx: VerifyContext, property: string, pfs: readonly PortForwardingT[]): Promise<PropertyResult> {
  const first = pfs[0]!;
  const ip = first.floatingIp;
  const subject = `fip:${ip}`;
  const outside = outsideOn(ctx.dataplane.stations, first.network, ip);
  if (!outside && !outsideFor(ctx.dataplane.stations, first.network, ip)) return unknown(property, subject, `no outside world on ${first.network} to send from`);
  if (!outside) return unknown(property, subject, `${ip}'s subnet of ${first.network} has no gateway: no upstream router sends to it, so nothing from outside is followed to it`);
  const res = await search(ctx, { station: outside }, (e, sent, final, end) => {
    const d = end.delivery;
    if (end.disposition !== 'delivered') return false;
    const forwarded = (pf: PortForwardingT) => e.and(e.eq(sent.proto, PROTO[pf.protocol], 8), e.range(sent.dport, pf.externalPort, pf.externalPortEnd, 16));
    // The internal port the sent port goes to: I + (E' − E) for a range as long as the external one, else the one port.
    const internalOf = (pf: PortForwardingT) => (pf.internalPortEnd === pf.internalPort ? pf.internalPort
      : e.offsetMod(sent.dport, pf.externalPort, pf.internalPort, pf.internalPortEnd - pf.internalPort + 1, 16));
    // Kept by the router's own stack although a forwarding's: its DNAT is missing. Only a connection-opening
    // packet: conntrack's INVALID ones are never NATed. Other ports of the address are the router's own.
    if (d?.kind === 'namespace') return e.and(opensConnection(e, sent), e.or(...pfs.map(forwarded)));
    if (d?.kind !== 'vm') return false;
    const mine = pfs.filter((pf) => pf.vm === d.vm && pf.portIndex === d.port);
    return e.not(e.or(...mine.map((pf) => e.and(forwarded(pf), e.eq(final.ip_dst, ipNum(pf.internalIp), 32), e.eq(final.dport, internalOf(pf), 16)))));
  }, { ipDst: [{ ip, prefixLen: 32 }] });
  if (res.kind === 'found') {
    return violation(ctx, property, subject, res, (t) => {
      const d = t.deliveredTo;
      const sent = `${t.packet.proto === PROTO.tcp ? 'tcp' : t.packet.proto === PROTO.udp ? 'udp' : `protocol ${t.packet.proto}`}${t.packet.dport === null ? '' : `/${t.packet.dport}`}`;
      if (d?.kind === 'namespace') return `a ${sent} packet to ${ip}, a forwarded port, is delivered to ${d.namespace} on ${d.host} itself, not forwarded`;
      const at = d?.kind === 'vm' ? `${d.vm}:${d.port}` : 'somewhere';
      return `a ${sent} packet to ${ip} reaches ${at} addressed to ${t.final.ip_dst}${t.final.dport === null ? '' : `:${t.final.dport}`}, which no port forwarding of ${ip} sends it to`;
    });
  }
  for (const pf of pfs) {
    for (const ext of tracedPorts(pf)) {
      const broken = unreachableForwarding(ctx, property, pf, outside, ext);
      if (broken) return broken;
    }
  }
  // From behind the router (hairpin): each forwarding's packet arrives source-NATed, as for a bound floating IP.
  const checked: string[] = [];
  for (const pf of pfs) {
    const h = hairpin(ctx, property, asFip(pf), tracedPorts(pf).map((dport) => ({ proto: pf.protocol, dport })));
    if (h.result) return h.result;
    if (h.checked) checked.push(h.checked);
  }
  return notFound(property, subject, res, `packets to ${ip} from ${outside.gateway}`)
    ?? holds(property, subject, `every packet from outside (${first.network}) to ${ip} reaches a VM only by one of its ${pfs.length} port forwarding${pfs.length > 1 ? 's' : ''}, at the forwarding's internal address and port, and each forwarding's packet arrives at its port (${pfs.map(label).join('; ')})${checked.length > 0 ? `; ${checked.join('; ')}` : ''}`);
}
