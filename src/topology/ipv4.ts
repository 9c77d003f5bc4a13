// CIDRs as the topology loader reads them: a numeric network and prefix, parsed the way Neutron
// validates a subnet (host bits set are an error, with the recommended form), plus the containment,
// overlap and usable-range tests the checks need. Addresses are unsigned 32-bit numbers; the address
// arithmetic itself is src/net/ipv4.ts. Parsing is strict, so a typo never becomes an address.
import { broadcastOf as broadcastAddress, formatIpv4, networkOf, parseIpv4 as parseExact } from '../net/ipv4.ts';

export { formatIpv4 };

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefix: number;
}

/** True when the text looks like an IPv6 address or prefix (which netproof does not model). */
export const looksIpv6 = (s: string): boolean => s.includes(':');

/** A dotted-quad IPv4 address as topology text gives it (spaces around ignored); null when it is not one. */
export const parseIpv4 = (s: string): number | null => parseExact(s.trim());

export type CidrParse =
  | { readonly ok: true; readonly cidr: Cidr }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses `a.b.c.d/len`. Like Neutron, host bits set (192.168.1.5/24) are rejected with the
 * recommended form, since an operator who wrote that probably meant something else.
 * A bare address is accepted as a /32 only when `allowBareAddress` (allowed address pairs).
 */
export function parseCidr(s: string, allowBareAddress = false): CidrParse {
  const [addr, len, extra] = s.trim().split('/');
  if (extra !== undefined || addr === undefined) return { ok: false, reason: `"${s}" is not an IPv4 CIDR` };
  const ip = parseIpv4(addr);
  if (ip === null) return { ok: false, reason: `"${s}" is not an IPv4 CIDR` };
  if (len === undefined) {
    return allowBareAddress ? { ok: true, cidr: { network: ip, prefix: 32 } } : { ok: false, reason: `"${s}" has no prefix length` };
  }
  if (!/^\d{1,2}$/.test(len) || Number(len) > 32) return { ok: false, reason: `"${s}" has an invalid prefix length` };
  const prefix = Number(len);
  const network = networkOf(ip, prefix);
  if (network !== ip) {
    return { ok: false, reason: `"${s}" has host bits set; ${formatIpv4(network)}/${prefix} is recommended` };
  }
  return { ok: true, cidr: { network, prefix } };
}

export const formatCidr = (c: Cidr): string => `${formatIpv4(c.network)}/${c.prefix}`;

export const broadcastOf = (c: Cidr): number => broadcastAddress(c.network, c.prefix);

export const cidrContains = (c: Cidr, ip: number): boolean => networkOf(ip, c.prefix) === c.network;

/** True when two prefixes share any address. */
export const cidrsOverlap = (a: Cidr, b: Cidr): boolean =>
  cidrContains(a.prefix <= b.prefix ? a : b, (a.prefix <= b.prefix ? b : a).network);

/** Host addresses usable for ports: all but the network and broadcast addresses; null for /31 and /32. */
export function usableRange(c: Cidr): { readonly first: number; readonly last: number } | null {
  if (c.prefix >= 31) return null;
  return { first: c.network + 1, last: broadcastOf(c) - 1 };
}
