// What processing one device does to one arriving packet, in a form every device model shares:
// the rules that acted (steps, events, uncertain) and the copies that come out. A copy either leaves
// through a port (`emit`) or ends there (`end`: delivered, exited, dropped, no-route, no-arp).
// Guarantees: a device visit always yields at least one copy (an empty result is an explicit drop).
import type { Packet, Mac } from '../ir/packet.ts';
import type { OvsBridge, OvsPort } from '../ir/openflow.ts';
import type { Delivery, DeviceKind, DropPoint, HopEvent, TraceStep } from './trace.ts';

/**
 * How telling a drop is, for choosing the main copy of a flooded packet: an explicit rule beats a
 * table miss, which beats a copy that was simply not for the device it reached.
 */
export type DropKind = 'rule' | 'default' | 'quiet';

export type Copy =
  | {
      readonly kind: 'emit';
      readonly port: string;
      readonly packet: Packet;
      readonly steps: readonly TraceStep[];
      readonly events: readonly HopEvent[];
    }
  | {
      readonly kind: 'end';
      readonly disposition: 'delivered' | 'exited' | 'dropped' | 'no-route' | 'no-arp';
      readonly packet: Packet;
      readonly delivery: Delivery | null;
      readonly drop: DropPoint | null;
      readonly dropKind: DropKind | null;
      /** For an ARP request that reached the owner of its target address: the owner's MAC. */
      readonly arpOwner: Mac | null;
      readonly steps: readonly TraceStep[];
      readonly events: readonly HopEvent[];
    };

/** What a device may put out: copies, and (an OVS bridge in a learning walk) a whole flood. */
export type OutCopy = Copy | FloodCopy;

/**
 * A NORMAL flood in a learning walk, left whole: the copies `floodCopies` (normal.ts) lists, one per
 * port of `ports` not named `except`, in order. A flood on a network node's external VLAN reaches every
 * router's gateway port, and each of those copies ends at once in its namespace: the walk counts such
 * copies in bulk instead of following each (walk.ts).
 */
export interface FloodCopy {
  readonly kind: 'flood';
  readonly bridge: OvsBridge;
  /** The VLAN's ports, in the bridge's order (one array per bridge and VLAN, shared by its floods). */
  readonly ports: readonly OvsPort[];
  /** The input port: no copy goes back out of it. */
  readonly except: string;
  /** The frame to a trunk (tagged with the VLAN, untagged on VLAN 0) and to an access port (untagged). */
  readonly tagged: Packet;
  readonly untagged: Packet;
  /** The events of a copy to an access port (the tag stripped). */
  readonly stripEvents: readonly HopEvent[];
}

export interface Visit {
  readonly host: string;
  readonly device: string;
  readonly deviceKind: DeviceKind;
  readonly inPort: string | null;
  readonly in: Packet;
  readonly steps: readonly TraceStep[];
  readonly events: readonly HopEvent[];
  readonly uncertain: readonly string[];
  readonly copies: readonly OutCopy[];
}

export function dropCopy(packet: Packet, drop: DropPoint, dropKind: DropKind, steps: readonly TraceStep[] = [], events: readonly HopEvent[] = []): Copy {
  return { kind: 'end', disposition: 'dropped', packet, delivery: null, drop, dropKind, arpOwner: null, steps, events };
}

export function endCopy(
  disposition: 'delivered' | 'exited' | 'no-route' | 'no-arp',
  packet: Packet,
  delivery: Delivery | null,
  opts: { drop?: DropPoint; arpOwner?: Mac | null; steps?: readonly TraceStep[]; events?: readonly HopEvent[] } = {},
): Copy {
  return {
    kind: 'end',
    disposition,
    packet,
    delivery,
    drop: opts.drop ?? null,
    dropKind: null,
    arpOwner: opts.arpOwner ?? null,
    steps: opts.steps ?? [],
    events: opts.events ?? [],
  };
}

export function emitCopy(port: string, packet: Packet, steps: readonly TraceStep[] = [], events: readonly HopEvent[] = []): Copy {
  return { kind: 'emit', port, packet, steps, events };
}
