// The result of following one concrete packet through the dataplane: the hops it crossed, what each
// rule did to it, and how it ended. Reports (text, JSON) are built from this alone.
import type { Packet } from '../ir/packet.ts';
import type { Origin } from '../ir/origin.ts';
import type { Route } from '../ir/dataplane.ts';
import type { CtState } from '../ir/netfilter.ts';
import type { Delivery } from '../semantics/delivery.ts';

export type Disposition = 'delivered' | 'exited' | 'dropped' | 'loop' | 'no-route' | 'no-arp';

/** One rule that acted on the packet inside a device. */
export interface TraceStep {
  /** Where in the device: `table 0`, `filter/FORWARD`, `nat/neutron-l3-agent-PREROUTING`, `NORMAL`, `fdb`, `route`. */
  readonly where: string;
  /** The rule as written (flow text, iptables rule text, route). */
  readonly rule: string;
  /** What it did, short: `resubmit(,60)`, `RETURN`, `DNAT to 192.168.2.14`, `output to qvo…`. */
  readonly action: string;
  readonly origin: Origin | null;
}

export type DeviceKind = 'vm' | 'linux-bridge' | 'ovs-bridge' | 'namespace' | 'wire' | 'underlay' | 'outside';

/** Facts about a hop that a report explains in an operator's words. */
export type HopEvent =
  | { readonly kind: 'vlan-push'; readonly vid: number }
  | { readonly kind: 'vlan-mod'; readonly from: number; readonly to: number }
  | { readonly kind: 'vlan-strip'; readonly vid: number }
  | { readonly kind: 'tunnel-encap'; readonly tunId: number; readonly remoteIp: string; readonly port: string }
  | { readonly kind: 'tunnel-decap'; readonly tunId: number; readonly port: string }
  | { readonly kind: 'security-group'; readonly portId: string; readonly direction: 'egress' | 'ingress'; readonly verdict: 'accept' | 'drop' }
  | { readonly kind: 'conntrack'; readonly zone: number; readonly state: CtState }
  | { readonly kind: 'route'; readonly route: Route }
  | {
      readonly kind: 'nat'; readonly nat: 'SNAT' | 'DNAT' | 'REDIRECT'; readonly field: 'src' | 'dst'; readonly from: string; readonly to: string;
      /** `--random-fully`: the port shown stands for one the kernel draws at random from this range. */
      readonly randomPortIn?: readonly [number, number];
    }
  | { readonly kind: 'arp'; readonly ip: string; readonly mac: string | null }
  | { readonly kind: 'local-delivery'; readonly iface: string }
  | { readonly kind: 'note'; readonly text: string };

export interface Hop {
  readonly host: string;
  readonly device: string;
  readonly deviceKind: DeviceKind;
  /** Port (or interface) it came in on and went out of; null at the edges. */
  readonly inPort: string | null;
  readonly outPort: string | null;
  readonly in: Packet;
  /** Null when the packet did not leave the device (dropped, delivered). */
  readonly out: Packet | null;
  readonly steps: readonly TraceStep[];
  readonly events: readonly HopEvent[];
}

export type { Delivery };

export interface DropPoint {
  readonly host: string;
  readonly device: string;
  /** The rule that dropped it (or `table N default`, `policy DROP`, `no route to …`). */
  readonly rule: string;
  readonly origin: Origin | null;
}

export interface Trace {
  readonly disposition: Disposition;
  readonly deliveredTo: Delivery | null;
  readonly droppedAt: DropPoint | null;
  /** The packet as sent. */
  readonly packet: Packet;
  /** The packet as it is at the end (delivered, exited, or where it stopped). */
  readonly final: Packet;
  readonly hops: readonly Hop[];
  /** Other copies where the dataplane duplicated the packet (flooding, broadcast). */
  readonly branches: readonly Trace[];
  /** Unsupported constructs the packet crossed: a verdict built on this trace is `unknown`. */
  readonly uncertain: readonly string[];
}
