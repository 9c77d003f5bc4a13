// The routes of a qdhcp namespace as `ip route` prints them: the connected route of the DHCP port's
// address and, when the subnet has a gateway, the default route the DHCP agent sets through it
// (dhcp.py `_set_default_route`), so dnsmasq and the metadata proxy can answer from anywhere.
import type { LineTemplate } from '../../src/render/linux/template.ts';

export const dhcpRoutes = {
  connected: {
    line: '{cidr} dev {dev} proto kernel scope link src {ip}',
    why: 'the kernel\'s route to the subnet of the DHCP port\'s address {ip}',
  },
  defaultRoute: {
    line: 'default via {gateway} dev {dev} proto static',
    why: 'the DHCP agent routes through the subnet\'s gateway {gateway}',
  },
} as const satisfies Record<string, LineTemplate>;
