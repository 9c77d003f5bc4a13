// Prefix arithmetic for endpoint sets: parsing `a.b.c.d/n`, overlap tests, and the complement of a set
// of prefixes as a list of prefixes (how "any address outside the cloud" becomes a solver constraint,
// since the SMT core's constraints are unions of prefixes).
// Guarantees: `complement(xs)` is exact — an address is in one of its prefixes iff it is in none of xs.
import type { Cidr } from '../../ir/openflow.ts';
import { formatIpv4 as intToIp, ipv4ToNumber as ipToInt, isIpv4 } from '../../net/ipv4.ts';

export function parseCidr(text: string): Cidr | null {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m || !isIpv4(m[1]!) || Number(m[2]) > 32) return null;
  const len = Number(m[2]);
  return { ip: intToIp(base(ipToInt(m[1]!), len)), prefixLen: len };
}

const size = (len: number) => 2 ** (32 - len);
const base = (n: number, len: number) => Math.floor(n / size(len)) * size(len);

/** Does prefix `a` contain prefix `b`? */
export function contains(a: Cidr, b: Cidr): boolean {
  return a.prefixLen <= b.prefixLen && base(ipToInt(b.ip), a.prefixLen) === base(ipToInt(a.ip), a.prefixLen);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

/** Every address not in `excluded`, as prefixes (at most ~32 per excluded prefix). */
export function complement(excluded: readonly Cidr[]): Cidr[] {
  const out: Cidr[] = [];
  const go = (p: Cidr): void => {
    if (excluded.some((x) => contains(x, p))) return;
    if (!excluded.some((x) => overlaps(x, p))) {
      out.push(p);
      return;
    }
    const n = ipToInt(p.ip);
    const len = p.prefixLen + 1;
    go({ ip: intToIp(n), prefixLen: len });
    go({ ip: intToIp(n + size(len)), prefixLen: len });
  };
  go({ ip: '0.0.0.0', prefixLen: 0 });
  return out;
}

/** A host address inside `c` (the first usable one) for representative packets. */
export function someAddress(c: Cidr): string {
  const n = ipToInt(c.ip);
  return c.prefixLen >= 31 ? c.ip : intToIp(n + 1);
}
