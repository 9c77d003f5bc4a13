// `security-groups` (per VM port with port security, subject `port:VM:N`, both directions): a packet
// enters or leaves the port only if its intent (sg-intent.ts, from the topology) allows it.
// How (the soundness half, with the solver, first packets only):
// - egress: is there a packet the port may send that reaches any destination (delivered or exited)
//   although the intent does not allow it? A packet that passes the port's firewall but dies later on
//   its path is not seen: the symbolic ends do not say which firewall a packet crossed.
// - ingress: is there a packet from any sender (every other VM port class and the outside world)
//   delivered to the port that the intent does not allow, judged on the packet as delivered?
// The completeness half ("allowed but dropped at the port's qbr") is not checked: it needs the
// per-hop position of a drop, which the symbolic ends do not expose.
// One representative per class of ports (same network, groups, port security, address pairs, no
// floating IP) is checked, and the result names the ports it stands for.
import type { PortT } from '../../topology/model.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { groupPorts, holds, outsideStations, portLabel, portOf, sourceSpec, vmStations, type VmStation } from './common.ts';
import { allows } from './sg-intent.ts';
import { search } from './search.ts';
import { notFound, violation } from './verdict.ts';

const ID = 'security-groups';

async function checkPort(ctx: VerifyContext, s: VmStation, port: PortT, stands: string): Promise<PropertyResult> {
  const subject = `port:${portLabel(s)}`;
  const out = await search(ctx, sourceSpec(ctx.topology, s), (e, sent, _final, end) =>
    end.disposition === 'delivered' || end.disposition === 'exited' ? e.not(allows(e, ctx.topology, port, sent, 'egress')) : false);
  if (out.kind === 'found') {
    return violation(ctx, ID, subject, out, (t) => `egress: ${portLabel(s)} sends ${t.packet.ip_dst} proto ${t.packet.proto}${t.packet.dport !== null ? ` dport ${t.packet.dport}` : ''}, which no rule of its groups allows${stands}`);
  }
  const u = notFound(ID, subject, out, `egress from ${portLabel(s)}`);
  if (u) return u;
  const senders = [
    ...groupPorts(ctx.topology, vmStations(ctx).filter((x) => x.portId !== s.portId)).map((g) => g.rep),
    ...outsideStations(ctx),
  ];
  for (const from of senders) {
    const r = await search(ctx, sourceSpec(ctx.topology, from), (e, _sent, final, end) => {
      const d = end.delivery;
      return end.disposition === 'delivered' && d?.kind === 'vm' && d.vm === s.vm && d.port === s.index ? e.not(allows(e, ctx.topology, port, final, 'ingress')) : false;
    }, {}, { vm: s.vm, port: s.index });
    if (r.kind === 'found') {
      return violation(ctx, ID, subject, r, (t) => `ingress: ${t.final.ip_src} reaches ${portLabel(s)} with proto ${t.final.proto}${t.final.dport !== null ? ` dport ${t.final.dport}` : ''}, which no rule of its groups allows${stands}`);
    }
    const v = notFound(ID, subject, r, `ingress to ${portLabel(s)} from ${from.kind === 'vm-port' ? portLabel(from) : `outside ${from.network}`}`);
    if (v) return v;
  }
  return holds(ID, subject, `no first packet leaves or enters ${portLabel(s)} unless its groups' rules or Neutron's per-port rules allow it (checked against ${senders.length} senders; completeness — allowed but dropped — not checked)${stands}`);
}

export const securityGroups: PropertyCheck = {
  id: ID,
  description: "a packet enters or leaves a port only if one of its groups' rules or Neutron's per-port rules allows it",
  async check(ctx) {
    const results: PropertyResult[] = [];
    const secured = vmStations(ctx).filter((s) => portOf(ctx.topology, s)?.portSecurity === true);
    for (const { rep, members } of groupPorts(ctx.topology, secured)) {
      const port = portOf(ctx.topology, rep)!;
      const others = members.filter((m) => m !== rep).map(portLabel);
      const stands = others.length > 0 ? `; also stands for ${others.join(', ')} (same class)` : '';
      results.push(await checkPort(ctx, rep, port, stands));
    }
    return results;
  },
};
