// Address spellings as `ovs-ofctl` prints them: hex immediates for `load:` and `tun_id`, masked
// CIDRs for `arp_spa`, and the EUI-64 link-local address Neutron allows in neighbour advertisements.

function ipv4ToNumber(ip: string): number {
  const o = ip.split('.').map(Number);
  if (o.length !== 4 || o.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return (((o[0] ?? 0) * 256 + (o[1] ?? 0)) * 256 + (o[2] ?? 0)) * 256 + (o[3] ?? 0);
}

const numberToIpv4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** `0x` + minimal lowercase hex, as OVS prints immediates (`tun_id=0x65`, `load:0xc0a80101->…`). */
export const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

export const ipv4Hex = (ip: string): string => hex(ipv4ToNumber(ip));

export const macHex = (mac: string): string => hex(BigInt(`0x${mac.split(':').join('')}`));

/** Whether an IPv4 address or CIDR text is IPv4 (IPv6 is not modelled; such pairs are skipped). */
export const isIpv4Text = (s: string): boolean => !s.includes(':');

/** Whether a CIDR allows any address (`…/0`): Neutron then installs no ARP protection at all. */
export const isZeroPrefix = (s: string): boolean => /\/0$/.test(s.trim());

/** `arp_spa=` value: a host address bare, a prefix with its host bits cleared (`10.0.0.0/24`). */
export function arpSpa(ipOrCidr: string): string {
  const [ip = '', len] = ipOrCidr.trim().split('/');
  if (len === undefined || Number(len) === 32) return numberToIpv4(ipv4ToNumber(ip));
  const prefix = Number(len);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return `${numberToIpv4((ipv4ToNumber(ip) & mask) >>> 0)}/${prefix}`;
}

/** Canonical IPv6 text (RFC 5952: lowercase, no leading zeros, longest zero run of 2+ as `::`). */
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

/** The EUI-64 link-local address of a MAC: fa:16:3e:50:09:42 → fe80::f816:3eff:fe50:942. */
export function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  if (b.length !== 6 || b.some((x) => Number.isNaN(x))) throw new Error(`not a MAC address: ${mac}`);
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0] = b;
  return formatIpv6([0xfe80, 0, 0, 0, ((b0 ^ 0x02) << 8) | b1, (b2 << 8) | 0xff, (0xfe << 8) | b3, (b4 << 8) | b5]);
}
