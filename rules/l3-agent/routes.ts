// The routes of a qrouter namespace as `ip route` prints them: the kernel's connected route per
// interface address, the default route the L3 agent sets via the external subnet's gateway, and the
// router's extra routes (both added with `proto static`, as the agent's pyroute2 calls do).
// Compare neutron-samples/netnode_qrouter_ip_route.txt.
import type { LineTemplate } from '../../src/render/linux/template.ts';

export const l3Routes = {
  connected: {
    line: '{cidr} dev {dev} proto kernel scope link src {ip}',
    why: 'the kernel\'s route to the subnet of {dev}\'s address {ip}',
  },
  defaultRoute: {
    line: 'default via {gateway} dev {dev} proto static',
    why: 'the router\'s default route: the external subnet\'s gateway {gateway}',
  },
  extraRoute: {
    line: '{destination} via {nexthop} dev {dev} proto static',
    why: 'the router\'s extra route to {destination} via {nexthop}',
  },
} as const satisfies Record<string, LineTemplate>;
