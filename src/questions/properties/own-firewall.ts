// Whether a concrete trace from a VM port ended where that port's own security groups mean it to: its
// first packet dropped, as it left the VM, by the port's own hybrid firewall (its qbr), and the
// port's intent (sg-intent.ts) does not allow that packet out. Such a port tells nothing about what
// lies beyond its firewall — a router's gateway, its routes — and `security-groups` judges the drop
// itself. A drop of a packet the intent allows stays the dataplane's fault: it is not excused here.
// Only the hybrid firewall is a site of its own; with the `noop` driver nothing is dropped by intent.
import type { Enc } from '../../smt/index.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { VerifyContext } from '../property.ts';
import { concretePacket } from '../../smt/headers.ts';
import { allows } from './sg-intent.ts';
import { firewallSite } from './sg-completeness.ts';
import { portOf, type VmStation } from './common.ts';
import { copies } from './search.ts';

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
