// How a rendered line names the Neutron object behind it (Provenance.neutron): the readable name
// first, the id beside it, as the rest of netproof's output does.
import type { HostT, NetworkT, PortT } from '../../topology/model.ts';

export const describe = {
  port: (p: PortT) => `port ${p.name} (${p.id})`,
  network: (n: NetworkT) => `network ${n.name} (${n.id})`,
  host: (h: HostT) => `host ${h.name}${h.tunnelIp ? ` (tunnel ${h.tunnelIp})` : ''}`,
  bridgeMapping: (physnet: string, bridge: string) => `bridge_mappings ${physnet}:${bridge}`,
  agent: (host: string, bridge: string) => `OVS agent on ${host} (${bridge})`,
} as const;
