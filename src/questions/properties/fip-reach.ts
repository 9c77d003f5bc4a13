// Whether anything from outside reaches a floating IP's port at all. fip-ingress's search proves that
// no packet to the floating IP ends in the wrong place, which a floating IP that nothing reaches
// satisfies over no packet (its /32 gone from the router's qg- device: the upstream router's ARP for
// it gets no answer). The upstream router of the floating IP's subnet sends the packets of PROBES to
// it (evaluator traces, no solver); once one arrives at the port — delivered to it, or dropped by the
// port's own firewall, where its security groups decide and the floating IP has done its part — the
// floating IP is reachable. Else the first probe's trace is the witness of a violation.
import type { Trace } from '../../evaluate/trace.ts';
import type { FloatingIpT } from '../../topology/model.ts';
import type { PacketFields } from '../packet.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { traceBetween } from '../trace.ts';
import { traceOutcome } from '../witness-replay.ts';
import { copies } from './search.ts';
import { firewallSite } from './sg-completeness.ts';
import { INTERNET, vmStations, type OutsideStation, type VmStation } from './common.ts';


/** What is commonly sent to a floating IP from the internet. */
export const PROBES: readonly PacketFields[] = [{ proto: 'icmp' }, { proto: 'tcp', dport: 22 }, { proto: 'tcp', dport: 443 }, { proto: 'tcp', dport: 80 }, { proto: 'udp', dport: 53 }];

/**
 * The copy of a trace that arrives at the floating IP's port `port`: delivered to it, or dropped by its
 * own firewall, where its security groups decide. Without a hybrid firewall bridge (another firewall
 * driver), a drop on the port's own host of a packet already addressed to its fixed IP counts as
 * arriving: that firewall is the port's host's br-int.
 */
export function arrivalAt(ctx: VerifyContext, f: FloatingIpT, port: VmStation): (t: Trace) => Trace | undefined {
  const site = firewallSite(ctx, port);
  return (t) => copies(t).find((c) => {
    const d = c.deliveredTo;
    if (c.disposition === 'delivered') return d?.kind === 'vm' && d.vm === f.vm && d.port === f.portIndex;
    if (c.disposition !== 'dropped' || c.droppedAt === null) return false;
    if (site !== null) return c.droppedAt.host === site.host && c.droppedAt.device === site.device;
    return c.droppedAt.host === port.host && c.final.ip_dst === f.fixedIp;
  });
}

/**
 * A violation when no probe from `outside` to the floating IP arrives at its port, `unknown` when one
 * crossed something not modelled, null when one arrives (`arrivalAt`).
 */
export function unreachableFip(ctx: VerifyContext, property: string, f: FloatingIpT, outside: OutsideStation): PropertyResult | null {
  const subject = `fip:${f.ip}`;
  const port = vmStations(ctx).find((s) => s.vm === f.vm && s.index === f.portIndex);
  if (port === undefined) return null;
  const arrival = arrivalAt(ctx, f, port);
  const arrives = (t: Trace) => arrival(t) !== undefined;
  let first: Trace | null = null;
  for (const fields of PROBES) {
    const t = traceBetween(ctx.topology, ctx.evaluator, { kind: 'outside', station: outside, ip: INTERNET }, f.ip, fields);
    if (arrives(t)) return null;
    if (t.uncertain.length > 0) return { property, subject, verdict: 'unknown', witness: null, trace: t, message: `whether anything from outside reaches ${f.ip}: a packet crosses something not modelled: ${t.uncertain.join('; ')}` };
    first ??= t;
  }
  const t = first!;
  const owner = `${f.vm}:${f.portIndex}`;
  return {
    property, subject, verdict: 'violated', witness: t.packet, trace: t,
    claim: { says: `does not arrive at ${owner}`, shownBy: (x) => !arrives(x) },
    message: `nothing from outside reaches ${f.ip}: a packet to it from the upstream router of ${f.network} (${outside.gateway}) ends ${traceOutcome(t)}, and so does every other packet tried; none arrives at ${owner}`,
  };
}
