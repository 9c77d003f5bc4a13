// MAC masks for the walker: masked equality and the group bit. Guarantees: pure functions; malformed
// text never matches anything (no exception). Address parsing is src/net/; this adds the walker's
// cache, since every flow match compares MACs.
import type { Mac } from '../ir/packet.ts';
import { BROADCAST_MAC } from '../ir/packet.ts';
import { macBytes as parseMacBytes, macToNumber } from '../net/mac.ts';

// A cloud has few distinct MACs: parse each once. Bounded, since replayed witnesses may bring
// arbitrary addresses.
const MAC_CACHE_LIMIT = 1 << 16;
const macCache = new Map<string, readonly number[] | null>();

function macBytes(mac: Mac): readonly number[] | null {
  const hit = macCache.get(mac);
  if (hit !== undefined) return hit;
  const bytes = parseMacBytes(mac);
  if (macCache.size >= MAC_CACHE_LIMIT) macCache.clear();
  macCache.set(mac, bytes);
  return bytes;
}

const macNumbers = new Map<string, number>();

/** `macToNumber` (net/mac.ts), cached as the bytes are: a Linux bridge and NORMAL read both MACs of every frame. */
export function macNumber(mac: Mac): number {
  let n = macNumbers.get(mac);
  if (n === undefined) {
    n = macToNumber(mac); // throws on text that is not a MAC, as before
    if (macNumbers.size >= MAC_CACHE_LIMIT) macNumbers.clear();
    macNumbers.set(mac, n);
  }
  return n;
}

/**
 * A MAC as a canonical key: two texts give the same key exactly when `macMatches` with a null mask holds
 * between them; null for text that never matches.
 */
export function macKey(mac: Mac): string | null {
  return macBytes(mac)?.join(':') ?? null;
}

/** `mac` equals `want` on the bits of `mask` (null mask = all bits). */
export function macMatches(mac: Mac, want: Mac, mask: Mac | null): boolean {
  const a = macBytes(mac);
  const b = macBytes(want);
  const m = mask === null ? ALL_BITS : macBytes(mask);
  if (!a || !b || !m) return false;
  for (let i = 0; i < 6; i++) if ((a[i]! & m[i]!) !== (b[i]! & m[i]!)) return false;
  return true;
}

const ALL_BITS: readonly number[] = [255, 255, 255, 255, 255, 255];

/** Group bit set: broadcast or multicast. */
export function isGroupMac(mac: Mac): boolean {
  const a = macBytes(mac);
  return a !== null && (a[0]! & 1) === 1;
}

export function isBroadcastMac(mac: Mac): boolean {
  return mac.toLowerCase() === BROADCAST_MAC;
}
