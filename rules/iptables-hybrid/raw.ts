// The hybrid firewall's raw table: conntrack zones per port (`_get_jump_rules` in iptables_firewall.py).
// Since Queens every filtered port has its own zone (from 4097) set on its qvb (by physdev and by
// input interface) and its tap, with a "Set zone for <port id>" comment; before Queens the zone was a
// small per-network number, set on qvb and tap by physdev only, without a comment (the Newton sample).
//
// Scopes: filteredPort (vars qvb, tap, zone, portId).
import { chain, group, rule, type TemplateGroup } from '../../src/render/linux/template.ts';

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
