// Interface names past Linux's 15 characters, as Neutron shortens them (neutron_lib.plugins.utils.
// get_interface_name): the OVS agent's patch ports to a bridge_mappings bridge are `int-<bridge>` and
// `phy-<bridge>` only while they fit; `int-br-provider2` (16) becomes `int-br-pr` + the first 6 hex
// digits of SHA-1("br-provider2"). Before, netproof wrote the long name, which OpenFlow (16-byte port
// names with the NUL) cuts to `int-br-provider` — the name of the next bridge's port — so real Open
// vSwitch refused the rendered br-int flows naming either.
import { describe, expect, it } from 'vitest';
import { deviceName, interfaceName } from '../../src/render/names.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { segmentIssues } from '../../src/questions/properties/segment-structure.ts';

describe('interface names as get_interface_name makes them', () => {
  it('keeps names that fit and hashes the rest to 15 characters (values computed with Python\'s hashlib)', () => {
    expect(deviceName.intToPhys('br-ex')).toBe('int-br-ex');
    expect(deviceName.intToPhys('br-provider')).toBe('int-br-provider');
    expect(deviceName.intToPhys('br-provider2')).toBe('int-br-pr6e8b65');
    expect(deviceName.physToInt('br-provider2')).toBe('phy-br-pr6e8b65');
    expect(interfaceName('br-provider2', 'int-')).toHaveLength(15);
  });

  it('renders two bridges whose long names share 11 characters with distinct patch ports, and both engines read them', () => {
    const text = `
defaults: { release: "2024.1" }
hosts:
  compute1: { role: compute, tunnel_ip: 10.0.0.11, bridge_mappings: { provider: br-provider, provider2: br-provider2 } }
  network1: { role: network, tunnel_ip: 10.0.0.21, bridge_mappings: { provider: br-provider, provider2: br-provider2 } }
networks:
  net1: { project: demo, type: flat, physical_network: provider, subnets: { s1: { cidr: 10.1.0.0/24 } } }
  net2: { project: demo, type: flat, physical_network: provider2, subnets: { s2: { cidr: 10.2.0.0/24 } } }
vms:
  vm1: { project: demo, host: compute1, ports: [ { network: net1 } ] }
  vm2: { project: demo, host: compute1, ports: [ { network: net2 } ] }
`;
    const t = loadTopologyText(text, 'long-bridges.yaml');
    if (!t.ok) throw new Error(JSON.stringify(t.errors));
    const m = modelFromTopology(t.value);
    const show = m.artifacts.find((a) => a.path === 'compute1/ovs-vsctl-show')?.text ?? '';
    expect(show).toContain('Port int-br-pr6e8b65');
    expect(show).toContain('Port int-br-provider\n');
    const flows = m.artifacts.find((a) => a.path === 'compute1/br-int.dump-flows')?.text ?? '';
    expect(flows).not.toContain('int-br-provider2');
    const intPorts = m.dataplane.hosts.find((h) => h.name === 'compute1')!.ovsBridges.find((b) => b.name === 'br-int')!.ports.map((p) => p.name);
    expect(intPorts.filter((p) => p.length > 15)).toEqual([]);
    // The segment rule check reads the same names: nothing admitted from a port it does not know.
    expect(segmentIssues(m.topology, m.dataplane)).toEqual([]);
  });
});
