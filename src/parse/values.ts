// Readers of the scalar values found in artifacts: integers (decimal or 0x-hex), IPv4 addresses,
// CIDRs (with a prefix length or a dotted mask), MACs. Each returns null when the text is not a
// valid value, so the caller can turn it into a warning with the line.
import type { Ipv4, Mac } from '../ir/packet.ts';
import type { Cidr } from '../ir/openflow.ts';

/** `42`, `0x2a` → 42; anything else (including negative or non-integral) → null. */
export function parseIntAuto(s: string): number | null {
  const t = s.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^[0-9]+$/.test(t)) return Number.parseInt(t, 10);
  return null;
}

/** Dotted-quad IPv4 in canonical form (no leading zeros), or null. */
export function parseIpv4(s: string): Ipv4 | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.join('.');
}

function ipv4ToInt(ip: Ipv4): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** Prefix length of a contiguous dotted mask (`255.255.255.0` → 24), or null if not contiguous. */
export function maskToPrefixLen(mask: Ipv4): number | null {
  const n = ipv4ToInt(mask);
  for (let len = 0; len <= 32; len++) {
    const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    if (m === n) return len;
  }
  return null;
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
export function parseMac(s: string): Mac | null {
  const t = s.trim().toLowerCase();
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(t) ? t : null;
}
