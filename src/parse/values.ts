// Readers of the scalar values found in artifacts: integers (decimal or 0x-hex), IPv4 addresses,
// CIDRs (with a prefix length or a dotted mask), MACs. Each returns null when the text is not a
// valid value, so the caller can turn it into a warning with the line. The address arithmetic is
// src/net/; these give the parsers' contract (canonical text, or null).
import type { Ipv4 } from '../ir/packet.ts';
import type { Cidr } from '../ir/openflow.ts';
import { formatIpv4, maskPrefixLen, parseIpv4 as parseIpv4Number } from '../net/ipv4.ts';

/** `42`, `0x2a` → 42; anything else (including negative or non-integral) → null. */
export function parseIntAuto(s: string): number | null {
  const t = s.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^[0-9]+$/.test(t)) return Number.parseInt(t, 10);
  return null;
}

/** Dotted-quad IPv4 in canonical form (no leading zeros), or null. */
export function parseIpv4(s: string): Ipv4 | null {
  const n = parseIpv4Number(s.trim());
  return n === null ? null : formatIpv4(n);
}

/** Prefix length of a contiguous dotted mask (`255.255.255.0` → 24), or null if not contiguous. */
export function maskToPrefixLen(mask: Ipv4): number | null {
  const n = parseIpv4Number(mask);
  return n === null ? null : maskPrefixLen(n);
}

/** `10.0.0.0/24`, `10.0.0.1` (→ /32), `10.0.0.0/255.255.255.0` → Cidr; null if invalid. */
export function parseCidr(s: string): Cidr | null {
  const [ipText, lenText, ...rest] = s.trim().split('/');
  if (rest.length > 0 || ipText === undefined) return null;
  const ip = parseIpv4(ipText);
  if (ip === null) return null;
  if (lenText === undefined) return { ip, prefixLen: 32 };
  if (/^\d{1,2}$/.test(lenText)) {
    const prefixLen = Number(lenText);
    return prefixLen <= 32 ? { ip, prefixLen } : null;
  }
  const mask = parseIpv4(lenText);
  const prefixLen = mask === null ? null : maskToPrefixLen(mask);
  return prefixLen === null ? null : { ip, prefixLen };
}

/** A MAC in any case, `:`-separated → canonical lower case; null if invalid. */
export { parseMac } from '../net/mac.ts';
