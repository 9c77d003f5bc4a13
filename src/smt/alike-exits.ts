// Crossings of an external network decided once for every router exit alike, not per router.
// Why: a copy a router sends out of its gateway port to another address of the external subnet is
// decided untold (untold.ts) per crossing key — the exit, the copy's source MAC (that router's) and its
// destination — by a walk across the external network: routers × addresses walks, the sweep's growth
// left once the per-sender splits were passed over (quiet-splits.ts; README, Performance).
// Soundness: take two routers R and S whose gateway ports are internal ports of the same bridge on
// the same host, with the same port record but for name and number, named by no flow of that bridge
// (neither in a match nor as an action's port), with unicast router MACs. A copy from R's port to
// an address of neither router, whose walk (R's decision) lists no telling end and enters only
// stateless places on bridges whose flows neither match nor set nor move the source MAC, maps onto
// the copy from S's port with S's MAC by swapping R's and S's ports and MACs: the first bridge treats
// the two ports alike, no bridge entered reads the source MAC, NORMAL reads the destination only (never
// R's or S's MAC: the copy is to neither), a VM and the upstream router read no source MAC, and the
// cut at the router reached (walk.ts `acrossExternal`) asks only that the source be a router's MAC.
// Neither router's namespace is entered by R's walk (it enters no namespace), so S's walk is the image
// of R's and is untold too.
import type { Flow, FlowAction, OvsBridge, OvsPort, PortRef } from '../ir/openflow.ts';
import { GROUP_BIT } from '../semantics/link-layer.ts';

/** Off only in tests that hold the walk to deciding each router's crossings itself (test/fuzz/properties/walk-shortcuts.ts); `shared`: crossings decided by an alike exit, in the process. */
export const alikeExitsSwitch = { on: true, shared: 0 };

/** Actions that neither read nor write a frame's source MAC (anything else, e.g. `move` or `learn`, may). */
const BLIND: ReadonlySet<FlowAction['kind']> = new Set<FlowAction['kind']>([
  'output', 'in_port', 'normal', 'drop', 'resubmit', 'goto_table', 'mod_vlan_vid', 'push_vlan', 'set_vlan_vid', 'strip_vlan', 'set_tun_id', 'set_reg', 'mod_dl_dst', 'set_arp_op', 'set_arp_pa', 'set_arp_ha',
]);

/** No flow matches, sets or moves the source MAC. */
export function sourceBlind(flows: readonly Flow[]): boolean {
  return flows.every((f) => f.match.dl_src === undefined && f.actions.every((a) => BLIND.has(a.kind)));
}

function names(ref: PortRef | null | undefined, port: OvsPort): boolean {
  if (ref === null || ref === undefined) return false;
  return ref.kind === 'name' ? ref.name === port.name : port.ofport === null || ref.ofport === port.ofport;
}

/** No flow names `port`, in its match or as an action's port (a numbered reference counts when the port's number is unknown). */
export function unnamed(flows: readonly Flow[], port: OvsPort): boolean {
  return flows.every((f) => !names(f.match.in_port, port) && f.actions.every((a) => !('port' in a) || !names(a.port, port)));
}

/** The port record but for its name and number: what the bridge treats a port by. */
export function portShape(bridge: OvsBridge, port: OvsPort): string {
  return [bridge.name, port.type, port.tag, port.peer, port.remoteIp, port.localIp].join('|');
}

/** A unicast, non-zero MAC (the swap keeps every source check alike). */
export function unicast(mac: number): boolean {
  return mac !== 0 && Math.floor(mac / GROUP_BIT) % 2 === 0;
}

/** A router exit's part in a shared decision: its source MAC and its interface's addresses. */
export interface AlikeExit {
  readonly mac: number;
  readonly addrs: readonly number[];
}

/** Whether the representative `rep`'s untold decision holds for `other`'s copy to `dstMac`/`dstIp` (neither router's). */
export function shareable(rep: AlikeExit, other: AlikeExit, dstMac: number, dstIp: number): boolean {
  return dstMac !== rep.mac && dstMac !== other.mac && !rep.addrs.includes(dstIp) && !other.addrs.includes(dstIp) && unicast(rep.mac) && unicast(other.mac);
}
