// Device and chain names exactly as Neutron builds them from object ids (docs/json.md, Device names), in one place
// so the renderers, the assembly and the traces can never disagree on a name.

import { createHash } from 'node:crypto';

const port11 = (portId: string) => portId.slice(0, 11);

/** Linux's interface name limit (IFNAMSIZ less the terminating NUL); neutron_lib's DEVICE_NAME_MAX_LEN. */
const DEVICE_NAME_MAX_LEN = 15;
const INTERFACE_HASH_LEN = 6;

/**
 * `prefix + name` when it fits in 15 characters, else the prefix, the start of the name and the first
 * 6 hex digits of the name's SHA-1, 15 in all — neutron_lib.plugins.utils.get_interface_name, which
 * the OVS agent uses for the patch ports to a bridge_mappings bridge (`int-br-provider2` is 16
 * characters: it becomes `int-br-pr` + 6 digits).
 */
export function interfaceName(name: string, prefix: string): string {
  const requested = prefix + name;
  if (requested.length <= DEVICE_NAME_MAX_LEN) return requested;
  const keep = DEVICE_NAME_MAX_LEN - prefix.length - INTERFACE_HASH_LEN;
  return `${prefix}${name.slice(0, keep)}${createHash('sha1').update(name, 'utf8').digest('hex').slice(0, INTERFACE_HASH_LEN)}`;
}

export const deviceName = {
  /** The VM's tap device (on qbr with the hybrid firewall). */
  tap: (portId: string) => `tap${port11(portId)}`,
  qbr: (portId: string) => `qbr${port11(portId)}`,
  qvb: (portId: string) => `qvb${port11(portId)}`,
  qvo: (portId: string) => `qvo${port11(portId)}`,
  /** Router interface port (in qrouter-, on br-int). */
  qr: (portId: string) => `qr-${port11(portId)}`,
  /** Router gateway port (in qrouter-, on br-int). */
  qg: (portId: string) => `qg-${port11(portId)}`,
  /** An HA router instance's port on its HA network (in qrouter-, on br-int), where keepalived runs VRRP. */
  ha: (portId: string) => `ha-${port11(portId)}`,
  /** DHCP port (in qdhcp-, on br-int). */
  dhcpTap: (portId: string) => `tap${port11(portId)}`,
  qrouter: (routerId: string) => `qrouter-${routerId}`,
  qdhcp: (networkId: string) => `qdhcp-${networkId}`,
  /** br-int side and physical-bridge side of the patch pair to a bridge_mappings bridge (hashed past 15 characters). */
  intToPhys: (bridge: string) => interfaceName(bridge, 'int-'),
  physToInt: (bridge: string) => interfaceName(bridge, 'phy-'),
  patchInt: 'patch-int',
  patchTun: 'patch-tun',
  /** Tunnel port to a remote host: `vxlan-0a00000c` for 10.0.0.12. */
  tunnelPort: (type: 'vxlan' | 'gre', remoteIp: string) =>
    `${type}-${remoteIp.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('')}`,
  /** The NIC plugged into a physical bridge, numbered in the order of the host's bridge_mappings. */
  physicalNic: (indexInMappings: number) => `eth${indexInMappings + 1}`,
} as const;

/** iptables chain names of the hybrid firewall use the port id's first 10 characters. */
export const chainName = {
  ingress: (portId: string) => `neutron-openvswi-i${portId.slice(0, 10)}`,
  egress: (portId: string) => `neutron-openvswi-o${portId.slice(0, 10)}`,
  spoof: (portId: string) => `neutron-openvswi-s${portId.slice(0, 10)}`,
  /** ipset of a security group's member addresses: `NIPv4` + the group id, cut to 29 characters (31 less the `-n` swap suffix, as Neutron does). */
  ipset: (sgId: string) => `NIPv4${sgId}`.slice(0, 29),
} as const;
