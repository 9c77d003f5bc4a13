// Overlapping subnets that Neutron's API refuses, refused here too (each error names both subnets and
// where the other one is written):
// - NP314: two subnets of one network overlap (neutron/db/ipam_backend_mixin.py `_validate_subnet_cidr`:
//   "Requested subnet with cidr … overlaps with another subnet"), whatever allow_overlapping_ips says;
// - NP315: two subnets a router has interfaces on overlap (neutron/db/l3_db.py
//   `_check_for_dup_router_subnets`: "Cidr … of subnet … overlaps with cidr … of subnet …");
// - NP316: a subnet a router has an interface on overlaps a subnet of the external network its
//   gateway is on (the same check: a gateway port brings in every subnet of its network).
import type { Diagnostics } from './diagnostics.ts';
import type { FileContext, SubnetInfo } from './context.ts';
import { cidrsOverlap, formatCidr } from './ipv4.ts';
import type { Path } from './path.ts';

const subnetPath = (s: SubnetInfo): Path => ['networks', s.network, 'subnets', s.name, 'cidr'];

/** "subnet a (10.0.0.0/16) of network net1, line 14" */
function described(diag: Diagnostics, s: SubnetInfo): string {
  const at = diag.locate(subnetPath(s));
  return `subnet ${s.name} (${s.cidr === null ? '?' : formatCidr(s.cidr)}) of network ${s.network}${at === null ? '' : `, line ${at.line}`}`;
}

const overlap = (a: SubnetInfo, b: SubnetInfo): boolean => a.cidr !== null && b.cidr !== null && cidrsOverlap(a.cidr, b.cidr);

function checkWithinNetworks(ctx: FileContext, diag: Diagnostics): void {
  for (const subnets of ctx.subnetsOf.values()) {
    subnets.forEach((s, i) => {
      const earlier = subnets.slice(0, i).find((e) => overlap(e, s));
      if (earlier) diag.add('NP314', subnetPath(s), `${formatCidr(s.cidr!)} overlaps ${described(diag, earlier)}: Neutron refuses overlapping subnets in one network`);
    });
  }
}

function checkRouters(ctx: FileContext, diag: Diagnostics): void {
  for (const [name, r] of Object.entries(ctx.file.routers ?? {})) {
    // A gateway on a network that is not external is its own error (NP102), not a reason for this one.
    const external = r.gateway && ctx.networks.get(r.gateway.network)?.external === true ? (ctx.subnetsOf.get(r.gateway.network) ?? []) : [];
    const seen: SubnetInfo[] = [];
    (r.interfaces ?? []).forEach((itf, i) => {
      const subnet = ctx.subnets.get(typeof itf === 'string' ? itf : itf.subnet);
      if (subnet === undefined || seen.includes(subnet)) return; // a dangling or repeated interface has its own error
      const at: Path = typeof itf === 'string' ? ['routers', name, 'interfaces', i] : ['routers', name, 'interfaces', i, 'subnet'];
      const other = seen.find((e) => overlap(e, subnet));
      const ext = external.find((e) => overlap(e, subnet));
      if (other) {
        diag.add('NP315', at, `${described(diag, subnet)} overlaps ${described(diag, other)}, both on router ${name}: Neutron refuses a router interface on a subnet overlapping another of its subnets`);
      } else if (ext) {
        diag.add('NP316', at, `${described(diag, subnet)} overlaps ${described(diag, ext)}, the external network of router ${name}'s gateway: Neutron refuses the interface`);
      }
      seen.push(subnet);
    });
  }
}

export function checkOverlaps(ctx: FileContext, diag: Diagnostics): void {
  checkWithinNetworks(ctx, diag);
  checkRouters(ctx, diag);
}
