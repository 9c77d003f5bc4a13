// Fixed-address allocation per subnet, as Neutron's IPAM does it for ports created in order: each
// subnet's gateway and every written address are reserved first, then each request gets the lowest
// free host address. The caller makes requests in the documented order (DHCP ports, router gateways,
// VM ports, each in file order), which is what makes the result deterministic.
import type { Cidr } from './ipv4.ts';
import { usableRange } from './ipv4.ts';

export interface AddressPools {
  reserve(subnet: string, ip: number): void;
  /** The lowest free host address of the subnet, now taken; null when none is left. */
  allocate(subnet: string, cidr: Cidr): number | null;
}

export function createPools(): AddressPools {
  const used = new Map<string, Set<number>>();
  const set = (s: string) => {
    let u = used.get(s);
    if (!u) used.set(s, (u = new Set()));
    return u;
  };
  return {
    reserve(subnet, ip) {
      set(subnet).add(ip);
    },
    allocate(subnet, cidr) {
      const range = usableRange(cidr);
      if (!range) return null;
      const u = set(subnet);
      for (let ip = range.first; ip <= range.last; ip++) {
        if (!u.has(ip)) {
          u.add(ip);
          return ip;
        }
      }
      return null;
    },
  };
}
