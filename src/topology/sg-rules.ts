// Security-group rule vocabulary: protocol names to IP protocol numbers and `port` (N or "N-M") to
// a range, shared by the checks (which report bad values) and the derivation (which trusts them).

/** Protocol names netproof accepts; `any` (or no protocol) means every protocol, stored as null. */
export const PROTOCOL_NUMBERS = { tcp: 6, udp: 17, icmp: 1, sctp: 132, dccp: 33, udplite: 136, any: null } as const;

export function protocolNumber(p: keyof typeof PROTOCOL_NUMBERS | number | null | undefined): number | null {
  if (p === undefined || p === null) return null;
  return typeof p === 'number' ? p : PROTOCOL_NUMBERS[p];
}

/** Protocols with ports (Neutron accepts port ranges only for these): tcp, udp, dccp, sctp, udplite. */
export const PORTED_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 33, 132, 136]);

export type PortRange = { readonly ok: true; readonly min: number; readonly max: number } | { readonly ok: false; readonly reason: string };

/** `22`, `"22"` or `"1000-2000"` → an inclusive range within 1–65535. */
export function parsePortRange(port: number | string): PortRange {
  const text = String(port).trim();
  const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(text);
  if (!m) return { ok: false, reason: `port "${text}" is not N or "N-M"` };
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min < 1 || max > 65535) return { ok: false, reason: `port ${text} is outside 1–65535` };
  if (min > max) return { ok: false, reason: `port range ${text} is empty` };
  return { ok: true, min, max };
}
