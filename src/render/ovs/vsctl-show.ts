// `ovs-vsctl show` in the real layout (samples netnode_ovs-vsctl_show.txt, compute_ovs-vsctl_show_lb.txt):
// the Open_vSwitch row uuid, the manager, then per bridge its controller, fail_mode, datapath_type
// and ports (the bridge's own internal port first, then in ofport order). Each `Port` line carries
// the provenance of the port.
import type { Artifact, Provenance } from '../artifacts.ts';
import { artifactPath } from '../artifacts.ts';
import { ovsUuid } from './ident.ts';
import type { BridgeLayout, LayoutPort } from './layout.ts';

/** The Open vSwitch version the rendered `ovs_version` line names. */
export const OVS_VERSION = '3.3.1';

function interfaceLines(p: LayoutPort): string[] {
  const lines = [`            Interface ${p.name}`];
  if (p.showType) lines.push(`                type: ${p.type}`);
  if (p.peer !== null) lines.push(`                options: {peer=${p.peer}}`);
  if (p.remoteIp !== null && p.localIp !== null) {
    lines.push(`                options: {df_default="true", egress_pkt_mark="0", in_key=flow, local_ip="${p.localIp}", out_key=flow, remote_ip="${p.remoteIp}"}`);
  }
  return lines;
}

export function vsctlShowArtifact(host: string, bridges: readonly BridgeLayout[]): Artifact {
  const lines: string[] = [ovsUuid(host), '    Manager "ptcp:6640:127.0.0.1"', '        is_connected: true'];
  const provenance = new Map<number, Provenance>();
  for (const b of bridges) {
    lines.push(
      `    Bridge ${b.name}`,
      '        Controller "tcp:127.0.0.1:6633"',
      '            is_connected: true',
      '        fail_mode: secure',
      '        datapath_type: system',
    );
    for (const p of b.ports) {
      lines.push(`        Port ${p.name}`);
      provenance.set(lines.length, { neutron: p.neutron, why: p.why });
      if (p.tag !== null) lines.push(`            tag: ${p.tag}`);
      lines.push(...interfaceLines(p));
    }
  }
  lines.push(`    ovs_version: "${OVS_VERSION}"`);
  return { path: artifactPath.ovsVsctlShow(host), text: lines.map((l) => `${l}\n`).join(''), provenance };
}
