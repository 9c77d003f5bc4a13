// Endpoints of the property language as sets: who sends (sender groups, one per sending station) and
// where a packet must end (destinations). VM, VM:N, IP, NETWORK/IP as in `query`; a CIDR (any address
// in it); `project:NAME` and `network:NAME` (their VM ports); `external` / `external:NETWORK` (the
// outside world, from and to any address outside the cloud: docs/properties.md, Endpoints).
import type { Dataplane } from '../../ir/dataplane.ts';
import type { Topology } from '../../topology/model.ts';
import type { ErrorCode } from '../../errors.ts';
import { resolveEndpoint } from '../endpoints.ts';
import { destsOf, groupOf, type Sender } from '../destinations.ts';
import type { Dest, SourceGroup } from '../reach-set.ts';
import { outsideAddresses, outsideStations, portSender, vmPorts } from '../senders.ts';
import { overlaps, parseCidr, someAddress } from './cidr.ts';

/** One sending station with its group (for "every source reaches …") and a representative sender. */
export interface SenderEntry {
  readonly label: string;
  readonly group: SourceGroup;
  readonly rep: Sender;
}

export interface EndpointSet {
  readonly senders: readonly SenderEntry[];
  readonly dests: readonly Dest[];
}

export type SetResult = { readonly ok: true; readonly set: EndpointSet } | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

const fail = (message: string, code: ErrorCode = 'NP704'): SetResult => ({ ok: false, code, message });

/** Resolves `text` as a set; `role` decides whether an endpoint that cannot send is an error. */
export function resolveSet(topo: Topology, dp: Dataplane, text: string, role: 'from' | 'to'): SetResult {
  const ports = vmPorts(dp);
  const portEntries = (ps: typeof ports): SenderEntry[] => ps.map((s) => ({ label: `${s.vm}:${s.index}`, group: { sources: [portSender(topo, s)] }, rep: { kind: 'port', station: s, ip: s.ip } }));
  const portDests = (ps: typeof ports): Dest[] => ps.map((s) => ({ kind: 'port', station: s, ipDst: s.ip, finalDst: s.ip }));
  const outsideSet = (network: string | null): SetResult => {
    const stations = outsideStations(dp).filter((o) => network === null || o.network === network);
    if (stations.length === 0) return fail(network === null ? 'the topology has no outside world (no external or provider network)' : `"${network}" is not a network with an outside world`);
    const addrs = outsideAddresses(topo);
    const rep = someAddress(addrs.find((c) => c.ip === '8.0.0.0' || c.prefixLen <= 8) ?? addrs[0]!);
    return {
      ok: true,
      set: {
        senders: stations.map((o) => ({ label: `external:${o.network}`, group: { sources: [{ station: o }], ipSrc: addrs }, rep: { kind: 'outside', station: o, ip: rep } })),
        dests: [{ kind: 'external', network, ipDst: addrs }],
      },
    };
  };

  if (text === 'external') return outsideSet(null);
  if (text.startsWith('external:')) return outsideSet(text.slice('external:'.length));
  if (text.startsWith('project:')) {
    const name = text.slice('project:'.length);
    const mine = ports.filter((p) => p.project === name);
    if (mine.length === 0) return fail(`no VM port belongs to project "${name}"`);
    return { ok: true, set: { senders: portEntries(mine), dests: portDests(mine) } };
  }
  if (text.startsWith('network:')) {
    const name = text.slice('network:'.length);
    if (!topo.networks.some((n) => n.name === name)) return fail(`no network named "${name}"`);
    const on = ports.filter((p) => p.network === name);
    if (on.length === 0) return outsideStations(dp).some((o) => o.network === name) ? outsideSet(name) : fail(`network "${name}" has no VM port`);
    return { ok: true, set: { senders: portEntries(on), dests: portDests(on) } };
  }
  const cidr = /^[0-9.]+\/\d+$/.test(text) ? parseCidr(text) : null;
  if (cidr) {
    const inside = ports.filter((p) => overlaps(cidr, { ip: p.ip, prefixLen: 32 }));
    const tenant = topo.networks.some((n) => !n.external && n.subnets.some((s) => overlaps(cidr, { ip: s.networkAddress, prefixLen: s.prefixLen })));
    // A prefix outside every tenant subnet sends from the outside world, through each external network.
    const senders = inside.length > 0 || tenant ? portEntries(inside) : outsideStations(dp).map((o): SenderEntry => ({ label: `external:${o.network}`, group: { sources: [{ station: o }], ipSrc: [cidr] }, rep: { kind: 'outside', station: o, ip: someAddress(cidr) } }));
    if (role === 'from' && senders.length === 0) return fail(`no VM port or outside host has an address in ${text}`, 'NP706');
    return { ok: true, set: { senders, dests: [{ kind: 'prefix', cidr }] } };
  }
  const r = resolveEndpoint(topo, dp, text, role, null);
  if (!r.ok) return fail(r.error.message);
  const ep = r.endpoint;
  if (ep.kind === 'address' && role === 'from') return fail(`${text} is not a sender: give a VM port, a project, a network or an address outside the cloud`, 'NP706');
  const dests = destsOf(topo, dp, ep, role);
  if ('code' in dests) return fail(dests.message);
  if (ep.kind === 'address') return { ok: true, set: { senders: [], dests } };
  return { ok: true, set: { senders: [senderEntry(topo, ep)], dests } };
}

/** One sender (a VM port, or an outside address through its network) as an entry of a set. */
export function senderEntry(topo: Topology, ep: Sender): SenderEntry {
  const label = ep.kind === 'port' ? `${ep.station.vm}:${ep.station.index}` : `${ep.ip} (external:${ep.station.network})`;
  return { label, group: groupOf(topo, ep), rep: ep };
}
