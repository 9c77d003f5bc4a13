// Reduces a trace to the milestones of an operator's walkthrough (WALKTHROUGHS.md): security-group
// checks, internal VLANs, VNIs and network VLANs, tunnel ends, the router's interfaces, NAT, the way
// out. Golden tests compare these sequences, so they check the path itself, not its wording.
import type { Trace } from '../../src/evaluate/trace.ts';
import type { Labels } from '../../src/report/labels.ts';

export function milestones(t: Trace, labels: Labels): string[] {
  const out: string[] = [];
  for (const h of t.hops) {
    const at = h.host;
    if (h.deviceKind === 'vm' && h.outPort !== null) out.push(`send:${h.device.replace(/^vm:/, '')}`);
    if (h.deviceKind === 'outside' && h.outPort !== null) out.push(`send:outside:${h.device}`);
    if (h.deviceKind === 'namespace' && h.inPort) out.push(`router-in:${labels.of(h.inPort) ?? h.inPort}`);
    for (const e of h.events) {
      switch (e.kind) {
        case 'security-group':
          out.push(`sg:${at}:${labels.port(e.portId)}:${e.direction}:${e.verdict}`);
          break;
        case 'vlan-push':
        case 'vlan-mod': {
          const vid = e.kind === 'vlan-push' ? e.vid : e.to;
          const local = labels.networkOfLocalVlan(at, vid);
          if (h.device === 'br-int' || h.device === 'br-tun') out.push(`internal-vlan:${at}:${local ?? `?${vid}`}`);
          else out.push(`network-vlan:${at}:${h.device}:${vid}`);
          break;
        }
        case 'tunnel-encap':
          out.push(`encap:${at}:${e.tunId}->${e.remoteIp}`);
          break;
        case 'tunnel-decap':
          out.push(`decap:${at}:${e.tunId}`);
          break;
        case 'route':
          out.push(`route:${labels.of(e.route.dev) ?? e.route.dev}`);
          break;
        case 'nat':
          out.push(`${e.nat}:${e.from}->${e.to}`);
          break;
        default:
          break;
      }
    }
    if (h.deviceKind === 'ovs-bridge' && h.device === 'br-ex') out.push(`br-ex:${at}`);
  }
  if (t.deliveredTo?.kind === 'vm') out.push(`delivered:${t.deliveredTo.vm}`);
  if (t.disposition === 'exited' && t.deliveredTo?.kind === 'external') out.push(`exited:${t.deliveredTo.network}`);
  if (t.disposition === 'dropped' && t.droppedAt) out.push(`dropped:${t.droppedAt.host}:${t.droppedAt.device}`);
  return out;
}
