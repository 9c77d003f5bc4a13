// What tells one station from another, for caches and labels: a VM port by its port, the outside
// world by its network and the subnet its upstream router sits on. An external or provider network
// with several subnets has one outside station per subnet with a gateway, all with the network's
// name and MAC; each sends its own packets (to the addresses on its own subnet, from its own
// gateway), so a key by network alone would let one stand in for the others.
// Guarantees: two stations of one dataplane have equal keys only when they are the same station.
import type { Station } from '../ir/dataplane.ts';

/** `vm:<port id>`, or `outside:<network>@<subnet cidr>`. */
export function stationKey(s: Station): string {
  return s.kind === 'vm-port' ? `vm:${s.portId}` : `outside:${s.network}@${s.cidr.ip}/${s.cidr.prefixLen}`;
}

/** A station as people name it: `VM:N`, or `outside:<network>@<subnet cidr>`. */
export function stationName(s: Station): string {
  return s.kind === 'vm-port' ? `${s.vm}:${s.index}` : `outside:${s.network}@${s.cidr.ip}/${s.cidr.prefixLen}`;
}
