// Semantic checks of floating IP port forwardings (`port_forwardings`), as Neutron's port_forwarding
// service plugin refuses them (neutron/services/portforwarding/pf_plugin.py, db/models/port_forwarding.py):
// the floating IP must be on an external subnet and associated with no port; the internal address must be the
// port's fixed IP; one floating IP forwards a protocol's external port once, and a port's internal address and
// port once per protocol; one router (gateway on the floating IP's network, an interface on each forwarded
// port's subnet) must serve all of a floating IP's forwardings. The service plugin exists since Rocky; port
// ranges (`external_port_range`/`internal_port_range`) since Zed, where Neutron refuses overlapping ranges as it
// refused a port twice (pf_plugin.py _check_port_collisions) and an internal range not as long as the external
// one (_validate_ranges).
import type { Diagnostics } from './diagnostics.ts';
import { checkAddress, namedVmPort } from './check-util.ts';
import type { FileContext } from './context.ts';
import { externalNetworkOf, subnetFor } from './context.ts';
import { parseIpv4 } from './ipv4.ts';
import type { Path } from './path.ts';
import { ordinalOf, releaseOrdinal } from './release.ts';
import type { PortForwardingFile } from './schema.ts';
import { parsePortRangeText } from './port-forwarding-ports.ts';

interface Claim {
  readonly network: string;
  readonly ip: number;
  readonly path: Path;
  readonly owner: string;
}

/** The routers (file order) with a gateway on `network` and an interface on every one of `subnets`. */
export function routersServing(ctx: FileContext, network: string, subnets: readonly string[]): string[] {
  return Object.entries(ctx.file.routers ?? {})
    .filter(([, r]) => r.gateway?.network === network
      && subnets.every((s) => (r.interfaces ?? []).some((itf) => (typeof itf === 'string' ? itf : itf.subnet) === s)))
    .map(([name]) => name);
}

type Side = 'external' | 'internal';

/** The side's ports, from `<side>_port` or `<side>_port_range`; null after reporting why not. */
function portsOf(diag: Diagnostics, at: Path, pf: PortForwardingFile, side: Side, rangesAllowed: string | null): readonly [number, number] | null {
  // The schema saw to it that exactly one of the two is written.
  const single = pf[`${side}_port`];
  const range = pf[`${side}_port_range`];
  if (single !== undefined || range === undefined) return single === undefined ? null : [single, single];
  if (rangesAllowed !== null) {
    diag.add('NP507', [...at, `${side}_port_range`], `port forwarding port ranges need Neutron Zed or later (the floating-ip-port-forwarding-port-ranges extension); defaults.release is ${rangesAllowed}`);
    return null;
  }
  const r = parsePortRangeText(range);
  if (typeof r === 'string') {
    diag.add('NP102', [...at, `${side}_port_range`], `${JSON.stringify(range)}: ${r}`);
    return null;
  }
  return r;
}

const overlaps = (a: readonly [number, number], b: readonly [number, number]): boolean => Math.max(a[0], b[0]) <= Math.min(a[1], b[1]);
const portsText = (r: readonly [number, number]): string => (r[0] === r[1] ? `port ${r[0]}` : `ports ${r[0]}:${r[1]}`);

export function checkPortForwardings(ctx: FileContext, diag: Diagnostics, claims: Claim[]): void {
  const pfs = ctx.file.port_forwardings ?? [];
  if (pfs.length === 0) return;
  const release = ctx.file.defaults?.release;
  const rank = release === undefined ? null : releaseOrdinal(release);
  if (rank !== null && rank < ordinalOf('rocky')) {
    diag.add('NP506', ['port_forwardings'], `floating IP port forwardings need Neutron Rocky or later (the port_forwarding service plugin); defaults.release is ${release}`);
    return;
  }
  const associated = new Map<number, number>();
  (ctx.file.floating_ips ?? []).forEach((f, i) => {
    const ip = parseIpv4(f.ip);
    if (ip !== null) associated.set(ip, i);
  });
  // Before Zed the range fields do not exist: the release, when a range may not be written.
  const rangesAllowed = rank !== null && rank < ordinalOf('zed') ? (release ?? null) : null;
  const claimed = new Set<number>();
  const externalKeys = new Map<string, { ports: readonly [number, number]; i: number }[]>();
  const internalKeys = new Map<string, { ports: readonly [number, number]; i: number }[]>();
  const fieldOf = (pf: PortForwardingFile, side: Side) => (pf[`${side}_port_range`] !== undefined ? `${side}_port_range` : `${side}_port`);
  // Per floating IP: its network and the subnets of the ports it forwards to, for the router check.
  const perFip = new Map<number, { network: string; subnets: Set<string>; first: number; text: string }>();
  pfs.forEach((pf, i) => {
    const at: Path = ['port_forwardings', i];
    const ext = portsOf(diag, at, pf, 'external', rangesAllowed);
    const int = portsOf(diag, at, pf, 'internal', rangesAllowed);
    if (ext !== null && int !== null && int[1] > int[0] && int[1] - int[0] !== ext[1] - ext[0]) {
      diag.add('NP319', [...at, 'internal_port_range'], `internal ${portsText(int)} and external ${portsText(ext)}: Neutron takes an internal range only as long as the external one (N-N), or one internal port (1-N)`);
    }
    const fip = checkAddress(diag, [...at, 'floating_ip'], pf.floating_ip);
    let network: string | undefined;
    if (fip !== null) {
      network = externalNetworkOf(ctx, fip);
      if (network === undefined) diag.add('NP305', [...at, 'floating_ip'], `${pf.floating_ip} is in no subnet of an external network`);
      const bound = associated.get(fip);
      if (bound !== undefined) {
        diag.add('NP306', [...at, 'floating_ip'], `floating IP ${pf.floating_ip} is floating_ips[${bound}], associated with a port: Neutron refuses port forwardings on it`);
      } else if (!claimed.has(fip)) {
        claimed.add(fip);
        if (network !== undefined) claims.push({ network, ip: fip, path: [...at, 'floating_ip'], owner: `floating IP ${pf.floating_ip} of port_forwardings[${i}]` });
      }
      if (ext !== null) {
        const key = `${fip}|${pf.protocol}`;
        const seen = externalKeys.get(key) ?? [];
        const prev = seen.find((s) => overlaps(s.ports, ext));
        if (prev !== undefined) diag.add('NP306', [...at, fieldOf(pf, 'external')], `floating IP ${pf.floating_ip} already forwards ${pf.protocol} ${portsText(prev.ports)} (port_forwardings[${prev.i}]), which ${portsText(ext)} overlaps`);
        else externalKeys.set(key, [...seen, { ports: ext, i }]);
      }
    }
    const named = namedVmPort(ctx, diag, at, pf);
    if (named === null) return;
    const { port, index, portAt } = named;
    if (pf.internal_ip !== undefined) {
      const internal = checkAddress(diag, [...at, 'internal_ip'], pf.internal_ip);
      if (internal !== null) {
        if (port.ip === undefined) diag.add('NP318', [...at, 'internal_ip'], `port ${pf.vm}:${index} has no written ip: write it to name it in internal_ip, or leave internal_ip out`);
        else if (parseIpv4(port.ip) !== internal) diag.add('NP318', [...at, 'internal_ip'], `${pf.internal_ip} is not a fixed IP of port ${pf.vm}:${index} (${port.ip})`);
      }
    }
    if (int !== null) {
      const key = `${pf.vm}:${index}|${pf.protocol}`;
      const seen = internalKeys.get(key) ?? [];
      const prev = seen.find((s) => overlaps(s.ports, int));
      if (prev !== undefined) diag.add('NP306', [...at, fieldOf(pf, 'internal')], `port ${pf.vm}:${index} already receives ${pf.protocol} ${portsText(prev.ports)} from port_forwardings[${prev.i}], which ${portsText(int)} overlaps`);
      else internalKeys.set(key, [...seen, { ports: int, i }]);
    }
    if (fip === null || network === undefined || !ctx.networks.has(port.network)) return;
    const fixed = port.ip === undefined ? null : parseIpv4(port.ip);
    const subnet = subnetFor(ctx, port.network, fixed);
    if (subnet === undefined) return; // the bad fixed address is reported on the port
    const group = perFip.get(fip) ?? { network, subnets: new Set<string>(), first: i, text: pf.floating_ip };
    group.subnets.add(subnet.name);
    perFip.set(fip, group);
  });
  for (const g of perFip.values()) {
    if (routersServing(ctx, g.network, [...g.subnets]).length === 0) {
      diag.add('NP310', ['port_forwardings', g.first, 'floating_ip'],
        `no router has a gateway on ${g.network} and an interface on every subnet floating IP ${g.text} forwards to (${[...g.subnets].join(', ')})`);
    }
  }
}
