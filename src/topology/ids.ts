// Deterministic identifiers: name-based UUIDs for objects written without an `id`, and Neutron-style
// MAC addresses for ports written without a `mac`. The same file always yields the same ids and MACs,
// so rendered artifacts and golden files are stable across runs and machines.
import { createHash } from 'node:crypto';

/** Object kinds that receive derived ids. */
export type IdKind =
  | 'network'
  | 'subnet'
  | 'router'
  | 'port'
  | 'vm'
  | 'security_group'
  | 'security_group_rule'
  | 'floatingip'
  | 'port_forwarding';

/**
 * A name-based UUID: sha1 of `netproof:<kind>:<name>`, formatted 8-4-4-4-12 with the version-5
 * and RFC 4122 variant bits set. Kind and name together are unique within a topology, so ids are too.
 */
export function deriveId(kind: IdKind, name: string): string {
  const h = createHash('sha1').update(`netproof:${kind}:${name}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The 24-bit suffix of a port's MAC, from the hash of its id (before collision bumping). */
export function macSuffixFor(portId: string): number {
  return createHash('sha1').update(`netproof:mac:${portId}`).digest().readUIntBE(0, 3);
}

/** `fa:16:3e` (Neutron's default base_mac) followed by the 24-bit suffix. */
export function formatNeutronMac(suffix: number): string {
  const s = (suffix & 0xffffff).toString(16).padStart(6, '0');
  return `fa:16:3e:${s.slice(0, 2)}:${s.slice(2, 4)}:${s.slice(4, 6)}`;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Canonical lower-case colon form, or null when the text is not a MAC address. */
export function canonicalMac(s: string): string | null {
  const m = s.trim().toLowerCase().replace(/-/g, ':');
  return MAC.test(m) ? m : null;
}

/**
 * Gives every port without a written MAC a derived one, unique among all MACs: the hash suffix,
 * bumped by one (mod 2^24) while it collides with a MAC already taken. Written MACs are taken first,
 * then ports in the order given, so the result depends only on the topology.
 */
export function assignMacs(
  ports: readonly { readonly id: string; readonly mac: string | null }[],
): string[] {
  const taken = new Set<string>();
  for (const p of ports) if (p.mac !== null) taken.add(p.mac);
  return ports.map((p) => {
    if (p.mac !== null) return p.mac;
    let suffix = macSuffixFor(p.id);
    let mac = formatNeutronMac(suffix);
    while (taken.has(mac)) {
      suffix = (suffix + 1) & 0xffffff;
      mac = formatNeutronMac(suffix);
    }
    taken.add(mac);
    return mac;
  });
}
