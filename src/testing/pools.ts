// The fixed vocabularies a generated topology draws from: names, address pools, ports and prefixes.
// Pools are small and chosen to collide on purpose (overlapping tenant CIDRs, port ranges sharing a
// bound, remote prefixes that cover each other), since bugs live where things meet.
export const PROJECTS = ['demo', 'alt', 'blue', 'green'] as const;

/** Tenant subnets; some overlap (10.0.0.0/23 covers the first two, 192.168.1.128/25 sits in the third). */
export const TENANT_CIDRS = [
  '10.0.0.0/24', '192.168.1.0/24', '10.0.1.0/24', '192.168.2.0/24', '10.0.0.0/23', '172.16.0.0/26', '192.168.1.128/25', '10.10.0.0/24',
] as const;

/** External subnets (documentation ranges, RFC 5737), disjoint: a public address belongs to one network. */
export const EXTERNAL_CIDRS = ['203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/26', '192.0.2.64/26'] as const;

/** Ports a rule names, with the extremes; ranges are formed from two of them. */
export const PORTS = [22, 80, 443, 53, 1000, 2000, 2100, 8080, 1, 65535, 3306, 5000] as const;

/** Remote prefixes of rules (a bare address too, as Neutron accepts). */
export const REMOTE_PREFIXES = [
  '0.0.0.0/0', '10.0.0.0/8', '10.0.0.0/24', '192.168.1.0/24', '203.0.113.0/24', '10.0.0.5', '192.168.1.10/32', '10.0.1.0/25', '8.8.8.8/32', '172.16.0.0/12',
] as const;

/** Security group names; the first is Neutron's own group, written out. */
export const GROUP_NAMES = ['default', 'web', 'ssh', 'db', 'mgmt'] as const;

/** Extra routes' destinations. */
export const ROUTE_DESTINATIONS = ['10.20.0.0/24', '0.0.0.0/0', '192.168.2.0/24', '100.64.0.0/16', '8.8.8.0/24', '10.0.1.0/24'] as const;

/** Physical networks and the bridges that carry them. */
export const BRIDGE_OF_PHYSNET: Readonly<Record<string, string>> = {
  external: 'br-ex', external2: 'br-ex2', physnet1: 'br-vlan', provider: 'br-provider', provider2: 'br-provider2', provider3: 'br-provider3',
  provider4: 'br-provider4', provider5: 'br-provider5',
};
export const FLAT_EXTERNAL_PHYSNETS = ['external', 'external2'] as const;
export const FLAT_TENANT_PHYSNETS = ['provider', 'provider2', 'provider3', 'provider4', 'provider5'] as const;

/** First written segmentation ID of each type (the spec adds an offset). */
export const SEGMENTATION_BASE = { vlan: 100, vxlan: 1000, gre: 2000 } as const;
