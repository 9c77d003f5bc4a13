// The model of `port_forwardings`: each forwarding with its floating IP's id and external network, the VM
// port's id and fixed address, and the router serving the floating IP (the first, in file order, with a gateway
// on that network and an interface on the subnet of every port the floating IP forwards to; the checks
// guarantee one exists). Neutron sets the floating IP's router_id from its first forwarding and refuses a later
// one the router cannot reach (pf_plugin.py _get_fip_obj / _find_a_router_for_fip_port_forwarding).
import type { FileContext } from './context.ts';
import { cidrContains, formatIpv4, parseIpv4 } from './ipv4.ts';
import { deriveId } from './ids.ts';
import type { NetworkT, PortForwardingT, RouterT, VmT } from './model.ts';
import { parsePortRangeText } from './port-forwarding-ports.ts';

/** A side's ports (the checks passed: exactly one field is written, a range parses). */
function ports(single: number | undefined, range: string | undefined): readonly [number, number] {
  if (single !== undefined) return [single, single];
  const r = parsePortRangeText(range ?? '');
  return typeof r === 'string' ? [0, 0] : r;
}

export function derivePortForwardings(ctx: FileContext, networks: readonly NetworkT[], vms: readonly VmT[], routers: readonly RouterT[]): PortForwardingT[] {
  const drafts = (ctx.file.port_forwardings ?? []).map((pf) => {
    const ip = parseIpv4(pf.floating_ip) ?? 0;
    const network = networks.find((n) => n.external && ctx.subnetsOf.get(n.name)?.some((s) => s.cidr && cidrContains(s.cidr, ip)))?.name ?? '';
    const portIndex = pf.port ?? 0;
    const port = vms.find((v) => v.name === pf.vm)?.ports[portIndex];
    return { pf, fip: formatIpv4(ip), network, portIndex, port };
  });
  const routerOf = new Map<string, string>();
  for (const fip of new Set(drafts.map((d) => d.fip))) {
    const mine = drafts.filter((d) => d.fip === fip);
    const subnets = new Set(mine.map((d) => d.port?.subnet ?? ''));
    const network = mine[0]?.network ?? '';
    const r = routers.find((x) => x.gateway?.network === network && [...subnets].every((s) => x.interfaces.some((i) => i.subnet === s)));
    routerOf.set(fip, r?.name ?? '');
  }
  return drafts.map(({ pf, fip, network, portIndex, port }) => {
    const ext = ports(pf.external_port, pf.external_port_range);
    const int = ports(pf.internal_port, pf.internal_port_range);
    return {
      // One external port names a forwarding's id as before ranges; a range by its first port (ranges of a floating IP never overlap).
      id: pf.id?.toLowerCase() ?? deriveId('port_forwarding', `${fip}/${pf.protocol}/${ext[0]}`),
      floatingIpId: pf.floating_ip_id?.toLowerCase() ?? deriveId('floatingip', fip),
      floatingIp: fip,
      network,
      protocol: pf.protocol,
      externalPort: ext[0],
      externalPortEnd: ext[1],
      portId: port?.id ?? '',
      vm: pf.vm,
      portIndex,
      internalIp: port?.ip ?? '',
      internalPort: int[0],
      internalPortEnd: int[1],
      router: routerOf.get(fip) ?? '',
    };
  });
}
