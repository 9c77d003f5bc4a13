// The OpenFlow part of the IR: flows of an Open vSwitch bridge as `ovs-ofctl dump-flows` shows them,
// in one normalised form whichever OpenFlow version rendered them (OF1.0 `mod_vlan_vid`/`resubmit`
// and OF1.3 `push_vlan`/`set_field`/`goto_table` both land here, keeping their distinct meanings).
import type { Ipv4, Mac } from './packet.ts';
import type { Origin } from './origin.ts';

/** A port as a flow names it: by name (`"qvo…"`, `patch-int`) or by OpenFlow port number. */
export type PortRef = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'number'; readonly ofport: number };

export interface MaskedMac { readonly mac: Mac; readonly mask: Mac | null }
export interface MaskedInt { readonly value: number; readonly mask: number | null }
export interface Cidr { readonly ip: Ipv4; readonly prefixLen: number }

/**
 * A flow's match. Absent fields are wildcards. Protocol shorthands (`ip`, `arp`, `tcp`, `icmp6` …) are
 * expanded into `dl_type`/`nw_proto`. Fields netproof does not understand are kept in `unsupported`:
 * a flow with any of them is treated conservatively (a verdict crossing it is `unknown`).
 */
export interface FlowMatch {
  readonly in_port?: PortRef;
  /** `dl_vlan=N`: the frame is tagged with VID N. `dl_vlan=0xffff` is written as `vlan_tci` untagged. */
  readonly dl_vlan?: number;
  /** `vlan_tci=V/M` (e.g. `0x0000/0x1fff` = untagged). Bit 0x1000 is the CFI/"tag present" bit. */
  readonly vlan_tci?: MaskedInt;
  readonly dl_src?: MaskedMac;
  readonly dl_dst?: MaskedMac;
  readonly dl_type?: number;
  readonly nw_proto?: number;
  readonly nw_src?: Cidr;
  readonly nw_dst?: Cidr;
  readonly arp_spa?: Cidr;
  readonly arp_tpa?: Cidr;
  readonly arp_op?: number;
  readonly tp_src?: MaskedInt;
  readonly tp_dst?: MaskedInt;
  readonly icmp_type?: number;
  readonly icmp_code?: number;
  readonly tun_id?: MaskedInt;
  /** Registers, `reg6=3` → `{ 6: 3 }`. */
  readonly regs?: Readonly<Record<number, number>>;
  /** IPv6 neighbour-discovery target: never matches the IPv4 packets netproof models. */
  readonly nd_target?: string;
  /** Match fields as written that netproof does not understand, e.g. `ct_state=+trk`. */
  readonly unsupported?: readonly string[];
}

/** The fields a `learn` action copies into the flow it installs (the Neutron br-tun table 10 shape). */
export interface LearnSpec {
  readonly table: number;
  readonly priority: number;
  readonly hardTimeout: number | null;
  /** Match the learned flow's VLAN on the learning packet's VLAN (NXM_OF_VLAN_TCI[0..11]). */
  readonly matchVlanFromPacket: boolean;
  /** Match the learned flow's eth_dst on the learning packet's eth_src (NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[]). */
  readonly matchDstFromSrc: boolean;
  /** The learned flow strips the VLAN (load:0->NXM_OF_VLAN_TCI[]). */
  readonly stripVlan: boolean;
  /** The learned flow sets tun_id to the learning packet's (load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[]). */
  readonly copyTunId: boolean;
  /** The learned flow outputs to the learning packet's in_port (output:OXM_OF_IN_PORT[] / NXM_OF_IN_PORT[]). */
  readonly outputToInPort: boolean;
}

/**
 * The header fields a `move` may copy between, whole: the Ethernet addresses, the ARP protocol
 * addresses (a packet's `ip_src`/`ip_dst` for ARP) and the ARP hardware addresses.
 */
export type MoveField = 'eth_src' | 'eth_dst' | 'arp_spa' | 'arp_tpa' | 'arp_sha' | 'arp_tha';

export type FlowAction =
  | { readonly kind: 'output'; readonly port: PortRef }
  | { readonly kind: 'in_port' }
  | { readonly kind: 'normal' }
  | { readonly kind: 'drop' }
  /** `resubmit(,N)`, `resubmit(P)`, `resubmit(P,N)`: null keeps the current in_port / table. */
  | { readonly kind: 'resubmit'; readonly port: PortRef | null; readonly table: number | null }
  | { readonly kind: 'goto_table'; readonly table: number }
  /** OF1.0 `mod_vlan_vid:N`: sets the VID, pushing a tag first when the frame is untagged. */
  | { readonly kind: 'mod_vlan_vid'; readonly vid: number }
  /** `push_vlan:0x8100`: pushes a tag with VID 0. */
  | { readonly kind: 'push_vlan'; readonly ethertype: number }
  /** OF1.3 `set_field:<4096+vid>->vlan_vid`: sets the VID of a present tag; does not push one. */
  | { readonly kind: 'set_vlan_vid'; readonly vid: number }
  /** `strip_vlan` / `pop_vlan`. */
  | { readonly kind: 'strip_vlan' }
  /** `load:0x..->NXM_NX_TUN_ID[]` / `set_field:0x..->tun_id` / `set_tunnel:0x..`. */
  | { readonly kind: 'set_tun_id'; readonly value: number }
  | { readonly kind: 'set_reg'; readonly reg: number; readonly value: number }
  | { readonly kind: 'mod_dl_src'; readonly mac: Mac }
  | { readonly kind: 'mod_dl_dst'; readonly mac: Mac }
  /** `load:`/`set_field:` of an ARP field (`NXM_OF_ARP_OP[]`, `arp_spa`, `NXM_NX_ARP_SHA[]` …), as the br-tun ARP responder writes them. */
  | { readonly kind: 'set_arp_op'; readonly value: number }
  | { readonly kind: 'set_arp_pa'; readonly field: 'arp_spa' | 'arp_tpa'; readonly ip: Ipv4 }
  | { readonly kind: 'set_arp_ha'; readonly field: 'arp_sha' | 'arp_tha'; readonly mac: Mac }
  /** `move:<field>[]->(field)[]` of a whole field into another of the same width. */
  | { readonly kind: 'move'; readonly from: MoveField; readonly to: MoveField }
  | { readonly kind: 'learn'; readonly spec: LearnSpec | null; readonly text: string }
  /** An action netproof does not model; crossing it makes a verdict `unknown`. */
  | { readonly kind: 'unsupported'; readonly text: string };

export interface Flow {
  readonly table: number;
  readonly priority: number;
  readonly match: FlowMatch;
  readonly actions: readonly FlowAction[];
  readonly cookie: string | null;
  readonly origin: Origin;
}

/** A port of an OVS bridge as `ovs-vsctl show` (and `ovs-ofctl show` for ofports) describes it. */
export interface OvsPort {
  readonly name: string;
  /** OpenFlow port number; null when no artifact gave it. */
  readonly ofport: number | null;
  readonly type: 'system' | 'internal' | 'patch' | 'vxlan' | 'gre' | 'geneve';
  /** Access VLAN (`tag: N`): NORMAL strips it on output and adds it on input. */
  readonly tag: number | null;
  /** Patch peer port name. */
  readonly peer: string | null;
  /** Tunnel endpoints and key (`key=flow` is null). */
  readonly remoteIp: Ipv4 | null;
  readonly localIp: Ipv4 | null;
}

export interface OvsBridge {
  readonly kind: 'ovs-bridge';
  readonly name: string;
  readonly ports: readonly OvsPort[];
  readonly flows: readonly Flow[];
}
