// Whether a concrete trace from a VM port ended where that port's own security groups mean it to: its
// first packet dropped, as it left the VM, by the port's own hybrid firewall (its qbr), and the
// port's intent (sg-intent.ts) does not allow that packet out. Such a port tells nothing about what
// lies beyond its firewall — a router's gateway, its routes — and `security-groups` judges the drop
// itself. A drop of a packet the intent allows stays the dataplane's fault: it is not excused here.
// Only the hybrid firewall is a site of its own; with the `noop` driver nothing is dropped by intent.
// The same for a reply coming back to a port in stateless groups (Ussuri+): its firewall does not
// track the port's connections, so the answer to what it sent passes only if a rule of its groups lets
// it in — a reply its intent does not allow, dropped there, is the groups' doing, not the way back's.
import type { Enc } from '../../smt/index.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { VerifyContext } from '../property.ts';
import { concretePacket } from '../../smt/headers.ts';
import { allows } from './sg-intent.ts';
import { firewallSite } from './sg-completeness.ts';
import { portOf, type VmStation } from './common.ts';
import { copies } from './search.ts';
import { untrackedPort } from '../../render/linux/zones.ts';

/** Every copy of `t` (sent by `s`) was dropped leaving the VM at `s`'s own firewall, on a packet its groups do not allow out. */
export function stoppedAsIntended(e: Enc, ctx: VerifyContext, s: VmStation, t: Trace): boolean {
  const site = firewallSite(ctx, s);
  const port = portOf(ctx.topology, s);
  if (site === null || port === undefined || t.uncertain.length > 0) return false;
  return copies(t).every((c) => {
    const d = c.droppedAt;
    const last = c.hops[c.hops.length - 1];
    if (c.disposition !== 'dropped' || d === null || d.host !== site.host || d.device !== site.device) return false;
    if (last === undefined || last.inPort !== site.tap) return false;
    return allows(e, ctx.topology, port, concretePacket(c.packet), 'egress') === false;
  });
}

/**
 * The reply `t` to what `s` sent came back to `s`'s own firewall from the network and was dropped there
 * (every copy that got there; copies flooded elsewhere tell nothing about the way back), `s`'s port is
 * untracked (stateless groups), and its groups do not allow that packet in.
 */
export function replyStoppedAsIntended(e: Enc, ctx: VerifyContext, s: VmStation, t: Trace): boolean {
  const site = firewallSite(ctx, s);
  const port = portOf(ctx.topology, s);
  if (site === null || port === undefined || t.uncertain.length > 0 || !untrackedPort(ctx.topology, port)) return false;
  const there = copies(t).filter((c) => c.hops.some((h) => h.host === site.host && h.device === site.device));
  return there.length > 0 && there.every((c) => {
    const d = c.droppedAt;
    const last = c.hops[c.hops.length - 1];
    if (c.disposition !== 'dropped' || d === null || d.host !== site.host || d.device !== site.device) return false;
    if (last === undefined || last.inPort === site.tap) return false;
    return allows(e, ctx.topology, port, concretePacket(c.final), 'ingress') === false;
  });
}
