// Small checks shared by the semantic check modules: parsing a written address or prefix and
// reporting IPv6 (NP504) or malformed text (NP309) at the field it came from.
import type { Diagnostics } from './diagnostics.ts';
import type { Cidr } from './ipv4.ts';
import { formatIpv4, looksIpv6, parseCidr, parseIpv4 } from './ipv4.ts';
import type { Path } from './path.ts';
import type { FileContext, SubnetInfo } from './context.ts';
import type { PortFile } from './schema.ts';
import { broadcastOf, cidrContains } from './ipv4.ts';
import { canonicalMac } from './ids.ts';

/** The written IPv4 address, or null after reporting why it is not one. */
export function checkAddress(diag: Diagnostics, path: Path, text: string): number | null {
  if (looksIpv6(text)) {
    diag.add('NP504', path, `IPv6 address "${text}" is not supported`);
    return null;
  }
  const ip = parseIpv4(text);
  if (ip === null) diag.add('NP309', path, `"${text}" is not an IPv4 address`);
  return ip;
}

/** Reports NP309 unless `text` is a MAC address. */
export function checkMac(diag: Diagnostics, path: Path, text: string): void {
  if (canonicalMac(text) === null) diag.add('NP309', path, `"${text}" is not a MAC address`);
}

/** The written IPv4 prefix, or null after reporting why it is not one. */
export function checkCidr(diag: Diagnostics, path: Path, text: string, allowBareAddress = false): Cidr | null {
  if (looksIpv6(text)) {
    diag.add('NP504', path, `IPv6 prefix "${text}" is not supported`);
    return null;
  }
  const r = parseCidr(text, allowBareAddress);
  if (!r.ok) diag.add('NP309', path, r.reason);
  return r.ok ? r.cidr : null;
}

/** Reports NP301 unless `ip` is a host address of `subnet` (not its network or broadcast address). */
export function checkInSubnet(diag: Diagnostics, path: Path, ip: number, subnet: SubnetInfo): boolean {
  if (subnet.cidr === null) return false; // the bad CIDR is reported on the subnet itself
  if (!cidrContains(subnet.cidr, ip)) {
    diag.add('NP301', path, `${formatIpv4(ip)} is outside subnet ${subnet.name} (${formatIpv4(subnet.cidr.network)}/${subnet.cidr.prefix})`);
    return false;
  }
  if (subnet.cidr.prefix < 31 && (ip === subnet.cidr.network || ip === broadcastOf(subnet.cidr))) {
    diag.add('NP301', path, `${formatIpv4(ip)} is the ${ip === subnet.cidr.network ? 'network' : 'broadcast'} address of subnet ${subnet.name}`);
    return false;
  }
  return true;
}

/**
 * The VM port a floating IP or port forwarding names (`vm`, and `port`, 0 when left out), or null after
 * reporting NP201 at the field that names what is missing.
 */
export function namedVmPort(ctx: FileContext, diag: Diagnostics, at: Path, ref: { readonly vm: string; readonly port?: number | undefined }): { readonly port: PortFile; readonly index: number; readonly portAt: Path } | null {
  const vm = ctx.file.vms?.[ref.vm];
  if (!vm) {
    diag.add('NP201', [...at, 'vm'], `no VM "${ref.vm}"`);
    return null;
  }
  const index = ref.port ?? 0;
  const portAt: Path = ref.port === undefined ? [...at, 'vm'] : [...at, 'port'];
  const port = vm.ports[index];
  if (!port) {
    diag.add('NP201', portAt, `VM ${ref.vm} has no port ${index}`);
    return null;
  }
  return { port, index, portAt };
}
