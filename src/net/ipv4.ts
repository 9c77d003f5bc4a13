// IPv4 arithmetic, the one implementation every layer uses: dotted-quad text ↔ unsigned 32-bit number,
// prefix masks, and prefix membership. Guarantees: pure functions; parsing is strict (exactly four
// decimal octets of 1–3 digits, each 0–255, nothing around them — callers that allow spaces trim
// first); numbers are unsigned (`>>> 0` after every bitwise step, since JavaScript's bitwise
// operators work on signed 32-bit integers). Two ways to read an address, by what a caller wants
// from bad text: `parseIpv4` gives null, `ipv4ToNumber` throws.

// Read character by character rather than with a regular expression: the evaluator reads a packet's
// addresses at every route, flow and rule that tests one (a regular expression's match was about a
// twentieth of a concrete trace). The same text is accepted (test/net/ipv4.test.ts holds it to the
// pattern /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/).
/** `10.0.0.5` → 0x0a000005, or null when the text is not a dotted quad. */
export function parseIpv4(text: string): number | null {
  const len = text.length;
  let n = 0;
  let i = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (i >= len || text.charCodeAt(i) !== 46) return null; // '.'
      i++;
    }
    let v = 0;
    let digits = 0;
    while (i < len && digits < 4) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || v > 255) return null;
    n = n * 256 + v;
  }
  return i === len ? n : null;
}

/** As `parseIpv4`, for text that must be an address: anything else throws. */
export function ipv4ToNumber(text: string): number {
  const n = parseIpv4(text);
  if (n === null) throw new Error(`not an IPv4 address: ${text}`);
  return n;
}

export const isIpv4 = (text: string): boolean => parseIpv4(text) !== null;

/** Dotted-quad text of a number, taken modulo 2^32 (so a negative number reads as two's complement). */
export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The network mask of a prefix length; lengths below 0 read as 0 and above 32 as 32. */
export function prefixMask(prefixLen: number): number {
  // A shift by 32 is a shift by 0 in JavaScript: /0 is handled apart.
  return prefixLen <= 0 ? 0 : (0xffffffff << (32 - Math.min(prefixLen, 32))) >>> 0;
}

/** The prefix length of a contiguous mask (0xffffff00 → 24), or null when it is not contiguous. */
export function maskPrefixLen(mask: number): number | null {
  for (let len = 0; len <= 32; len++) if (prefixMask(len) === mask) return len;
  return null;
}

/** The address with its host bits cleared. */
export const networkOf = (ip: number, prefixLen: number): number => (ip & prefixMask(prefixLen)) >>> 0;

/** The address with its host bits set (the prefix's broadcast address). */
/** Whether two addresses (as numbers) share their first `prefixLen` bits. */
export const sameNetwork = (a: number, b: number, prefixLen: number): boolean => networkOf(a, prefixLen) === networkOf(b, prefixLen);

export const broadcastOf = (ip: number, prefixLen: number): number => (ip | ~prefixMask(prefixLen)) >>> 0;

/** Whether `ip` lies in `net/prefixLen` (host bits of `net` ignored); malformed text is in no prefix. */
export function inPrefix(ip: string, net: string, prefixLen: number): boolean {
  const a = parseIpv4(ip);
  const b = parseIpv4(net);
  return a !== null && b !== null && networkOf(a, prefixLen) === networkOf(b, prefixLen);
}

/** `inPrefix` for a CIDR record (the IR's `Cidr`): host bits set in it are ignored, as iptables does. */
export const inCidr = (ip: string, cidr: { readonly ip: string; readonly prefixLen: number }): boolean =>
  inPrefix(ip, cidr.ip, cidr.prefixLen);
