// The hybrid iptables firewall's filter table (OVSHybridIptablesFirewallDriver, iptables_firewall.py),
// in iptables-save syntax. Held beside neutron-samples/hybrid_allinone_newton_iptables-save.txt it is
// the same layout, rule for rule, for a Newton cloud.
//
// The ingress DHCP rule is the server's (securitygroups_rpc_base._add_ingress_dhcp_rule, a "provider
// rule" the agent puts before the groups' own): until Ocata one rule per DHCP port of the network,
// `-s <dhcp ip>/32`; since Pike (commit ae9d1160bd, "Stop making IP-specific provider rules") one per
// fixed IPv4 of the port and one for the broadcast address, `-d <ip>/32`, from any source — so UDP
// 67→68 reaches a port from wherever it can be sent, whatever its groups say.
//
// Scopes the engine provides:
//   filteredPort    a VM port with port security on this host; vars tap, ichain, ochain, schain, portId
//     dhcpServer      the DHCP ports of its network; vars dhcpIp
//     dhcpDestination its fixed IPv4 address and the limited broadcast, as /32; vars dhcpDst
//     ingressRule     its groups' IPv4 ingress rules as iptables text; vars sgRule, sgWhy
//     egressRule      the same for egress
//     spoofPair       its allowed address pairs, then its fixed IP; vars pairCidr, pairMac (upper-case)
//   unfilteredPort  a VM port with port security off; vars tap
import { chain, group, rule, type TemplateGroup } from '../../src/render/linux/template.ts';
import type { Release } from '../../src/render/linux/release.ts';

/** The first release whose server writes the ingress DHCP rule by destination, from any source. */
export const DHCP_REPLY_BY_DESTINATION_SINCE: Release = 'pike';

const F = 'filter';
const VM_INT_SG = '-m comment --comment "Direct traffic from the VM interface to the security group chain."';
const SG_TO_VM_SG = '-m comment --comment "Jump to the VM specific chain."';
const INPUT_TO_SG = '-m comment --comment "Direct incoming traffic from VM to the security group chain."';
const ALLOW_ASSOC = '-m comment --comment "Direct packets associated with a known session to the RETURN chain."';
const INVALID_DROP =
  '-m comment --comment "Drop packets that appear related to an existing connection (e.g. TCP ACK/FIN) but do not have an entry in conntrack."';
const UNMATCHED = '-m comment --comment "Send unmatched traffic to the fallback chain."';
const DHCP_CLIENT = '-m comment --comment "Allow DHCP client traffic."';
const DHCP_SPOOF = '-m comment --comment "Prevent DHCP Spoofing by VM."';
const PAIR_ALLOW = '-m comment --comment "Allow traffic from defined IP/MAC pairs."';
const PAIR_DROP = '-m comment --comment "Drop traffic without an IP/MAC allow rule."';
const UNMATCH_DROP = '-m comment --comment "Default drop rule for unmatched traffic."';
const PORT_SEC_ACCEPT = '-m comment --comment "Accept all packets when port security is disabled."';

export const hybridFilter: readonly TemplateGroup[] = [
  {
    entries: [
      chain(F, 'neutron-filter-top'),
      chain(F, 'neutron-openvswi-FORWARD'),
      chain(F, 'neutron-openvswi-INPUT'),
      chain(F, 'neutron-openvswi-OUTPUT'),
      chain(F, 'neutron-openvswi-local'),
      chain(F, 'neutron-openvswi-sg-chain'),
      chain(F, 'neutron-openvswi-sg-fallback'),
      rule(F, 'INPUT', '-j neutron-openvswi-INPUT', 'the OVS agent hooks its INPUT chain into the host'),
      rule(F, 'FORWARD', '-j neutron-filter-top', 'shared top-of-FORWARD chain of all Neutron agents'),
      rule(F, 'FORWARD', '-j neutron-openvswi-FORWARD', 'bridged VM traffic is filtered from the FORWARD chain'),
      rule(F, 'OUTPUT', '-j neutron-filter-top', 'shared top-of-OUTPUT chain of all Neutron agents'),
      rule(F, 'OUTPUT', '-j neutron-openvswi-OUTPUT', 'the OVS agent hooks its OUTPUT chain into the host'),
      rule(F, 'neutron-filter-top', '-j neutron-openvswi-local', 'the agent\'s local chain, reached from the shared top chain'),
      rule(F, 'neutron-openvswi-sg-fallback', `${UNMATCH_DROP} -j DROP`, 'traffic no security group rule allowed is dropped'),
    ],
  },
  {
    each: 'filteredPort',
    entries: [
      chain(F, '{ichain}'),
      chain(F, '{ochain}'),
      chain(F, '{schain}'),
      rule(F, 'neutron-openvswi-FORWARD', `-m physdev --physdev-out {tap} --physdev-is-bridged ${VM_INT_SG} -j neutron-openvswi-sg-chain`,
        'traffic bridged towards the VM goes through the security group chain'),
      rule(F, 'neutron-openvswi-sg-chain', `-m physdev --physdev-out {tap} --physdev-is-bridged ${SG_TO_VM_SG} -j {ichain}`,
        'traffic towards the VM is checked against its ingress rules'),
      // The ingress chain: established first, DHCP replies, the groups' rules, invalid drop, fallback.
      rule(F, '{ichain}', `-m state --state RELATED,ESTABLISHED ${ALLOW_ASSOC} -j RETURN`,
        'replies to connections already allowed are let in'),
      group({
        each: 'dhcpServer',
        until: DHCP_REPLY_BY_DESTINATION_SINCE,
        entries: [rule(F, '{ichain}', '-s {dhcpIp}/32 -p udp -m udp --sport 67 --dport 68 -j RETURN',
          'DHCP replies from the network\'s DHCP server {dhcpIp} are let in (before Pike the server allowed UDP 67→68 from each DHCP port)')],
      }),
      group({
        each: 'dhcpDestination',
        since: DHCP_REPLY_BY_DESTINATION_SINCE,
        entries: [rule(F, '{ichain}', '-d {dhcpDst} -p udp -m udp --sport 67 --dport 68 -j RETURN',
          'UDP 67→68 to {dhcpDst} is let in from any source (since Pike the server allows DHCP replies to the port\'s fixed IP and the broadcast address, whoever sends them)')],
      }),
      group({ each: 'ingressRule', entries: [rule(F, '{ichain}', '{sgRule}', '{sgWhy}')] }),
      rule(F, '{ichain}', `-m state --state INVALID ${INVALID_DROP} -j DROP`,
        'packets conntrack considers invalid are dropped'),
      rule(F, '{ichain}', `${UNMATCHED} -j neutron-openvswi-sg-fallback`,
        'ingress no security group rule allowed goes to the default drop'),
      rule(F, 'neutron-openvswi-FORWARD', `-m physdev --physdev-in {tap} --physdev-is-bridged ${VM_INT_SG} -j neutron-openvswi-sg-chain`,
        'traffic bridged from the VM goes through the security group chain'),
      rule(F, 'neutron-openvswi-sg-chain', `-m physdev --physdev-in {tap} --physdev-is-bridged ${SG_TO_VM_SG} -j {ochain}`,
        'traffic from the VM is checked against its egress rules'),
      rule(F, 'neutron-openvswi-INPUT', `-m physdev --physdev-in {tap} --physdev-is-bridged ${INPUT_TO_SG} -j {ochain}`,
        'traffic from the VM to the host itself is checked against its egress rules'),
      // The egress chain: DHCP discovery, anti-spoofing, DHCP renewal, no rogue DHCP server, groups' rules.
      rule(F, '{ochain}', `-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp -m udp --sport 68 --dport 67 ${DHCP_CLIENT} -j RETURN`,
        'the VM may broadcast DHCP discovery before it has an address'),
      rule(F, '{ochain}', '-j {schain}', 'anti-spoofing: only the port\'s own addresses and MAC may send'),
      group({
        each: 'spoofPair',
        entries: [rule(F, '{schain}', `-s {pairCidr} -m mac --mac-source {pairMac} ${PAIR_ALLOW} -j RETURN`,
          'anti-spoofing: {pairCidr} from {pairMac} belongs to the port')],
      }),
      rule(F, '{schain}', `${PAIR_DROP} -j DROP`, 'anti-spoofing: any other source address or MAC is dropped'),
      rule(F, '{ochain}', `-p udp -m udp --sport 68 --dport 67 ${DHCP_CLIENT} -j RETURN`,
        'the VM may renew its DHCP lease'),
      rule(F, '{ochain}', `-p udp -m udp --sport 67 --dport 68 ${DHCP_SPOOF} -j DROP`,
        'the VM may not act as a DHCP server'),
      rule(F, '{ochain}', `-m state --state RELATED,ESTABLISHED ${ALLOW_ASSOC} -j RETURN`,
        'replies to connections already allowed are let out'),
      group({ each: 'egressRule', entries: [rule(F, '{ochain}', '{sgRule}', '{sgWhy}')] }),
      rule(F, '{ochain}', `-m state --state INVALID ${INVALID_DROP} -j DROP`,
        'packets conntrack considers invalid are dropped'),
      rule(F, '{ochain}', `${UNMATCHED} -j neutron-openvswi-sg-fallback`,
        'egress no security group rule allowed goes to the default drop'),
    ],
  },
  {
    entries: [rule(F, 'neutron-openvswi-sg-chain', '-j ACCEPT', 'traffic the port chains returned is accepted')],
  },
  {
    // Ports without port security get no chains: both directions are accepted (and the host input).
    each: 'unfilteredPort',
    entries: [
      rule(F, 'neutron-openvswi-FORWARD', `-m physdev --physdev-out {tap} --physdev-is-bridged ${PORT_SEC_ACCEPT} -j ACCEPT`,
        'port security is disabled: all traffic to the VM is accepted'),
      rule(F, 'neutron-openvswi-FORWARD', `-m physdev --physdev-in {tap} --physdev-is-bridged ${PORT_SEC_ACCEPT} -j ACCEPT`,
        'port security is disabled: all traffic from the VM is accepted'),
      rule(F, 'neutron-openvswi-INPUT', `-m physdev --physdev-in {tap} --physdev-is-bridged ${PORT_SEC_ACCEPT} -j ACCEPT`,
        'port security is disabled: all traffic from the VM to the host is accepted'),
    ],
  },
];
