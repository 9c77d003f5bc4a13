// A VIP as a destination: an address that VM ports may hold by an allowed address pair, moved between
// them by keepalived or pacemaker inside the VMs. Which VM holds it is decided inside the VMs, so it is
// a choice of the question, as the masters of HA routers are: `query` asks under each possible holder
// (reachable only if reachable whichever holds it, the answer naming the holder), `trace` follows the
// first; `--holder VM[:N]` pins one.
// A holder answers ARP for the VIP with its own MAC (keepalived without a VMAC) when its port's rules
// let its ARP for the VIP out: the gratuitous ARP it sends on taking the VIP is walked through the
// dataplane, and the holder answers for the VIP only when some other station or namespace hears it.
// The rules that decide it (br-int's ARP spoofing flows: in_port and arp_spa, whatever the opcode, and
// the source MAC) treat a reply from the VIP as they treat the announcement.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Ipv4 } from '../ir/packet.ts';
import type { Topology } from '../topology/model.ts';
import type { InputError } from '../errors.ts';
import type { Evaluator } from '../evaluate/index.ts';
import type { Trace } from '../evaluate/trace.ts';
import { gratuitousArp } from '../evaluate/arp.ts';
import { resolveEndpoint, type VmPortStation } from './endpoints.ts';
import { floatingIpPort, namespaceHolding, nextHopPorts, pairHolders } from './senders.ts';

/** A `--to` that is a VIP: its address and network, and the ports that may hold it (the topology's order). */
export interface VipTarget {
  readonly ip: Ipv4;
  readonly network: string;
  readonly holders: readonly VmPortStation[];
}

export const portLabel = (s: VmPortStation): string => `${s.vm}:${s.index}`;

/**
 * The VIP `text` names as a destination, or null when it is no VIP: an address in a tenant subnet
 * that no port holds as its own, no floating IP, no namespace address and no router's next hop, and
 * that some port on its network has among its allowed address pairs.
 */
export function vipTarget(topo: Topology, dp: Dataplane, text: string, via: string | null): VipTarget | null {
  const r = resolveEndpoint(topo, dp, text, '--to', via);
  if (!r.ok || r.endpoint.kind !== 'address' || r.endpoint.network === null) return null;
  const { ip, network } = r.endpoint;
  if (floatingIpPort(topo, dp, ip) || namespaceHolding(dp, ip) || nextHopPorts(topo, dp, ip).length > 0) return null;
  const holders = pairHolders(topo, dp, ip, network);
  return holders.length > 0 ? { ip, network, holders } : null;
}

/** The holder `--holder` names (VM or VM:N) among the VIP's possible holders, or the error naming them. */
export function pinnedHolder(topo: Topology, vip: VipTarget | null, to: string, text: string): VmPortStation | InputError {
  const err = (message: string): InputError => ({ code: 'NP405', file: topo.file, position: null, path: '--holder', message });
  if (vip === null) return err(`--holder picks which VM holds a VIP, and --to ${to} is no VIP (no port has it among its allowed address pairs, or something else holds it)`);
  const m = /^([^:/]+)(?::(\d+))?$/.exec(text);
  const held = m ? vip.holders.find((h) => h.vm === m[1] && (m[2] === undefined || h.index === Number(m[2]))) : undefined;
  return held ?? err(`${text} cannot hold ${vip.ip}: the ports with it among their allowed address pairs are ${vip.holders.map(portLabel).join(', ')}`);
}

/** A choice of holder: the dataplane in which it answers ARP for the VIP, and what its announcement met. */
export interface HeldVip {
  readonly vip: VipTarget;
  readonly holder: VmPortStation;
  readonly dataplane: Dataplane;
  /** Whether some station or namespace heard the holder's ARP for the VIP (else it answers no one for it). */
  readonly announced: boolean;
  /** The announcement's walk: where it stopped, when it was not heard. */
  readonly announcement: Trace;
}

/** Whether a copy of the announcement reached another station or a namespace (the first hop is the holder's own). */
function heard(t: Trace): boolean {
  return [t, ...t.branches].some((c) => c.hops.slice(1).some((h) => h.deviceKind === 'namespace' || h.deviceKind === 'outside' || h.deviceKind === 'vm'));
}

/** `dp` with `holder` holding the VIP (`ev` is `dp`'s evaluator, which walks the announcement). */
export function holdVip(dp: Dataplane, ev: Evaluator, vip: VipTarget, holder: VmPortStation): HeldVip {
  const station = dp.stations.find((s): s is VmPortStation => s.kind === 'vm-port' && s.vm === holder.vm && s.index === holder.index);
  const announcement = ev.trace(station ?? holder, gratuitousArp(holder.mac, vip.ip, null), { everyCopy: true });
  const announced = station !== undefined && heard(announcement);
  const dataplane: Dataplane = !announced ? dp : {
    ...dp,
    stations: dp.stations.map((s) => (s === station ? { ...s, vips: [...(s.vips ?? []), vip.ip] } : s)),
  };
  return { vip, holder, dataplane, announced, announcement };
}

/** Why a holder answers no ARP for the VIP, in words (empty when it does). */
export function unannounced(h: HeldVip): string {
  if (h.announced) return '';
  const d = h.announcement.droppedAt;
  const where = d ? `: its ARP for ${h.vip.ip} stops at ${d.device} on ${d.host} (${d.rule})` : `: no one hears its ARP for ${h.vip.ip}`;
  return `${portLabel(h.holder)} answers no ARP for ${h.vip.ip}${where}`;
}
