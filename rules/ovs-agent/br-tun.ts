// What the OVS agent installs on br-tun (FORMATS.md §1.4, samples compute_vxlan_dump-flows_br-tun.txt
// and netnode_vxlan_dump-flows_br-tun.txt), in `ovs-ofctl dump-flows --no-stats --names` text.
// `{tun_id}` is the segmentation id in hex (`0x65`), `{outputs}` the comma-joined `output:"<port>"` list.
import type { TunTemplate } from './template.ts';

export const brTunTemplates: readonly TunTemplate[] = [
  {
    id: 'tun.from-int',
    when: 'always',
    flow: 'table=0, priority=1,in_port="patch-int" actions=resubmit(,2)',
    why: 'traffic from br-int goes to table 2 (unicast or flood)',
  },
  {
    id: 'tun.from-tunnel',
    when: 'per tunnel port',
    flow: 'table=0, priority=1,in_port="{tunnel_port}" actions=resubmit(,{tun_table})',
    why: 'traffic arriving over {tunnel_port} goes to table {tun_table} to be decapsulated by VNI',
  },
  {
    id: 'tun.in-default',
    when: 'always',
    flow: 'table=0, priority=0 actions=drop',
    why: 'drop traffic from any other port',
  },
  {
    id: 'tun.arp-to-responder',
    when: 'with arp_responder',
    flow: 'table=2, priority=1,arp,dl_dst=ff:ff:ff:ff:ff:ff actions=resubmit(,21)',
    why: 'ARP broadcasts from br-int go to the ARP responder (table 21)',
  },
  {
    id: 'tun.unicast',
    when: 'always',
    flow: 'table=2, priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,20)',
    why: 'unicast from br-int goes to table 20 (known destinations)',
  },
  {
    id: 'tun.multicast',
    when: 'always',
    flow: 'table=2, priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,22)',
    why: 'broadcast and multicast from br-int go to table 22 (flood)',
  },
  {
    id: 'tun.gre-default',
    when: 'always',
    flow: 'table=3, priority=0 actions=drop',
    why: 'drop GRE traffic of a network not present on this host',
  },
  {
    id: 'tun.provision',
    when: 'per tunnel network on this host',
    flow: 'table={tun_table}, priority=1,tun_id={tun_id} actions=mod_vlan_vid:{lvid},resubmit(,10)',
    why: 'traffic with VNI {tun_id} gets the local VLAN {lvid} and goes to be learned',
  },
  {
    id: 'tun.vxlan-default',
    when: 'always',
    flow: 'table=4, priority=0 actions=drop',
    why: 'drop VXLAN traffic of a network not present on this host',
  },
  {
    id: 'tun.geneve-default',
    when: 'always',
    flow: 'table=6, priority=0 actions=drop',
    why: 'drop Geneve traffic (no Geneve networks with the OVS agent here)',
  },
  {
    id: 'tun.learn',
    when: 'always',
    flow: 'table=10, priority=1 actions=learn(table=20,hard_timeout=300,priority=1,cookie={cookie},NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:"patch-int"',
    why: 'learn the source MAC behind the tunnel port it came from (table 20), then deliver to br-int',
  },
  {
    id: 'tun.l2pop-unicast',
    when: 'per remote port (l2population)',
    flow: 'table=20, priority=2,dl_vlan={lvid},dl_dst={mac} actions=strip_vlan,load:{tun_id}->NXM_NX_TUN_ID[],output:"{tunnel_port}"',
    why: 'l2population: {mac} is on another host, send it over {tunnel_port} with VNI {tun_id}',
  },
  {
    id: 'tun.unicast-default',
    when: 'always',
    flow: 'table=20, priority=0 actions=resubmit(,22)',
    why: 'unknown unicast destination: flood it (table 22)',
  },
  {
    id: 'tun.arp-responder',
    when: 'per remote port (arp_responder)',
    flow: 'table=21, priority=1,arp,dl_vlan={lvid},arp_tpa={ip} actions=load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],load:{mac_hex}->NXM_NX_ARP_SHA[],load:{ip_hex}->NXM_OF_ARP_SPA[],move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:{mac},IN_PORT',
    why: 'ARP responder: answer "{ip} is at {mac}" locally instead of flooding the request',
  },
  {
    id: 'tun.arp-responder-default',
    when: 'with arp_responder',
    flow: 'table=21, priority=0 actions=resubmit(,22)',
    why: 'ARP for an address the responder does not know is flooded (table 22)',
  },
  {
    id: 'tun.flood',
    when: 'per tunnel network with flood ports',
    flow: 'table=22, priority=1,dl_vlan={lvid} actions=strip_vlan,load:{tun_id}->NXM_NX_TUN_ID[],{outputs}',
    why: 'flood local VLAN {lvid} with VNI {tun_id} to the hosts of the network',
  },
  {
    id: 'tun.flood-default',
    when: 'always',
    flow: 'table=22, priority=0 actions=drop',
    why: 'drop floods of a local VLAN with no tunnel to send them to',
  },
];
