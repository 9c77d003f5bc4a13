// Address spellings the Linux renderers need: `brd` addresses, the canonical `net/len` text
// iptables-save prints, and subnet membership in the renderers' argument order. The arithmetic is
// src/net/ipv4.ts. Addresses come from a checked topology, so malformed text throws; but the topology
// keeps some as written (routes, allowed address pairs), and its checks ignore spaces around an
// address, so these helpers do too.
import { broadcastOf, formatIpv4, inPrefix, ipv4ToNumber, networkOf } from '../../net/ipv4.ts';

export function broadcast(ip: string, prefixLen: number): string {
  return formatIpv4(broadcastOf(ipv4ToNumber(ip), prefixLen));
}

export function networkAddress(ip: string, prefixLen: number): string {
  return formatIpv4(networkOf(ipv4ToNumber(ip), prefixLen));
}

/** `a.b.c.d` or `a.b.c.d/n` → `{ ip, prefixLen }` (a bare address is /32). */
export function parseCidr(text: string): { ip: string; prefixLen: number } {
  const [ip = '', len] = text.split('/');
  return { ip: ip.trim(), prefixLen: len === undefined ? 32 : Number(len) };
}

/** Canonical `net/len` text of a CIDR or address, as iptables-save prints it (`10.0.0.5/32`). */
export function canonicalCidr(text: string): string {
  const { ip, prefixLen } = parseCidr(text);
  return `${networkAddress(ip, prefixLen)}/${prefixLen}`;
}

/** Whether `ip` lies in `net/netPrefix`. */
export const cidrContains = (net: string, netPrefix: number, ip: string): boolean =>
  inPrefix(ip.trim(), net.trim(), netPrefix);
