// The VRRP part of the IR: the keepalived (VRRP) instances running in a namespace, as keepalived.conf
// declares them. An instance says which addresses and routes its namespace holds while it is master;
// which instance is master is not part of the configuration but of the state VRRP reaches, which the
// model derives from the dataplane (who hears whose advertisements) and applies on demand.
import type { Address } from './dataplane.ts';
import type { Ipv4 } from './packet.ts';
import type { Origin } from './origin.ts';

/** An address keepalived adds on the master (`virtual_ipaddress` or `virtual_ipaddress_excluded`). */
export interface VrrpAddress {
  readonly ip: Ipv4;
  readonly prefixLen: number;
  /** The device it goes on (keepalived's default: the instance's interface). */
  readonly dev: string;
  readonly origin: Origin;
}

/** A route keepalived installs on the master (`virtual_routes`); `dev` null: the kernel resolves it. */
export interface VrrpRoute {
  readonly dst: Address;
  readonly via: Ipv4 | null;
  readonly dev: string | null;
  readonly origin: Origin;
}

export interface VrrpInstance {
  readonly kind: 'vrrp-instance';
  /** `vrrp_instance` name, e.g. `VR_1`. */
  readonly name: string;
  /** The interface VRRP runs on (advertisements sent and heard there): an HA router's ha- device. */
  readonly interface: string;
  readonly vrid: number;
  readonly priority: number;
  /** The configured start state; Neutron writes BACKUP everywhere, so VRRP alone elects. */
  readonly initialState: 'MASTER' | 'BACKUP';
  /** A backup does not take over from a live master of lower priority. */
  readonly nopreempt: boolean;
  /** Seconds between advertisements. */
  readonly advertInt: number;
  readonly trackInterfaces: readonly string[];
  /** `virtual_ipaddress`: the addresses the advertisements carry (Neutron: the primary VIP 169.254.0.<vrid>/24). */
  readonly vips: readonly VrrpAddress[];
  /** `virtual_ipaddress_excluded`: addresses the master holds but does not advertise (the router's own). */
  readonly excludedVips: readonly VrrpAddress[];
  readonly routes: readonly VrrpRoute[];
  /** `authentication`: instances whose type or password differ do not accept each other's advertisements. */
  readonly authentication: { readonly type: string; readonly pass: string } | null;
  /** Settings the model does not follow (a track_script, unicast peers, …), as written: verdicts relying on VRRP are then unknown. */
  readonly unsupported: readonly string[];
  readonly origin: Origin;
}
