// What the OVS agent installs on br-int with the hybrid iptables (or noop) firewall, in the text of
// `ovs-ofctl dump-flows --no-stats --names br-int` (FORMATS.md §1.4). Release-dependent continuations
// are placeholders: `{next}` is `resubmit(,58)` (2023.2+), `resubmit(,60)` (Pike…2023.1) or `NORMAL`
// (≤ Ocata); `{after_mac_spoof}` is `resubmit(,30)` (Yoga+), `resubmit(,60)` or `NORMAL`.
import type { IntTemplate } from './template.ts';

export const brIntTemplates: readonly IntTemplate[] = [
  {
    // Stein added the flow (e3dc447b90) through the native OpenFlow driver as vlan_vid=4095 without
    // OFPVID_PRESENT: OVS reads that as vlan_tci=0x0fff/0x1fff, which no frame has (untagged is 0x0000,
    // tagged has bit 0x1000). Fixed in Yoga (7aae31c9f9, "Make the dead vlan actually dead").
    id: 'int.dead-vlan-without-present-bit',
    when: 'always',
    since: 'stein',
    until: 'xena',
    flow: 'table=0, priority=65535,vlan_tci=0x0fff/0x1fff actions=drop',
    why: 'meant to drop traffic of ports parked on the dead VLAN 4095; written without the 802.1Q-present bit, it matches no frame at all',
  },
  {
    id: 'int.dead-vlan',
    when: 'always',
    since: 'yoga',
    flow: 'table=0, priority=65535,dl_vlan=4095 actions=drop',
    why: 'drop traffic of ports parked on the dead VLAN 4095 (unbound or being rewired)',
  },
  {
    id: 'int.nd-spoof-jump',
    when: 'per protected port',
    flow: 'table=0, priority=10,icmp6,in_port="{port}",icmp_type=136 actions=resubmit(,24)',
    why: 'send IPv6 neighbour advertisements from {port} to the anti-spoofing table 24',
  },
  {
    id: 'int.arp-spoof-jump',
    when: 'per protected port with arp protection',
    flow: 'table=0, priority=10,arp,in_port="{port}" actions=resubmit(,24)',
    why: 'send ARP from {port} to the ARP anti-spoofing table 24',
  },
  {
    id: 'int.mac-spoof-jump',
    when: 'per protected port',
    flow: 'table=0, priority=9,in_port="{port}" actions=resubmit(,25)',
    why: 'send everything else from {port} to the MAC anti-spoofing table 25',
  },
  {
    id: 'int.provision-vlan',
    when: 'per vlan network on this host',
    flow: 'table=0, priority=3,in_port="{int_port}",dl_vlan={segmentation_id} actions=mod_vlan_vid:{lvid},{next}',
    why: 'traffic arriving from the physical network with VLAN {segmentation_id} gets the local VLAN {lvid}',
  },
  {
    id: 'int.provision-flat',
    when: 'per flat network on this host',
    flow: 'table=0, priority=3,in_port="{int_port}",vlan_tci=0x0000/0x1fff actions=mod_vlan_vid:{lvid},{next}',
    why: 'untagged traffic arriving from the flat physical network gets the local VLAN {lvid}',
  },
  {
    id: 'int.drop-phys-port',
    when: 'per physical bridge',
    flow: 'table=0, priority=2,in_port="{int_port}" actions=drop',
    why: 'drop traffic from {bridge} ({physnet}) that belongs to no network provisioned on this host',
  },
  {
    id: 'int.default',
    when: 'always',
    flow: 'table=0, priority=0 actions={next}',
    why: 'everything else goes on to normal switching',
  },
  {
    id: 'int.canary',
    when: 'always',
    flow: 'table=23, priority=0 actions=drop',
    why: 'canary flow: the agent checks it to detect an Open vSwitch restart',
  },
  {
    id: 'int.nd-spoof-allow',
    when: 'per protected port link-local address',
    flow: 'table=24, priority=2,icmp6,in_port="{port}",icmp_type=136,nd_target={lla} actions={next}',
    why: 'let {port} advertise its own link-local address {lla}',
  },
  {
    id: 'int.arp-spoof-allow',
    when: 'per protected port ipv4 address',
    flow: 'table=24, priority=2,arp,in_port="{port}",arp_spa={ip} actions=resubmit(,25)',
    why: 'let {port} send ARP for its own address {ip}',
  },
  {
    id: 'int.arp-spoof-default',
    when: 'always',
    flow: 'table=24, priority=0 actions=drop',
    why: 'drop ARP and neighbour advertisements for addresses a port does not own (ARP spoofing)',
  },
  {
    id: 'int.mac-spoof-allow',
    when: 'per protected port mac',
    flow: 'table=25, priority=2,in_port="{port}",dl_src={mac} actions={after_mac_spoof}',
    why: 'let {port} send from its own MAC {mac}; any other source MAC is dropped (MAC spoofing)',
  },
  {
    id: 'int.local-egress-default',
    when: 'always',
    since: 'yoga',
    flow: 'table=30, priority=0 actions={next}',
    why: 'Local IP egress table: nothing to translate, go on',
  },
  {
    id: 'int.local-ip-default',
    when: 'always',
    since: 'yoga',
    flow: 'table=31, priority=0 actions={next}',
    why: 'Local IP table: nothing to translate, go on',
  },
  {
    id: 'int.packet-rate-limit-default',
    when: 'always',
    since: '2023.2',
    flow: 'table=58, priority=0 actions=resubmit(,60)',
    why: 'no packet-rate limit on this traffic, go on to the transient table',
  },
  {
    id: 'int.transient-normal',
    when: 'always',
    since: 'pike',
    until: '2024.1',
    flow: 'table=60, priority=3 actions=NORMAL',
    why: 'switch normally (MAC learning within the local VLAN)',
  },
  {
    id: 'int.transient-normal-2024.2',
    when: 'always',
    since: '2024.2',
    flow: 'table=60, priority=1 actions=NORMAL',
    why: 'switch normally (MAC learning within the local VLAN)',
  },
  {
    id: 'int.transient-egress-normal',
    when: 'always',
    since: 'wallaby',
    flow: 'table=62, priority=3 actions=NORMAL',
    why: 'egress traffic of the hybrid firewall is switched normally',
  },
];
