// segment-isolation's rule check on br-tun when a GRE network and a VXLAN network have the same
// segmentation ID (Neutron allocates each type from its own pool, so both start at 1): br-tun
// decapsulates GRE by key in table 3 and VXLAN in table 4 (the OVS agent's TUN_TABLE), so key 1 in
// table 3 is the GRE network's. The check took any tunnel network with the key and reported the VXLAN
// network's key as mapped to the GRE network's local VLAN (fuzz campaign seed 20261207, case 556).
// A key changed in one table is still reported against that table's network.
import { describe, expect, it } from 'vitest';
import { loadTopologyText } from '../../src/topology/index.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import { segmentIssues } from '../../src/questions/properties/segment-structure.ts';

const TEXT = `
defaults: { release: "2024.1" }
hosts:
  compute1: { role: compute, tunnel_ip: 10.0.0.11 }
  network1: { role: network, tunnel_ip: 10.0.0.12 }
networks:
  netv: { project: demo, type: vxlan, segmentation_id: 1, subnets: { sv: { cidr: 10.1.0.0/24 } } }
  netg: { project: demo, type: gre, segmentation_id: 1, subnets: { sg: { cidr: 10.2.0.0/24 } } }
vms:
  vm1: { project: demo, host: compute1, ports: [ { network: netv }, { network: netg } ] }
  vm2: { project: demo, host: compute1, ports: [ { network: netv }, { network: netg } ] }
`;

describe('br-tun keys of a GRE and a VXLAN network with the same segmentation ID', () => {
  const t = loadTopologyText(TEXT, 'same-key.yaml');
  if (!t.ok) throw new Error(JSON.stringify(t.errors));
  const m = modelFromTopology(t.value);

  it('renders key 1 in both table 3 (GRE) and table 4 (VXLAN), each to its own network\'s local VLAN, and the rule check finds nothing', () => {
    const flows = m.artifacts.find((a) => a.path === 'compute1/br-tun.dump-flows')!.text;
    expect(flows).toMatch(/table=3, .*tun_id=0x1 /);
    expect(flows).toMatch(/table=4, .*tun_id=0x1 /);
    expect(segmentIssues(m.topology, m.dataplane)).toEqual([]);
  });

  it("still reports table 3's key 1 mapped to the VXLAN network's local VLAN, against the GRE network", () => {
    const lv = m.topology.localVlans.compute1!;
    const arts = m.artifacts.map((a) => (a.path !== 'compute1/br-tun.dump-flows' ? a : { ...a, text: a.text.replace(new RegExp(`(table=3, .*tun_id=0x1 actions=mod_vlan_vid:)${lv.netg}\\b`), `$1${lv.netv}`) }));
    expect(arts.find((a) => a.path === 'compute1/br-tun.dump-flows')!.text).not.toBe(m.artifacts.find((a) => a.path === 'compute1/br-tun.dump-flows')!.text);
    const issues = segmentIssues(m.topology, assembleDataplane(m.topology, arts));
    expect(issues.map((i) => i.network)).toEqual(['netg']);
    expect(issues[0]!.text).toMatch(new RegExp(`^key 1 of netg maps to VLAN ${lv.netv}, not local VLAN ${lv.netg} at compute1/br-tun`));
  });
});
