// Semantic checks of defaults, hosts and networks: unsupported drivers, tunnel endpoints,
// physical networks and segmentation IDs (ranges and uniqueness), subnet CIDRs and gateways,
// and that every DHCP-enabled network has a network node to serve it.
import { releaseOrdinal } from './release.ts';
import type { Diagnostics } from './diagnostics.ts';
import { checkAddress, checkCidr, checkInSubnet, checkMac } from './check-util.ts';
import type { FileContext } from './context.ts';
import { dhcpCandidates, hasDhcp, hostReaches, isTunnel, rolesOf } from './context.ts';
import type { NetworkFile } from './schema.ts';

/** Valid segmentation IDs per type: 802.1Q VIDs, 24-bit VNIs, 32-bit GRE keys. */
export const SEGMENTATION_RANGE: Readonly<Record<'vlan' | 'vxlan' | 'gre', readonly [number, number]>> = {
  vlan: [1, 4094],
  vxlan: [1, 16777215],
  gre: [1, 4294967295],
};

/** The key two networks must not share: VLAN IDs are per physical network, tunnel keys per type, flat one per physnet. */
export function segmentKey(net: NetworkFile, segmentationId: number | undefined): string | null {
  switch (net.type) {
    case 'flat':
      return net.physical_network === undefined ? null : `flat network on physical network ${net.physical_network}`;
    case 'vlan':
      return net.physical_network === undefined || segmentationId === undefined ? null : `VLAN ${segmentationId} on ${net.physical_network}`;
    case 'vxlan':
    case 'gre':
      return segmentationId === undefined ? null : `${net.type} ${segmentationId}`;
    default: {
      const never: never = net.type;
      return never;
    }
  }
}

/** A written `dhcp_hosts`: each a network node that reaches the network, listed once, on a network with DHCP. */
function checkDhcpHosts(ctx: FileContext, diag: Diagnostics, name: string, net: NetworkFile): void {
  const at = ['networks', name, 'dhcp_hosts'];
  const list = net.dhcp_hosts ?? [];
  if (!hasDhcp(ctx, name)) diag.add('NP102', at, `network ${name} has no DHCP-enabled subnet for a DHCP agent to serve`);
  list.forEach((h, i) => {
    const host = ctx.hosts.get(h);
    if (list.indexOf(h) < i) diag.add('NP408', [...at, i], `host ${h} is already listed (dhcp_hosts[${list.indexOf(h)}])`);
    else if (!host) diag.add('NP201', [...at, i], `no host "${h}"`);
    else if (!rolesOf(host).network) diag.add('NP407', [...at, i], `host ${h} has no network role (no DHCP agent) to serve network ${name}`);
    // A flat/VLAN network without physical_network is reported once, as such (NP103).
    else if (!hostReaches(host, net) && (isTunnel(net.type) || net.physical_network !== undefined)) {
      diag.add('NP402', [...at, i], `host ${h} has no bridge_mappings entry for physical network ${net.physical_network ?? '?'} of network ${name}`);
    }
  });
}

export function checkDefaults(ctx: FileContext, diag: Diagnostics): void {
  const release = ctx.file.defaults?.release;
  if (release !== undefined && releaseOrdinal(release) === null) {
    diag.add('NP102', ['defaults', 'release'], `"${release}" names no Neutron release: write a series (mitaka, yoga), a year-based version (2024.1) or a version tag (24.0.0)`);
  }
  const perNetwork = ctx.file.defaults?.dhcp_agents_per_network;
  if (perNetwork !== undefined && perNetwork < 1) diag.add('NP102', ['defaults', 'dhcp_agents_per_network'], `dhcp_agents_per_network must be at least 1, not ${perNetwork}`);
  if (ctx.file.defaults?.firewall_driver === 'openvswitch') {
    diag.add('NP502', ['defaults', 'firewall_driver'], 'firewall_driver "openvswitch" (native OVS firewall) is not supported; use iptables_hybrid or noop');
  }
}

export function checkHosts(ctx: FileContext, diag: Diagnostics): void {
  const tunnelNet = [...ctx.networks].find(([, n]) => isTunnel(n.type));
  const seen = new Map<number, string>();
  for (const [name, h] of ctx.hosts) {
    if (h.tunnel_ip === undefined) {
      if (tunnelNet) diag.add('NP406', ['hosts', name], `host ${name} has no tunnel_ip, but network ${tunnelNet[0]} is ${tunnelNet[1].type}`, 'key');
      continue;
    }
    const ip = checkAddress(diag, ['hosts', name, 'tunnel_ip'], h.tunnel_ip);
    if (ip === null) continue;
    const other = seen.get(ip);
    if (other !== undefined) diag.add('NP102', ['hosts', name, 'tunnel_ip'], `tunnel_ip ${h.tunnel_ip} is already host ${other}'s`);
    else seen.set(ip, name);
  }
}

export function checkNetworks(ctx: FileContext, diag: Diagnostics): void {
  const segments = new Map<string, string>();
  const subnetOwner = new Map<string, string>();
  for (const [name, net] of ctx.networks) {
    const at = ['networks', name];
    if (isTunnel(net.type)) {
      if (net.physical_network !== undefined) diag.add('NP102', [...at, 'physical_network'], `a ${net.type} network has no physical_network`);
    } else if (net.physical_network === undefined) {
      diag.add('NP103', at, `missing field "physical_network" (required for a ${net.type} network)`);
    }
    const sid = net.segmentation_id;
    if (net.type === 'flat') {
      if (sid !== undefined) diag.add('NP102', [...at, 'segmentation_id'], 'a flat network has no segmentation_id');
    } else if (sid !== undefined) {
      const [lo, hi] = SEGMENTATION_RANGE[net.type];
      if (sid < lo || sid > hi) diag.add('NP304', [...at, 'segmentation_id'], `${net.type} segmentation_id ${sid} is outside ${lo}–${hi}`);
    }
    const key = segmentKey(net, sid);
    if (key !== null) {
      const other = segments.get(key);
      const field = net.type === 'flat' ? 'physical_network' : 'segmentation_id';
      if (other !== undefined) diag.add('NP303', [...at, field], `${key} is already network ${other}'s`);
      else segments.set(key, name);
    }
    for (const [sname, s] of Object.entries(net.subnets ?? {})) {
      const sat = [...at, 'subnets', sname];
      const owner = subnetOwner.get(sname);
      if (owner !== undefined) diag.add('NP102', sat, `subnet name ${sname} is already used in network ${owner}`, 'key');
      else subnetOwner.set(sname, name);
      const cidr = checkCidr(diag, [...sat, 'cidr'], s.cidr);
      for (const [host, port] of Object.entries(s.dhcp_ports ?? {})) {
        const pat = [...sat, 'dhcp_ports', host];
        if (!(net.dhcp_hosts ?? []).includes(host)) diag.add('NP201', pat, `host ${host} is not one of network ${name}'s dhcp_hosts`, 'key');
        if (port.ip !== undefined) {
          const ip = checkAddress(diag, [...pat, 'ip'], port.ip);
          const info = ctx.subnetsOf.get(name)?.find((x) => x.name === sname);
          if (ip !== null && info) checkInSubnet(diag, [...pat, 'ip'], ip, info);
        }
        if (port.mac !== undefined) checkMac(diag, [...pat, 'mac'], port.mac);
      }
      if (typeof s.gateway === 'string') {
        const gw = checkAddress(diag, [...sat, 'gateway'], s.gateway);
        const info = ctx.subnetsOf.get(name)?.find((x) => x.name === sname);
        if (gw !== null && cidr !== null && info) checkInSubnet(diag, [...sat, 'gateway'], gw, info);
      }
    }
    const placeable = isTunnel(net.type) || net.physical_network !== undefined; // else NP103 above says why
    if (net.dhcp_hosts !== undefined) checkDhcpHosts(ctx, diag, name, net);
    else if (placeable && hasDhcp(ctx, name) && dhcpCandidates(ctx, name).length === 0) {
      const how = isTunnel(net.type) ? '' : ` and maps physical network ${net.physical_network ?? '?'}`;
      diag.add('NP407', at, `no host with the network role${how} to run network ${name}'s DHCP server`, 'key');
    }
  }
}
