// Resolved hosts and networks: roles, ids, canonical subnets with their gateways, and segmentation
// IDs. A VLAN/VXLAN/GRE network written without `segmentation_id` gets the lowest ID of its type
// (VLAN: per physical network) not written or allocated before it in file order, as Neutron's type
// drivers allocate from their ranges. After the written networks come the HA networks, one per project
// with HA routers (ha.ts), in the order of each project's first HA router; their IDs are allocated last.
import type { HostT, NetworkT, SubnetT } from './model.ts';
import type { FileContext } from './context.ts';
import { rolesOf } from './context.ts';
import { SEGMENTATION_RANGE, segmentKey } from './check-network.ts';
import { deriveId } from './ids.ts';
import { formatCidr, formatIpv4, parseCidr } from './ipv4.ts';
import { HA_NETWORK_CIDR, haNetworkName, haNetworkType, haRoutersByProject, haSubnetName } from './ha.ts';
import type { NetworkFile } from './schema.ts';

export function deriveHosts(ctx: FileContext): HostT[] {
  return [...ctx.hosts].map(([name, h]) => ({
    name,
    ...rolesOf(h),
    tunnelIp: h.tunnel_ip ?? null,
    bridgeMappings: { ...(h.bridge_mappings ?? {}) },
  }));
}

/** The HA networks the file's HA routers need, as written networks would look, by name. */
export function haNetworkFiles(ctx: FileContext): Map<string, NetworkFile & { readonly haProject: string }> {
  const t = haNetworkType(ctx);
  const out = new Map<string, NetworkFile & { readonly haProject: string }>();
  for (const project of haRoutersByProject(ctx).keys()) {
    out.set(haNetworkName(project), { type: t.type, ...(t.physicalNetwork !== null ? { physical_network: t.physicalNetwork } : {}), haProject: project });
  }
  return out;
}

function allocateSegments(ctx: FileContext, ha: ReadonlyMap<string, NetworkFile>): Map<string, number | null> {
  const used = new Set<string>();
  for (const net of ctx.networks.values()) {
    const key = segmentKey(net, net.segmentation_id);
    if (key !== null) used.add(key);
  }
  const out = new Map<string, number | null>();
  for (const [name, net] of [...ctx.networks, ...ha]) {
    if (net.type === 'flat') out.set(name, null);
    else if (net.segmentation_id !== undefined) out.set(name, net.segmentation_id);
    else {
      let id = SEGMENTATION_RANGE[net.type][0];
      while (used.has(segmentKey(net, id) ?? '')) id++;
      used.add(segmentKey(net, id) ?? '');
      out.set(name, id);
    }
  }
  return out;
}

export function deriveNetworks(ctx: FileContext): NetworkT[] {
  const ha = haNetworkFiles(ctx);
  const segments = allocateSegments(ctx, ha);
  const written = [...ctx.networks].map(([name, net]): NetworkT => {
    const subnets = (ctx.subnetsOf.get(name) ?? []).map((s): SubnetT => {
      // The checks guarantee a valid CIDR before derivation runs.
      const cidr = s.cidr ?? { network: 0, prefix: 32 };
      return {
        name: s.name,
        id: net.subnets?.[s.name]?.id?.toLowerCase() ?? deriveId('subnet', s.name),
        network: name,
        cidr: formatCidr(cidr),
        networkAddress: formatIpv4(cidr.network),
        prefixLen: cidr.prefix,
        gateway: s.gateway === null ? null : formatIpv4(s.gateway),
        dhcp: s.dhcp,
      };
    });
    return {
      name,
      id: net.id?.toLowerCase() ?? deriveId('network', name),
      project: net.project ?? null,
      external: net.external ?? false,
      shared: net.shared ?? false,
      type: net.type,
      physicalNetwork: net.physical_network ?? null,
      segmentationId: segments.get(name) ?? null,
      subnets,
      ha: false,
    };
  });
  const haCidr = parseCidr(HA_NETWORK_CIDR);
  const cidr = haCidr.ok ? haCidr.cidr : { network: 0, prefix: 18 };
  return [
    ...written,
    ...[...ha].map(([name, net]): NetworkT => {
      const subnet = haSubnetName(net.haProject);
      return {
        name,
        id: deriveId('network', name),
        project: null,
        external: false,
        shared: false,
        type: net.type,
        physicalNetwork: net.physical_network ?? null,
        segmentationId: segments.get(name) ?? null,
        subnets: [{
          name: subnet, id: deriveId('subnet', subnet), network: name, cidr: formatCidr(cidr), networkAddress: formatIpv4(cidr.network),
          prefixLen: cidr.prefix, gateway: null, dhcp: false,
        }],
        ha: true,
      };
    }),
  ];
}
