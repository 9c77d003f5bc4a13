// Deterministic stand-ins for the random values a real node has: the agent's per-bridge cookie,
// the Open_vSwitch row uuid, port MAC addresses and datapath ids. Each is a hash of what it names,
// so two renders of one topology are byte-identical and different objects get different values.
import { createHash } from 'node:crypto';

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** The agent's cookie on one bridge of one host, `0x` + 16 hex digits (never 0). */
export function bridgeCookie(host: string, bridge: string): string {
  const h = digest('cookie', host, bridge).slice(0, 16);
  return `0x${/^0+$/.test(h) ? '1' : h.replace(/^0+/, '')}`;
}

/** The `ovs-vsctl show` header: the Open_vSwitch table's row uuid for the host. */
export function ovsUuid(host: string): string {
  const h = digest('ovs-uuid', host);
  // Version-4 shape (8-4-4-4-12 with the version and variant nibbles), like the real header.
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A locally administered unicast MAC for an OVS port (`ovs-ofctl show` `addr:`). */
export function portMac(host: string, bridge: string, port: string): string {
  const h = digest('port-mac', host, bridge, port);
  const bytes = [0, 1, 2, 3, 4, 5].map((i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
  bytes[0] = ((bytes[0] ?? 0) & 0xfc) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
