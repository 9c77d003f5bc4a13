// Lookups over the resolved topology shared by the Linux renderers. The topology refers to networks,
// subnets and routers by name; ids are accepted too so a reference written either way resolves.
import type { NetworkT, NetworkType, PortT, SubnetT, Topology } from '../../topology/model.ts';
import { networkByRef, subnetByRef } from '../../topology/lookup.ts';

/** How provenance names a port: `port vm1:0 (<id>)`. */
export const portLabel = (p: PortT): string => `port ${p.name} (${p.id})`;

export function findNetwork(topo: Topology, ref: string): NetworkT | undefined {
  return networkByRef(topo, ref);
}

export function findSubnet(topo: Topology, ref: string): SubnetT | undefined {
  return subnetByRef(topo, ref);
}

/** The network MTU Neutron derives for a 1500-byte underlay (path_mtu 1500, IPv4 overlay). */
export function networkMtu(type: NetworkType): number {
  switch (type) {
    case 'vxlan':
      return 1450;
    case 'gre':
      return 1458;
    case 'flat':
    case 'vlan':
      return 1500;
    default: {
      const never: never = type;
      throw new Error(`unknown network type ${String(never)}`);
    }
  }
}

export function mtuOf(topo: Topology, networkRef: string): number {
  const n = findNetwork(topo, networkRef);
  return n ? networkMtu(n.type) : 1500;
}
