// IPv4 arithmetic on dotted quads, shared by the questions layer.
import type { Ipv4 } from '../ir/packet.ts';

export function ipToInt(ip: Ipv4): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): Ipv4 {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function isIpv4(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

export function inPrefix(ip: Ipv4, net: Ipv4, prefixLen: number): boolean {
  if (prefixLen === 0) return true;
  const size = 2 ** (32 - prefixLen);
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(net) / size);
}
