// MAC address arithmetic, the one implementation every layer uses: colon text ↔ bytes ↔ 48-bit number,
// the canonical spelling, and the EUI-64 IPv6 link-local address the kernel derives from a MAC.
// Guarantees: pure functions; 48-bit values are exact (a double holds integers to 2^53, so the
// arithmetic is by multiplication and division, never by 32-bit bitwise operators). Readers differ in
// what they accept, by name: `macBytes`/`macToNumber` take 1–2 hex digits per byte in any case (as OVS
// and iptables print them), `parseMac` only the canonical two-digit form.

const LOOSE_PART = /^[0-9a-f]{1,2}$/;
const CANONICAL = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** `fa:16:3e:0:a:ff` → its six bytes, or null when the text is not six `:`-separated hex bytes. */
export function macBytes(text: string): number[] | null {
  const parts = text.toLowerCase().split(':');
  if (parts.length !== 6 || parts.some((p) => !LOOSE_PART.test(p))) return null;
  return parts.map((p) => parseInt(p, 16));
}

/** The MAC as a 48-bit number; text that is not a MAC throws. */
export function macToNumber(text: string): number {
  const bytes = macBytes(text);
  if (bytes === null) throw new Error(`not a MAC: ${text}`);
  return bytes.reduce((acc, b) => acc * 256 + b, 0);
}

/** Canonical text (lower case, two digits a byte) of the low 48 bits of a non-negative integer. */
export function formatMac(n: number): string {
  const out: string[] = [];
  let v = n;
  for (let i = 0; i < 6; i++) {
    out.unshift((v % 256).toString(16).padStart(2, '0'));
    v = Math.floor(v / 256);
  }
  return out.join(':');
}

/** A MAC in any case with two digits a byte, spaces around ignored → canonical lower case; else null. */
export function parseMac(text: string): string | null {
  const t = text.trim().toLowerCase();
  return CANONICAL.test(t) ? t : null;
}

/** Canonical IPv6 text (RFC 5952: lowercase, no leading zeros, the first longest run of 2+ zero groups as `::`). */
function formatIpv6(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const h = groups.map((g) => g.toString(16));
  if (bestLen < 2) return h.join(':');
  return `${h.slice(0, best).join(':')}::${h.slice(best + bestLen).join(':')}`;
}

/**
 * The EUI-64 link-local address of a MAC, as `ip addr` prints it and as Neutron allows it in neighbour
 * advertisements: fa:16:3e:50:09:42 → fe80::f816:3eff:fe50:942. Text that is not a MAC throws.
 */
export function macLinkLocal(mac: string): string {
  const b = macBytes(mac);
  if (b === null) throw new Error(`not a MAC address: ${mac}`);
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0] = b;
  return formatIpv6([0xfe80, 0, 0, 0, ((b0 ^ 0x02) << 8) | b1, (b2 << 8) | 0xff, (0xfe << 8) | b3, (b4 << 8) | b5]);
}
