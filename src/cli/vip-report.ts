// How `query` and `trace` state the holder of a VIP they were answered with: a line in text, a `vip`
// object in JSON ({ address, holder, holders, pinned, announced }, an addition to the JSON contract),
// and the `vip-holder` assumption's scope.
import type { VipChoice } from '../questions/query-vip.ts';
import { portLabel } from '../questions/vip.ts';

export interface VipJson {
  address: string;
  holder: string;
  holders: string[];
  pinned: boolean;
  announced: boolean;
}

export function vipJson(v: VipChoice): VipJson {
  return { address: v.held.vip.ip, holder: portLabel(v.held.holder), holders: v.held.vip.holders.map(portLabel), pinned: v.pinned, announced: v.held.announced };
}

export function vipScope(v: VipChoice): { ip: string; holders: string[]; holder: string; pinned: boolean } {
  return { ip: v.held.vip.ip, holders: v.held.vip.holders.map(portLabel), holder: portLabel(v.held.holder), pinned: v.pinned };
}

/** `vip: 192.168.1.200 held by lb2:0 (…why this holder is shown)`. */
export function vipLine(v: VipChoice, verdict: string | null): string {
  const who = portLabel(v.held.holder);
  const why = v.pinned ? 'as --holder pins it'
    : verdict === null ? `the first of ${v.held.vip.holders.map(portLabel).join(', ')}; --holder picks another`
    : verdict === 'unreachable' ? `a holder under which it does not get there, of ${v.of}`
    : verdict === 'reachable' ? (v.of > 1 ? `reachable under each of ${v.of} holders; the witness shown is under this one` : 'the only port that may hold it')
    : 'the holder the answer is unknown under';
  const silent = v.held.announced ? '' : `; it answers no ARP for ${v.held.vip.ip}: its port's rules keep its ARP for it in`;
  return `vip: ${v.held.vip.ip} held by ${who} (${why})${silent}`;
}
