// br-int: which objects each `IntWhen` of rules/ovs-agent/br-int.ts ranges over on one host, and the
// placeholder values for each. Anti-spoofing follows the agent's setup_arp_spoofing_protection():
// only ports with port security whose device owner is not `network:*`; the MAC set is the port's MAC
// plus the allowed address pairs' MACs; ARP protection is skipped altogether when an allowed
// address is a /0 (ARP_SPA cannot match it); IPv6 NA protection always covers the MACs' link-local
// addresses.
import type { HostT, NetworkT, PortT } from '../../topology/model.ts';
import type { IntWhen } from '../../../rules/ovs-agent/template.ts';
import { deviceName } from '../names.ts';
import { arpSpa, isIpv4Text, isZeroPrefix, linkLocal } from './addr.ts';
import { describe } from './describe.ts';
import { lvidOf, networksOn, type TopoIndex } from './host-view.ts';
import type { Binding } from './instantiate.ts';
import { brIntDevice } from './layout.ts';

const isProtected = (p: PortT): boolean => p.portSecurity && !p.deviceOwner.startsWith('network:');

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** The IPv4 addresses and CIDRs a protected port may use (fixed IP first, then allowed address pairs). */
function ipv4Addresses(p: PortT): string[] {
  return unique([p.ip, ...p.allowedAddressPairs.map((a) => a.ipAddress).filter(isIpv4Text)]);
}

function macs(p: PortT): string[] {
  return unique([p.mac, ...p.allowedAddressPairs.flatMap((a) => (a.macAddress ? [a.macAddress] : []))].map((m) => m.toLowerCase()));
}

const hasArpProtection = (p: PortT): boolean => !ipv4Addresses(p).some(isZeroPrefix);

function physicalBridgeOf(host: HostT, n: NetworkT): string {
  const bridge = n.physicalNetwork === null ? undefined : host.bridgeMappings[n.physicalNetwork];
  if (bridge === undefined) throw new Error(`network ${n.name} is on ${host.name} but its physical network is not in its bridge_mappings`);
  return bridge;
}

function providerNetworks(ix: TopoIndex, host: HostT, type: 'vlan' | 'flat'): Binding[] {
  return networksOn(ix, host.name)
    .filter((n) => n.type === type)
    .map((n) => ({
      neutron: describe.network(n),
      vars: {
        int_port: deviceName.intToPhys(physicalBridgeOf(host, n)),
        segmentation_id: n.segmentationId ?? 0,
        lvid: lvidOf(ix, host.name, n.name),
      },
    }));
}

/** The bindings of each br-int condition on `host` (what they range over is computed once per host). */
export function intBinder(ix: TopoIndex, host: HostT): (when: IntWhen) => Binding[] {
  const agent: Binding = { vars: {}, neutron: describe.agent(host.name, 'br-int') };
  const protectedPorts = (ix.portsOfHost.get(host.name) ?? []).filter(isProtected);
  const perPort = (p: PortT, vars: Record<string, string>): Binding => ({ neutron: describe.port(p), vars: { port: brIntDevice(ix.topo, p), ...vars } });
  return (when) => intBindings(ix, host, when, agent, protectedPorts, perPort);
}

function intBindings(
  ix: TopoIndex,
  host: HostT,
  when: IntWhen,
  agent: Binding,
  protectedPorts: readonly PortT[],
  perPort: (p: PortT, vars: Record<string, string>) => Binding,
): Binding[] {
  switch (when) {
    case 'always':
      return [agent];
    case 'per physical bridge':
      return Object.entries(host.bridgeMappings).map(([physnet, bridge]) => ({
        neutron: describe.bridgeMapping(physnet, bridge),
        vars: { int_port: deviceName.intToPhys(bridge), bridge, physnet },
      }));
    case 'per vlan network on this host':
      return providerNetworks(ix, host, 'vlan');
    case 'per flat network on this host':
      return providerNetworks(ix, host, 'flat');
    case 'per protected port':
      return protectedPorts.map((p) => perPort(p, {}));
    case 'per protected port with arp protection':
      return protectedPorts.filter(hasArpProtection).map((p) => perPort(p, {}));
    case 'per protected port ipv4 address':
      return protectedPorts.filter(hasArpProtection).flatMap((p) => ipv4Addresses(p).map((ip) => perPort(p, { ip: arpSpa(ip) })));
    case 'per protected port mac':
      return protectedPorts.flatMap((p) => macs(p).map((mac) => perPort(p, { mac })));
    case 'per protected port link-local address':
      return protectedPorts.flatMap((p) => macs(p).map((mac) => perPort(p, { lla: linkLocal(mac) })));
    default: {
      const never: never = when;
      throw new Error(`unhandled br-int condition ${String(never)}`);
    }
  }
}
