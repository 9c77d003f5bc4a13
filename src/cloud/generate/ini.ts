// The agents' ini files a node of a topology would have (ml2_conf.ini, openvswitch_agent.ini,
// l3_agent.ini, dhcp_agent.ini), with the options that shape the dataplane set as the topology says
// (firewall driver, l2population, ARP responder, bridge mappings, tunnel address and types). Used to
// build test clouds whose nodes look like real ones; the cloud reader takes the options back from them.
import type { HostT, Topology } from '../../topology/model.ts';
import { INI_FILES } from '../layout.ts';
import { releaseOrdinal } from '../../topology/release.ts';

const bool = (b: boolean) => (b ? 'True' : 'False');

function tunnelTypes(topo: Topology): string[] {
  const used = new Set(topo.networks.map((n) => n.type));
  return (['vxlan', 'gre'] as const).filter((t) => used.has(t));
}

/** ini file name → text, for one host. L3 and DHCP agent files only on hosts with the network role. */
export function agentIniFiles(topo: Topology, host: HostT): Record<string, string> {
  const tunnels = tunnelTypes(topo);
  const mappings = Object.entries(host.bridgeMappings).map(([physnet, bridge]) => `${physnet}:${bridge}`).join(',');
  const physnets = [...new Set(topo.networks.flatMap((n) => (n.physicalNetwork ? [n.physicalNetwork] : [])))];
  const vlanPhysnets = [...new Set(topo.networks.filter((n) => n.type === 'vlan').flatMap((n) => (n.physicalNetwork ? [n.physicalNetwork] : [])))];
  const files: Record<string, string> = {
    [INI_FILES.ml2]: [
      '[ml2]',
      'type_drivers = flat,vlan,vxlan,gre',
      `tenant_network_types = ${tunnels.length > 0 ? tunnels.join(',') : 'vlan'}`,
      `mechanism_drivers = openvswitch${topo.l2Population ? ',l2population' : ''}`,
      'extension_drivers = port_security',
      '',
      '[ml2_type_flat]',
      `flat_networks = ${physnets.join(',') || '*'}`,
      '',
      '[ml2_type_vlan]',
      `network_vlan_ranges = ${vlanPhysnets.map((p) => `${p}:1:4094`).join(',')}`,
      '',
      '[ml2_type_vxlan]',
      'vni_ranges = 1:16777215',
      '',
      '[ml2_type_gre]',
      'tunnel_id_ranges = 1:4094',
      '',
    ].join('\n'),
    [INI_FILES.ovsAgent]: [
      '[ovs]',
      'integration_bridge = br-int',
      ...(host.tunnelIp !== null && tunnels.length > 0 ? ['tunnel_bridge = br-tun', `local_ip = ${host.tunnelIp}`] : []),
      `bridge_mappings = ${mappings}`,
      '',
      '[agent]',
      `tunnel_types = ${host.tunnelIp !== null ? tunnels.join(',') : ''}`,
      `l2_population = ${bool(topo.l2Population)}`,
      `arp_responder = ${bool(topo.arpResponder)}`,
      '',
      '[securitygroup]',
      `firewall_driver = ${topo.firewallDriver}`,
      `enable_security_group = ${bool(topo.firewallDriver !== 'noop')}`,
      '',
    ].join('\n'),
  };
  if (host.network) {
    files[INI_FILES.l3Agent] = ['[DEFAULT]', 'interface_driver = openvswitch', 'agent_mode = legacy', ''].join('\n');
    files[INI_FILES.dhcpAgent] = ['[DEFAULT]', 'interface_driver = openvswitch', 'dhcp_driver = neutron.agent.linux.dhcp.Dnsmasq', 'enable_isolated_metadata = False', ''].join('\n');
  }
  return files;
}

/** The neutron version a release's OVS agent reports (`neutron-openvswitch-agent --version`): the release's first, `24.0.0` for 2024.1. */
export function neutronVersion(release: string): string {
  const ord = releaseOrdinal(release);
  const liberty = releaseOrdinal('liberty');
  if (ord === null || liberty === null) throw new Error(`unknown Neutron release "${release}"`);
  return `${7 + ord - liberty}.0.0`;
}
