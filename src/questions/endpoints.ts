// Endpoints of `trace` and `query` (docs/cli.md, Endpoints): a VM name (its first port), `VM:N`, an IP address, or
// `NETWORK/IP`. An IP held by a VM port is that port; an IP outside every tenant subnet is a host of
// the outside world (docs/topology.md, Conventions); any other IP (a router's or DHCP server's address, a floating IP) is
// an address to send to.
import type { Dataplane, Station } from '../ir/dataplane.ts';
import type { Ipv4 } from '../ir/packet.ts';
import type { Topology } from '../topology/model.ts';
import type { InputError, Result } from '../errors.ts';
import { inPrefix, isIpv4 } from '../net/ipv4.ts';
import { nameHint } from './known-names.ts';
import { stationIndex, topologyIndex } from './endpoint-index.ts';

export type VmPortStation = Extract<Station, { kind: 'vm-port' }>;
export type OutsideStation = Extract<Station, { kind: 'outside' }>;

export type Endpoint =
  | { readonly kind: 'port'; readonly station: VmPortStation; readonly ip: Ipv4 }
  | { readonly kind: 'outside'; readonly station: OutsideStation; readonly ip: Ipv4 }
  /** An address inside the cloud that no VM port holds (a router or DHCP address, a floating IP). */
  | { readonly kind: 'address'; readonly ip: Ipv4; readonly network: string | null };

export type Resolved = { readonly ok: true; readonly endpoint: Endpoint } | { readonly ok: false; readonly error: InputError };

function usage(file: string, path: string, message: string, code: 'NP404' | 'NP405' = 'NP405'): Resolved {
  return { ok: false, error: { code, file, position: null, path, message } };
}

/**
 * Resolves `text` (the value of `--from`/`--to`, named by `flag` in errors). `via` picks the external
 * network for an outside address when there are several; without it, `prefer` (the network the other end is
 * reached through, `arrivalNetwork`) is taken for an address that no external subnet holds.
 */
export function resolveEndpoint(topo: Topology, dp: Dataplane, text: string, flag: string, via: string | null, prefer: string | null = null): Resolved {
  const ix = stationIndex(dp);
  const vmMatch = /^([^:/]+)(?::(\d+))?$/.exec(text);
  if (vmMatch && !isIpv4(text)) {
    const [, vm, n] = vmMatch;
    const index = n === undefined ? 0 : Number(n);
    const mine = ix.portsOfVm.get(vm!) ?? [];
    const station = mine.find((p) => p.index === index);
    if (station) return { ok: true, endpoint: { kind: 'port', station, ip: station.ip } };
    const indexes = mine.map((p) => p.index);
    if (indexes.length > 0) return usage(topo.file, flag, `VM "${vm}" has no port ${index}; its ${indexes.length === 1 ? 'port is' : 'ports are'} ${indexes.join(', ')}`);
    return usage(topo.file, flag, `no VM named "${vm}" (and not an IP address)${nameHint(vm!, topo.vms.map((v) => v.name), 'VMs')}`);
  }
  const slash = text.indexOf('/');
  const [network, ip] = slash >= 0 ? [text.slice(0, slash), text.slice(slash + 1)] : [null, text];
  if (!isIpv4(ip)) return usage(topo.file, flag, `"${text}" is not a VM, VM:N, IP or NETWORK/IP`);
  if (network !== null && !topo.networks.some((n) => n.name === network)) return usage(topo.file, flag, `no network named "${network}"${nameHint(network, topo.networks.map((n) => n.name), 'networks')}`);

  const holders = (ix.portsWithIp.get(ip) ?? []).filter((p) => network === null || p.network === network);
  if (holders.length > 1) {
    const names = holders.map((h) => `${h.network}/${ip} (${h.vm}:${h.index})`).join(', ');
    return usage(topo.file, flag, `${ip} is held by several ports; write one of ${names}`, 'NP404');
  }
  if (holders[0]) return { ok: true, endpoint: { kind: 'port', station: holders[0], ip } };

  const tenantNet = topo.networks.find(
    (n) => !n.external && (network === null || n.name === network) && n.subnets.some((s) => inPrefix(ip, s.networkAddress, s.prefixLen)),
  );
  if (tenantNet) return { ok: true, endpoint: { kind: 'address', ip, network: tenantNet.name } };

  // Outside every tenant subnet: a host of the outside world, or an address the cloud holds on an external network.
  const inCloud = topologyIndex(topo).cloudIps.has(ip);
  const outsides = ix.outsides;
  const wanted = via ?? network;
  const candidates = wanted ? outsides.filter((o) => o.network === wanted) : outsides;
  if (wanted !== null && candidates.length === 0) return usage(topo.file, via !== null ? '--via' : flag, `"${wanted}" is not a network with an outside world`);
  if (inCloud) {
    const holder = topo.networks.find((n) => n.subnets.some((s) => inPrefix(ip, s.networkAddress, s.prefixLen)));
    return { ok: true, endpoint: { kind: 'address', ip, network: holder?.name ?? null } };
  }
  // Prefer the external network whose subnet holds the address; else the one the other end is reached
  // through (an outside host sends to a floating IP or a provider port through that network's upstream
  // router, not through whichever external network is written first); else the first (or --via's).
  const station =
    candidates.find((o) => inPrefix(ip, o.cidr.ip, o.cidr.prefixLen)) ?? candidates.find((o) => prefer !== null && o.network === prefer) ?? candidates[0];
  if (!station) return usage(topo.file, flag, `${ip} is outside every subnet and the topology has no external network`);
  return { ok: true, endpoint: { kind: 'outside', station, ip } };
}

/**
 * The network whose outside world reaches `to`: the network holding it when that has an outside world (an
 * external or provider network), else the external network of a router with an interface on its subnet (a
 * floating IP of the port is on that network too). Null when nothing outside reaches it.
 */
export function arrivalNetwork(topo: Topology, dp: Dataplane, to: Endpoint): string | null {
  if (to.kind === 'outside') return null;
  const outside = stationIndex(dp).outsideNetworks;
  const network = to.kind === 'port' ? to.station.network : to.network;
  if (network === null) return null;
  if (outside.has(network)) return network;
  const tix = topologyIndex(topo);
  const subnet = to.kind === 'port' ? tix.portById.get(to.station.portId)?.subnet : undefined;
  const fip = to.kind === 'port' ? tix.floatingIpsOfPort.get(to.station.portId)?.find((f) => outside.has(f.network)) : undefined;
  if (fip) return fip.network;
  const onSubnet = (r: Topology['routers'][number]) => r.interfaces.some((i) => (subnet !== undefined ? i.subnet === subnet : i.network === network));
  return topo.routers.find((r) => r.gateway !== null && outside.has(r.gateway.network) && onSubnet(r))?.gateway?.network ?? null;
}

/** `--via`'s error when it names no network with an outside world; null when it is absent or fine. */
export function checkVia(topo: Topology, dp: Dataplane, via: string | null): InputError | null {
  if (via === null || stationIndex(dp).outsideNetworks.has(via)) return null;
  const external = topo.networks.filter((n) => n.external).map((n) => n.name);
  const hint = external.length > 0 ? `; external networks: ${external.join(', ')}` : '; the topology has no external network';
  return { code: 'NP405', file: topo.file, position: null, path: '--via', message: `"${via}" is not a network with an outside world${hint}` };
}

/** `--from` and `--to` of `trace` and `query`, with `--via` checked once (so its error is said once). */
export function resolveFromTo(topo: Topology, dp: Dataplane, from: string, to: string, via: string | null): Result<{ readonly from: Endpoint; readonly to: Endpoint }> {
  const viaError = checkVia(topo, dp, via);
  if (viaError !== null) return { ok: false, errors: [viaError] };
  const t = resolveEndpoint(topo, dp, to, '--to', via);
  const f = resolveEndpoint(topo, dp, from, '--from', via, via === null && t.ok ? arrivalNetwork(topo, dp, t.endpoint) : null);
  if (f.ok && t.ok) return { ok: true, value: { from: f.endpoint, to: t.endpoint } };
  return { ok: false, errors: [f, t].flatMap((r) => (r.ok ? [] : [r.error])) };
}
