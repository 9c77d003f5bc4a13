// Device and chain names exactly as Neutron builds them from object ids (docs/json.md, Device names), in one place
// so the renderers, the assembly and the traces can never disagree on a name.

const port11 = (portId: string) => portId.slice(0, 11);

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
  /** br-int side and physical-bridge side of the patch pair to a bridge_mappings bridge. */
  intToPhys: (bridge: string) => `int-${bridge}`,
  physToInt: (bridge: string) => `phy-${bridge}`,
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
