// IPv4 and MAC arithmetic the Linux renderers need (broadcast addresses, subnet membership, CIDR
// canonical text, the EUI-64 link-local address `ip addr` shows). Pure functions over strings.

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function maskInt(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff - (2 ** (32 - prefixLen) - 1));
}

export function broadcast(ip: string, prefixLen: number): string {
  const net = ipToInt(ip) - (ipToInt(ip) % 2 ** (32 - prefixLen));
  return intToIp(net + 2 ** (32 - prefixLen) - 1);
}

export function networkAddress(ip: string, prefixLen: number): string {
  return intToIp(ipToInt(ip) - (ipToInt(ip) % 2 ** (32 - prefixLen)));
}

/** `a.b.c.d` or `a.b.c.d/n` → `{ ip, prefixLen }` (a bare address is /32). */
export function parseCidr(text: string): { ip: string; prefixLen: number } {
  const [ip = '', len] = text.split('/');
  return { ip, prefixLen: len === undefined ? 32 : Number(len) };
}

/** Canonical `net/len` text of a CIDR or address, as iptables-save prints it (`10.0.0.5/32`). */
export function canonicalCidr(text: string): string {
  const { ip, prefixLen } = parseCidr(text);
  return `${networkAddress(ip, prefixLen)}/${prefixLen}`;
}

export function cidrContains(net: string, netPrefix: number, ip: string): boolean {
  const m = maskInt(netPrefix);
  // `>>> 0` keeps the bitwise results unsigned.
  return ((ipToInt(net) & m) >>> 0) === ((ipToInt(ip) & m) >>> 0);
}

/** The IPv6 link-local address the kernel derives from a MAC (EUI-64), as `ip addr` prints it. */
export function linkLocal6(mac: string): string {
  const b = mac.split(':').map((h) => parseInt(h, 16));
  const e = [(b[0] ?? 0) ^ 0x02, b[1] ?? 0, b[2] ?? 0, 0xff, 0xfe, b[3] ?? 0, b[4] ?? 0, b[5] ?? 0];
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push((((e[i] ?? 0) << 8) | (e[i + 1] ?? 0)).toString(16));
  return `fe80::${groups.join(':')}`;
}
