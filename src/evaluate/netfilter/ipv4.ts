// IPv4 arithmetic for the netfilter engine: dotted-quad text to a 32-bit number and CIDR
// membership. Guarantees: pure functions; malformed text yields null, never a wrong number.
import type { Cidr } from '../../ir/openflow.ts';

/** `10.0.0.5` → 0x0a000005 (unsigned), or null when the text is not a dotted quad. */
export function ipToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

/** The network mask of a prefix length as an unsigned 32-bit number. */
function maskOf(prefixLen: number): number {
  // `<<` works on signed 32-bit ints, and a shift by 32 is a shift by 0: handle /0 apart.
  return prefixLen <= 0 ? 0 : (0xffffffff << (32 - Math.min(prefixLen, 32))) >>> 0;
}

/**
 * Whether `ip` lies in `cidr`. Host bits set in the CIDR's address are ignored, as iptables
 * masks `-s 10.0.0.5/24` to `10.0.0.0/24`. A malformed address is in no CIDR.
 */
export function inCidr(ip: string, cidr: Cidr): boolean {
  const a = ipToInt(ip);
  const b = ipToInt(cidr.ip);
  if (a === null || b === null) return false;
  const m = maskOf(cidr.prefixLen);
  return ((a & m) >>> 0) === ((b & m) >>> 0);
}
