// Semantic checks of floating IP port forwardings (`port_forwardings`), as Neutron's port_forwarding
// service plugin refuses them (neutron/services/portforwarding/pf_plugin.py, db/models/port_forwarding.py):
// the floating IP must be on an external subnet and associated with no port; the internal address must be the
// port's fixed IP; one floating IP forwards a protocol's external port once, and a port's internal address and
// port once per protocol; one router (gateway on the floating IP's network, an interface on each forwarded
// port's subnet) must serve all of a floating IP's forwardings. The service plugin exists since Rocky.
import type { Diagnostics } from './diagnostics.ts';
import { checkAddress } from './check-util.ts';
import type { FileContext } from './context.ts';
import { externalNetworkOf, subnetFor } from './context.ts';
import { parseIpv4 } from './ipv4.ts';
import type { Path } from './path.ts';
import { ordinalOf, releaseOrdinal } from './release.ts';

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
  const claimed = new Set<number>();
  const externalKeys = new Map<string, number>();
  const internalKeys = new Map<string, number>();
  // Per floating IP: its network and the subnets of the ports it forwards to, for the router check.
  const perFip = new Map<number, { network: string; subnets: Set<string>; first: number; text: string }>();
  pfs.forEach((pf, i) => {
    const at: Path = ['port_forwardings', i];
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
      const ext = `${fip}|${pf.protocol}|${pf.external_port}`;
      const prev = externalKeys.get(ext);
      if (prev !== undefined) diag.add('NP306', [...at, 'external_port'], `floating IP ${pf.floating_ip} already forwards ${pf.protocol} port ${pf.external_port} (port_forwardings[${prev}])`);
      else externalKeys.set(ext, i);
    }
    const vm = ctx.file.vms?.[pf.vm];
    if (!vm) {
      diag.add('NP201', [...at, 'vm'], `no VM "${pf.vm}"`);
      return;
    }
    const index = pf.port ?? 0;
    const port = vm.ports[index];
    const portAt: Path = pf.port === undefined ? [...at, 'vm'] : [...at, 'port'];
    if (!port) {
      diag.add('NP201', portAt, `VM ${pf.vm} has no port ${index}`);
      return;
    }
    if (pf.internal_ip !== undefined) {
      const internal = checkAddress(diag, [...at, 'internal_ip'], pf.internal_ip);
      if (internal !== null) {
        if (port.ip === undefined) diag.add('NP318', [...at, 'internal_ip'], `port ${pf.vm}:${index} has no written ip: write it to name it in internal_ip, or leave internal_ip out`);
        else if (parseIpv4(port.ip) !== internal) diag.add('NP318', [...at, 'internal_ip'], `${pf.internal_ip} is not a fixed IP of port ${pf.vm}:${index} (${port.ip})`);
      }
    }
    const int = `${pf.vm}:${index}|${pf.protocol}|${pf.internal_port}`;
    const prevInt = internalKeys.get(int);
    if (prevInt !== undefined) diag.add('NP306', [...at, 'internal_port'], `port ${pf.vm}:${index} already receives ${pf.protocol} port ${pf.internal_port} from port_forwardings[${prevInt}]`);
    else internalKeys.set(int, i);
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
