// Address spellings as `ovs-ofctl` prints them: hex immediates for `load:` and `tun_id`, masked
// CIDRs for `arp_spa`, and the EUI-64 link-local address Neutron allows in neighbour advertisements.
// The arithmetic is src/net/. Addresses come from a checked topology, so malformed text throws; but
// allowed address pairs are kept as written, and the topology's checks ignore spaces around an
// address, so `arpSpa` does too.
import { formatIpv4, ipv4ToNumber, networkOf } from '../../net/ipv4.ts';
import { macToNumber } from '../../net/mac.ts';

/** The EUI-64 link-local address of a MAC: fa:16:3e:50:09:42 → fe80::f816:3eff:fe50:942. */
export { macLinkLocal as linkLocal } from '../../net/mac.ts';

/** `0x` + minimal lowercase hex, as OVS prints immediates (`tun_id=0x65`, `load:0xc0a80101->…`). */
export const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

export const ipv4Hex = (ip: string): string => hex(ipv4ToNumber(ip));

export const macHex = (mac: string): string => hex(macToNumber(mac));

/** Whether an IPv4 address or CIDR text is IPv4 (IPv6 is not modelled; such pairs are skipped). */
export const isIpv4Text = (s: string): boolean => !s.includes(':');

/** Whether a CIDR allows any address (`…/0`): Neutron then installs no ARP protection at all. */
export const isZeroPrefix = (s: string): boolean => /\/0$/.test(s.trim());

/** `arp_spa=` value: a host address bare, a prefix with its host bits cleared (`10.0.0.0/24`). */
export function arpSpa(ipOrCidr: string): string {
  const [ipText = '', len] = ipOrCidr.trim().split('/');
  const ip = ipv4ToNumber(ipText.trim());
  if (len === undefined || Number(len) === 32) return formatIpv4(ip);
  const prefix = Number(len);
  return `${formatIpv4(networkOf(ip, prefix))}/${prefix}`;
}
