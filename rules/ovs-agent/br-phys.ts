// What the OVS agent installs on each physical bridge of bridge_mappings (br-ex, br-vlan, …)
// (FORMATS.md §1.4; samples netnode_dump-flows_br-provider.txt, hybrid_compute_vlan_dump-flows_rsort_br-vlan.txt).
import type { PhysTemplate } from './template.ts';

export const brPhysTemplates: readonly PhysTemplate[] = [
  {
    id: 'phys.provision-vlan',
    when: 'per vlan network on this host',
    flow: 'table=0, priority=4,in_port="{phy_port}",dl_vlan={lvid} actions=mod_vlan_vid:{segmentation_id},NORMAL',
    why: 'traffic of local VLAN {lvid} leaves on the physical network with VLAN {segmentation_id}',
  },
  {
    id: 'phys.provision-flat',
    when: 'per flat network on this host',
    flow: 'table=0, priority=4,in_port="{phy_port}",dl_vlan={lvid} actions=strip_vlan,NORMAL',
    why: 'traffic of local VLAN {lvid} leaves on the flat physical network untagged',
  },
  {
    id: 'phys.drop-int-port',
    when: 'always',
    flow: 'table=0, priority=2,in_port="{phy_port}" actions=drop',
    why: 'drop traffic from br-int whose local VLAN belongs to no network of this bridge',
  },
  {
    id: 'phys.default',
    when: 'always',
    flow: 'table=0, priority=0 actions=NORMAL',
    why: 'traffic from the physical network is switched normally (towards br-int)',
  },
];
