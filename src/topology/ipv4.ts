// IPv4 address and CIDR arithmetic for the topology loader. Addresses are handled as unsigned
// 32-bit numbers; parsing is strict (dotted quad, each octet 0–255) so a typo never becomes an address.

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefix: number;
}

const QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** True when the text looks like an IPv6 address or prefix (which netproof does not model). */
export const looksIpv6 = (s: string): boolean => s.includes(':');

/** Parses a dotted-quad IPv4 address; null when it is not one. */
export function parseIpv4(s: string): number | null {
  const m = QUAD.exec(s.trim());
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    n = n * 256 + o;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

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
  const network = (ip & maskOf(prefix)) >>> 0;
  if (network !== ip) {
    return { ok: false, reason: `"${s}" has host bits set; ${formatIpv4(network)}/${prefix} is recommended` };
  }
  return { ok: true, cidr: { network, prefix } };
}

export const formatCidr = (c: Cidr): string => `${formatIpv4(c.network)}/${c.prefix}`;

export const broadcastOf = (c: Cidr): number => (c.network | (~maskOf(c.prefix) >>> 0)) >>> 0;

export const cidrContains = (c: Cidr, ip: number): boolean => ((ip & maskOf(c.prefix)) >>> 0) === c.network;

/** True when two prefixes share any address. */
export const cidrsOverlap = (a: Cidr, b: Cidr): boolean =>
  cidrContains(a.prefix <= b.prefix ? a : b, (a.prefix <= b.prefix ? b : a).network);

/** Host addresses usable for ports: all but the network and broadcast addresses; null for /31 and /32. */
export function usableRange(c: Cidr): { readonly first: number; readonly last: number } | null {
  if (c.prefix >= 31) return null;
  return { first: c.network + 1, last: broadcastOf(c) - 1 };
}
