// Address arithmetic for the walker: IPv4 text ↔ number, prefix membership, and MAC masks.
// Guarantees: pure functions; malformed text never matches anything (no exception, no wrong number).
import type { Ipv4, Mac } from '../ir/packet.ts';
import { BROADCAST_MAC } from '../ir/packet.ts';

/** `10.0.0.5` → 0x0a000005 (unsigned), or null when the text is not a dotted quad. */
export function ipToInt(ip: Ipv4): number | null {
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

function maskOf(prefixLen: number): number {
  // A shift by 32 is a shift by 0 in JavaScript: /0 is handled apart.
  return prefixLen <= 0 ? 0 : (0xffffffff << (32 - Math.min(prefixLen, 32))) >>> 0;
}

/** Whether `ip` lies in `net/prefixLen` (host bits of `net` ignored). */
export function inPrefix(ip: Ipv4, net: Ipv4, prefixLen: number): boolean {
  const a = ipToInt(ip);
  const b = ipToInt(net);
  if (a === null || b === null) return false;
  const m = maskOf(prefixLen);
  return ((a & m) >>> 0) === ((b & m) >>> 0);
}

// Every flow match compares MACs, and a cloud has few distinct ones: parse each once. Bounded, since
// replayed witnesses may bring arbitrary addresses.
const MAC_CACHE_LIMIT = 1 << 16;
const macCache = new Map<string, readonly number[] | null>();

function macBytes(mac: Mac): readonly number[] | null {
  const hit = macCache.get(mac);
  if (hit !== undefined) return hit;
  const parts = mac.toLowerCase().split(':');
  const bytes = parts.length !== 6 || parts.some((p) => !/^[0-9a-f]{1,2}$/.test(p)) ? null : parts.map((p) => parseInt(p, 16));
  if (macCache.size >= MAC_CACHE_LIMIT) macCache.clear();
  macCache.set(mac, bytes);
  return bytes;
}

/** `mac` equals `want` on the bits of `mask` (null mask = all bits). */
export function macMatches(mac: Mac, want: Mac, mask: Mac | null): boolean {
  const a = macBytes(mac);
  const b = macBytes(want);
  const m = mask === null ? [255, 255, 255, 255, 255, 255] : macBytes(mask);
  if (!a || !b || !m) return false;
  return a.every((x, i) => (x & m[i]!) === (b[i]! & m[i]!));
}

/** Group bit set: broadcast or multicast. */
export function isGroupMac(mac: Mac): boolean {
  const a = macBytes(mac);
  return a !== null && (a[0]! & 1) === 1;
}

export function isBroadcastMac(mac: Mac): boolean {
  return mac.toLowerCase() === BROADCAST_MAC;
}
