// Shared helpers of the built-in properties: the topology's ports as stations and sender specs, the
// grouping of symmetric ports (docs/cli.md, Representative ports), and result constructors. Nothing here calls the solver.
// Guarantees: a representative stands for ports that differ only in address, MAC and host — same
// network and subnet, same security groups, same port security and address pairs, same floating-IP
// status — so any verdict drawn from it is stated as "one representative per class" in the message.
import { inPrefix } from '../../net/ipv4.ts';
import type { Station } from '../../ir/dataplane.ts';
import type { PortT, RouterT, Topology } from '../../topology/model.ts';
import type { SourceSpec } from '../../smt/index.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { portSender } from '../senders.ts';
import { hasFloatingIp, subnetByRef } from '../../topology/lookup.ts';
import { parseCidr } from '../../render/linux/addr.ts';

export type VmStation = Extract<Station, { kind: 'vm-port' }>;
export type OutsideStation = Extract<Station, { kind: 'outside' }>;

export const portLabel = (s: VmStation): string => `${s.vm}:${s.index}`;

/**
 * What a violation of a port's groups or port security says when the cloud runs the `noop` firewall
 * driver: nothing on the hosts enforces either, so the finding is the configuration's, not a rule's
 * gone missing (empty otherwise).
 */
export const unenforced = (topo: Topology): string =>
  topo.firewallDriver === 'noop' ? ' (firewall_driver noop: no host enforces security groups or port security)' : '';

export function vmStations(ctx: VerifyContext): VmStation[] {
  return ctx.dataplane.stations.filter((s): s is VmStation => s.kind === 'vm-port');
}

const outsideByStations = new WeakMap<readonly unknown[], readonly OutsideStation[]>();

/** The outside world's stations, found once per dataplane: asked per port (gateway's upstream), a scan of every station each time grew as ports². */
export function outsideStations(ctx: VerifyContext): readonly OutsideStation[] {
  const all = ctx.dataplane.stations;
  let out = outsideByStations.get(all);
  if (out === undefined) outsideByStations.set(all, (out = all.filter((s): s is OutsideStation => s.kind === 'outside')));
  return out;
}

/**
 * The outside world of `network` that `ip` is on — an external network with several subnets has an
 * upstream router on each, and from another subnet's no packet to `ip` starts at all (a proof over no
 * packet) — else the network's first; `network` null: of any external network; undefined when there is none.
 */
export function outsideFor(stations: readonly Station[], network: string | null | undefined, ip: string): OutsideStation | undefined {
  return outsideOn(stations, network, ip) ?? stations.find((s): s is OutsideStation => s.kind === 'outside' && (network === null || s.network === network));
}

/** The outside world of `network` (null: of any external network) whose subnet holds `ip`, if any. */
export function outsideOn(stations: readonly Station[], network: string | null | undefined, ip: string): OutsideStation | undefined {
  return stations.find((s): s is OutsideStation => s.kind === 'outside' && (network === null || s.network === network) && inPrefix(ip, s.cidr.ip, s.cidr.prefixLen));
}

/** An address on the internet, beyond every external network: where the built-ins' probes go to or come from. */
export const INTERNET = '8.8.8.8';

/** Well-known public resolvers, tried in turn when the first is routed otherwise. */
const PUBLIC = [INTERNET, '1.1.1.1', '9.9.9.9', '208.67.222.222', '4.2.2.2'];

/**
 * An internet address router `r` sends by its default route: the first of PUBLIC that none of its
 * extra routes, its subnets and its gateway's subnet covers (an extra route to 8.8.8.0/24 through a VM
 * takes the usual probe elsewhere); INTERNET when every one is covered.
 */
export function internetFor(topo: Topology, r: RouterT): string {
  const mine = [...r.interfaces.map((i) => i.subnet), ...(r.gateway ? [r.gateway.subnet] : [])].flatMap((n) => subnetByRef(topo, n)?.cidr ?? []);
  const covered = [...r.routes.map((x) => x.destination), ...mine].map(parseCidr);
  return PUBLIC.find((ip) => !covered.some((c) => inPrefix(ip, c.ip, c.prefixLen))) ?? INTERNET;
}

const portIndex = new WeakMap<Topology, ReadonlyMap<string, PortT>>();

/** The topology port behind a VM station (indexed once per topology: properties ask for every port, per network or router). */
export function portOf(topo: Topology, s: VmStation): PortT | undefined {
  let m = portIndex.get(topo);
  if (!m) portIndex.set(topo, (m = new Map(topo.ports.map((p) => [p.id, p]))));
  return m.get(s.portId);
}

/** What the station may send as a source: a VM port anything (senders.ts `portSender`), the outside world as given. */
export function sourceSpec(topo: Topology, s: Station): SourceSpec {
  return s.kind === 'vm-port' ? portSender(topo, s) : { station: s };
}

/** The class key of a VM port: ports with equal keys behave alike for the properties that group. */
export function classKey(topo: Topology, s: VmStation, extra = ''): string {
  const p = portOf(topo, s);
  const fip = hasFloatingIp(topo, s.portId);
  if (p === undefined) return `unknown:${s.portId}`;
  const pairs = p.allowedAddressPairs.map((a) => `${a.ipAddress}/${a.macAddress ?? ''}`).join(',');
  // A port with a floating IP is its own class: its FIP is part of its identity.
  return [p.network, p.subnet, p.portSecurity, [...p.securityGroups].sort().join(','), pairs, fip ? s.portId : '-', extra].join('|');
}

/** One representative per class, with the members it stands for. */
export function groupPorts(topo: Topology, ports: readonly VmStation[], extra: (s: VmStation) => string = () => ''): { rep: VmStation; members: VmStation[] }[] {
  const groups = new Map<string, { rep: VmStation; members: VmStation[] }>();
  for (const s of ports) {
    const k = classKey(topo, s, extra(s));
    const g = groups.get(k);
    if (g) g.members.push(s);
    else groups.set(k, { rep: s, members: [s] });
  }
  return [...groups.values()];
}

export function holds(property: string, subject: string, message: string): PropertyResult {
  return { property, subject, verdict: 'holds', witness: null, trace: null, message };
}

/** True only because there is nothing to check: `n/a`, never counted as a proof of anything. */
export function notApplicable(property: string, subject: string, message: string): PropertyResult {
  return { property, subject, verdict: 'n/a', witness: null, trace: null, message };
}

export function unknown(property: string, subject: string, message: string, error?: string): PropertyResult {
  return { property, subject, verdict: 'unknown', witness: null, trace: null, message, ...(error !== undefined ? { error } : {}) };
}

/** Whether this run checks `subject` (`VerifyContext.owns`). */
export function owned(ctx: VerifyContext, subject: string): boolean {
  return ctx.owns === undefined || ctx.owns(subject);
}

/** The stand-in for a subject this run does not check: it holds the subject's place, and is never reported. */
export function elsewhere(property: string, subject: string): PropertyResult {
  return { property, subject, verdict: 'n/a', witness: null, trace: null, message: 'checked elsewhere', elsewhere: true };
}

/** Says how far a property is: `done` of `total` `what` (a no-op unless the run shows progress). */
export function tick(ctx: VerifyContext, done: number, total: number, what: string): void {
  ctx.progress?.(done, total, what);
}

/** `; 3 ports on shared networks left out` — the ports a property did not check, said in its message ('' for none). */
export function leftOut(count: number, why: string): string {
  return count === 0 ? '' : `; ${count} port${count === 1 ? '' : 's'} ${why} left out`;
}

/** `3 ports` / `1 port`. */
export const portCount = (n: number): string => `${n} port${n === 1 ? '' : 's'}`;

/** Ports grouped by network, in the order their networks first appear. */
export function byNetwork(stations: readonly VmStation[]): Map<string, VmStation[]> {
  const out = new Map<string, VmStation[]>();
  for (const s of stations) {
    const l = out.get(s.network);
    if (l) l.push(s);
    else out.set(s.network, [s]);
  }
  return out;
}

/** "checked 3 ports (2 representatives)" — the grouping said out loud. */
export function coverage(ports: number, reps: number): string {
  return reps === ports ? `${ports} port${ports === 1 ? '' : 's'}` : `${ports} ports (${reps} checked, each standing for the ports alike but for address, MAC and host: one representative per class, whatever host the others are on)`;
}
