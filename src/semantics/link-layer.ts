// Destinations and sources the switches treat specially before forwarding anything, for both engines:
// the MACs Open vSwitch's NORMAL action refuses (lib/packets.c eth_addr_is_reserved, checked by
// is_admissible in ofproto-dpif-xlate.c unless the bridge sets other_config:forward-bpdu=true, which
// Neutron never does), the IEEE 802.1D link-local block a Linux bridge keeps to itself
// (br_handle_frame: 01:80:c2:00:00:00 is forwarded only while STP is off, 01 is dropped, the rest go
// to the host, since group_fwd_mask is 0), the source addresses a Linux bridge discards
// (is_valid_ether_addr: all-zero or group), and the br_netfilter knob that leaves VLAN-tagged IPv4 out
// of iptables (net.bridge.bridge-nf-filter-vlan-tagged, 0 by default and never set by Neutron).
// Guarantees: constant tables and pure predicates over 48-bit MAC values; nothing reads a packet.

/** The 48-bit MACs OVS 3.x treats as reserved (eth_addr_is_reserved), in the order lib/packets.c lists them. */
export const OVS_RESERVED_MACS: readonly number[] = [
  // IEEE 802.1D: STP, pause, LACP, 802.1X, LLDP and the rest of 01:80:c2:00:00:00–0f.
  ...Array.from({ length: 16 }, (_, i) => 0x0180c2000000 + i),
  // Extreme EDP and EAPS.
  0x00e02b000000, 0x00e02b000004, 0x00e02b000006,
  // Cisco ISL, PAgP/UDLD/CDP/DTP/VTP, PVST+, STP UplinkFast/FlexLink.
  0x01000c000000, 0x01000ccccccc, 0x01000ccccccd, 0x01000ccdcdcd,
  // Cisco CFM.
  ...Array.from({ length: 8 }, (_, i) => 0x01000cccccc0 + i),
];

const reserved = new Set(OVS_RESERVED_MACS);

/** NORMAL refuses a frame to this destination (OVS is_admissible, forward-bpdu off). */
export const ovsReservedDestination = (mac: number): boolean => reserved.has(mac);

/** The IEEE 802.1D link-local block 01:80:c2:00:00:00–0f. */
export const LINK_LOCAL_BASE = 0x0180c2000000;
export const LINK_LOCAL_COUNT = 16;

/** A Linux bridge forwards a frame to this link-local destination: only the STP group address, only with STP off. */
export const bridgeForwardsLinkLocal = (mac: number, stp: boolean): boolean => mac === LINK_LOCAL_BASE && !stp;

/** A frame to `mac` is in the link-local block. */
export const isLinkLocalMac = (mac: number): boolean => mac >= LINK_LOCAL_BASE && mac < LINK_LOCAL_BASE + LINK_LOCAL_COUNT;

/** The group (multicast/broadcast) bit of the first octet. */
export const GROUP_BIT = 0x010000000000;

/** A Linux bridge accepts frames only from a valid unicast source (not all-zero, not a group address). */
export const validBridgeSource = (mac: number): boolean => mac !== 0 && Math.floor(mac / GROUP_BIT) % 2 === 0;

/**
 * net.bridge.bridge-nf-filter-vlan-tagged: 0, the kernel's default, which Neutron leaves alone
 * (iptables_firewall.py checks only bridge-nf-call-{arp,ip,ip6}tables). An 802.1Q-tagged IPv4 frame
 * crossing a Linux bridge then never meets iptables: not the security groups, not the anti-spoofing.
 */
export const BRIDGE_NF_FILTER_VLAN_TAGGED = false;

/** Words for the explanation steps, naming the behaviour and the setting it depends on. */
export const LINK_LAYER_WHY = {
  ovsReserved: 'Open vSwitch NORMAL drops frames to reserved multicast addresses (is_admissible; other_config:forward-bpdu is false)',
  bridgeSource: 'the Linux bridge discards frames whose source MAC is all-zero or a group address (br_handle_frame: is_valid_ether_addr)',
  bridgeLinkLocal: 'the Linux bridge does not forward IEEE 802.1D link-local frames 01:80:c2:00:00:01–0f (group_fwd_mask 0), nor :00 with STP on',
  taggedBypass: 'VLAN-tagged IPv4 skips iptables on the Linux bridge (net.bridge.bridge-nf-filter-vlan-tagged=0, the default Neutron keeps)',
} as const;
