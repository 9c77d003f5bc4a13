// The hybrid firewall's raw table: conntrack zones per port (`_get_jump_rules` in iptables_firewall.py).
// Since Queens every filtered port has its own zone (from 4097) set on its qvb (by physdev and by
// input interface) and its tap, with a "Set zone for <port id>" comment; before Queens the zone was a
// small per-network number, set on qvb and tap by physdev only, without a comment (the Newton sample).
// Since Ussuri a port in stateless groups (`stateful: false`; neutron commit cbc473e066, "Support for
// stateless security groups") gets the same three matches with `-j CT --notrack` and a "Make <port id>
// stateless" comment instead: its packets are UNTRACKED, so the filter chains' RELATED,ESTABLISHED
// RETURN (and INVALID DROP) never match them — replies come back only where a rule lets them in. The
// loader refuses `stateful: false` before Ussuri (check-security.ts).
//
// Scopes: filteredPort (vars qvb, tap, zone, portId; flag stateless).
import { chain, group, rule, type TemplateGroup } from '../../src/render/linux/template.ts';
import { STATELESS_SINCE } from '../../src/render/linux/zones.ts';

const R = 'raw';

export const hybridRaw: readonly TemplateGroup[] = [
  {
    entries: [
      chain(R, 'neutron-openvswi-OUTPUT'),
      chain(R, 'neutron-openvswi-PREROUTING'),
      rule(R, 'PREROUTING', '-j neutron-openvswi-PREROUTING', 'the OVS agent hooks its raw PREROUTING chain into the host'),
      rule(R, 'OUTPUT', '-j neutron-openvswi-OUTPUT', 'the OVS agent hooks its raw OUTPUT chain into the host'),
    ],
  },
  {
    each: 'filteredPort',
    entries: [
      group({
        since: 'queens',
        when: '!stateless',
        entries: [
          rule(R, 'neutron-openvswi-PREROUTING', '-m physdev --physdev-in {qvb} -m comment --comment "Set zone for {portId}" -j CT --zone {zone}',
            'traffic entering the port\'s bridge from br-int is tracked in the port\'s conntrack zone {zone}'),
          rule(R, 'neutron-openvswi-PREROUTING', '-i {qvb} -m comment --comment "Set zone for {portId}" -j CT --zone {zone}',
            'traffic arriving on the port\'s qvb is tracked in the port\'s conntrack zone {zone}'),
          rule(R, 'neutron-openvswi-PREROUTING', '-m physdev --physdev-in {tap} -m comment --comment "Set zone for {portId}" -j CT --zone {zone}',
            'traffic from the VM is tracked in the port\'s conntrack zone {zone}'),
        ],
      }),
      group({
        since: STATELESS_SINCE,
        when: 'stateless',
        entries: [
          rule(R, 'neutron-openvswi-PREROUTING', '-m physdev --physdev-in {qvb} -m comment --comment "Make {portId} stateless" -j CT --notrack',
            'the port\'s groups are stateless: traffic entering its bridge from br-int is not tracked, so no reply is let in by conntrack (iptables_firewall.py _get_jump_rules, since Ussuri)'),
          rule(R, 'neutron-openvswi-PREROUTING', '-i {qvb} -m comment --comment "Make {portId} stateless" -j CT --notrack',
            'the port\'s groups are stateless: traffic arriving on its qvb is not tracked'),
          rule(R, 'neutron-openvswi-PREROUTING', '-m physdev --physdev-in {tap} -m comment --comment "Make {portId} stateless" -j CT --notrack',
            'the port\'s groups are stateless: traffic from the VM is not tracked, so no reply is let out by conntrack'),
        ],
      }),
      group({
        until: 'queens',
        entries: [
          rule(R, 'neutron-openvswi-PREROUTING', '-m physdev --physdev-in {qvb} -j CT --zone {zone}',
            'traffic entering the port\'s bridge from br-int is tracked in the network\'s conntrack zone {zone}'),
          rule(R, 'neutron-openvswi-PREROUTING', '-m physdev --physdev-in {tap} -j CT --zone {zone}',
            'traffic from the VM is tracked in the network\'s conntrack zone {zone}'),
        ],
      }),
    ],
  },
];
