// `ovs-ofctl show <bridge>`: the features reply and the port list with ofport numbers (sample
// hybrid_compute_mitaka_ovs-ofctl_show_br-int.txt). Numbered ports come first, LOCAL last, as the
// real tool prints them. Port lines carry the port's provenance.
import type { Artifact, Provenance } from '../artifacts.ts';
import { artifactPath } from '../artifacts.ts';
import { portMac } from './ident.ts';
import type { BridgeLayout } from './layout.ts';

export function ofctlShowArtifact(host: string, bridge: BridgeLayout): Artifact {
  const local = bridge.ports.find((p) => p.local);
  const localMac = portMac(host, bridge.name, local?.name ?? bridge.name);
  const lines = [
    `OFPT_FEATURES_REPLY (xid=0x2): dpid:0000${localMac.split(':').join('')}`,
    'n_tables:254, n_buffers:0',
    'capabilities: FLOW_STATS TABLE_STATS PORT_STATS QUEUE_STATS ARP_MATCH_IP',
    'actions: output enqueue set_vlan_vid set_vlan_pcp strip_vlan mod_dl_src mod_dl_dst mod_nw_src mod_nw_dst mod_nw_tos mod_tp_src mod_tp_dst',
  ];
  const provenance = new Map<number, Provenance>();
  const ordered = [...bridge.ports.filter((p) => !p.local), ...bridge.ports.filter((p) => p.local)];
  for (const p of ordered) {
    lines.push(` ${p.local ? 'LOCAL' : String(p.ofport)}(${p.name}): addr:${portMac(host, bridge.name, p.name)}`);
    provenance.set(lines.length, { neutron: p.neutron, why: p.why });
    lines.push(
      `     config:     ${p.local ? 'PORT_DOWN' : '0'}`,
      `     state:      ${p.local ? 'LINK_DOWN' : '0'}`,
      '     speed: 0 Mbps now, 0 Mbps max',
    );
  }
  lines.push('OFPT_GET_CONFIG_REPLY (xid=0x4): frags=normal miss_send_len=0');
  return { path: artifactPath.ofctlShow(host, bridge.name), text: lines.map((l) => `${l}\n`).join(''), provenance };
}
