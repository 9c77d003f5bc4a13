// What an OpenFlow write to a header field (`load`, `set_field`, `move`) does to netproof's packet,
// decided once for both engines: the Ethernet addresses are the packet's `eth_src`/`eth_dst`, the ARP
// opcode and protocol addresses are its `proto`/`ip_src`/`ip_dst` (as the IR keeps ARP). The ARP
// hardware addresses (arp_sha, arp_tha) are not kept: netproof reads an ARP packet's hardware
// addresses as its Ethernet ones, so a write into them changes nothing netproof holds, and a `move`
// out of them into a kept field copies a value netproof does not have (the engines say unknown).
// ARP fields exist only in ARP packets: Open vSwitch refuses such a write in a flow that does not
// match `arp` (ofpact_check's prerequisites), so an engine meeting one on another packet says unknown.
import type { FlowAction, MoveField } from '../ir/openflow.ts';

/** The packet fields a header write can land in. */
export type KeptField = 'eth_src' | 'eth_dst' | 'ip_src' | 'ip_dst';

const KEPT: Readonly<Record<MoveField, KeptField | null>> = {
  eth_src: 'eth_src', eth_dst: 'eth_dst', arp_spa: 'ip_src', arp_tpa: 'ip_dst', arp_sha: null, arp_tha: null,
};

/** The packet field holding `f`, or null for the ARP hardware addresses netproof does not keep. */
export const keptField = (f: MoveField): KeptField | null => KEPT[f];

/** The field exists only in ARP packets. */
export const isArpField = (f: MoveField | 'arp_op'): boolean => f.startsWith('arp_');

/** What a `move:from->to` does to the packet. */
export type MovePlan =
  /** Copy the value of one kept field into another. */
  | { readonly kind: 'copy'; readonly from: KeptField; readonly to: KeptField }
  /** Writes a field netproof does not keep: the packet stays as it is. */
  | { readonly kind: 'not-kept'; readonly note: string }
  /** Reads a field netproof does not keep into one it keeps: the result is unknown. */
  | { readonly kind: 'unknown'; readonly why: string };

export const NOT_KEPT_NOTE = 'the ARP hardware addresses are not kept (netproof reads them as the Ethernet addresses)';

export function planMove(from: MoveField, to: MoveField): MovePlan {
  const f = keptField(from);
  const t = keptField(to);
  if (t === null) return { kind: 'not-kept', note: `${to} written: ${NOT_KEPT_NOTE}` };
  if (f === null) return { kind: 'unknown', why: `move of ${from} into ${to}: ${NOT_KEPT_NOTE}` };
  return { kind: 'copy', from: f, to: t };
}

/** The move needs an ARP packet. */
export const moveNeedsArp = (from: MoveField, to: MoveField): boolean => isArpField(from) || isArpField(to);

/** The actions that write an Ethernet or ARP field through this module. */
export type HeaderWrite = Extract<FlowAction, { kind: 'set_arp_op' | 'set_arp_pa' | 'set_arp_ha' | 'move' }>;

/** The action as `ovs-ofctl add-flow` reads it. */
export function headerWriteText(a: HeaderWrite): string {
  switch (a.kind) {
    case 'set_arp_op': return `set_field:${a.value}->arp_op`;
    case 'set_arp_pa': return `set_field:${a.ip}->${a.field}`;
    case 'set_arp_ha': return `set_field:${a.mac}->${a.field}`;
    case 'move': return `move:${a.from}[]->${a.to}[]`;
  }
}
