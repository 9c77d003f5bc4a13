// The vocabulary of the OVS agent templates: what a template entry is and the closed set of
// conditions (`when`) under which the agent installs it. The templates themselves are data in the
// device's own syntax (`ovs-ofctl dump-flows --no-stats --names` text without the cookie); the
// instantiation engine in src/render/ovs/ decides which objects each `when` ranges over and fills
// the `{placeholders}`. Nothing here holds logic.

/**
 * One flow the agent installs, as it appears in a dump.
 * - `flow` starts with `table=N, ` followed by `priority=P[,match] actions=…`, with `{placeholders}`.
 * - `why` is the reason in an operator's words; it may use the same placeholders.
 * - `since` / `until` bound the Neutron releases that install it (inclusive), e.g. `'stein'`, `'2024.2'`.
 */
export interface FlowTemplate<W extends string> {
  readonly id: string;
  readonly when: W;
  readonly flow: string;
  readonly why: string;
  readonly since?: string;
  readonly until?: string;
}

/**
 * br-int conditions and the placeholders each provides (besides the release-wide ones:
 * `{next}` — where table 0 hands traffic on (`resubmit(,58)`, `resubmit(,60)` or `NORMAL`) — and
 * `{after_mac_spoof}` — where table 25 hands allowed traffic on).
 */
export type IntWhen =
  /** Once per bridge. */
  | 'always'
  /** Per bridge_mappings bridge of the host: `{int_port}` (e.g. `int-br-ex`), `{bridge}`, `{physnet}`. */
  | 'per physical bridge'
  /** Per VLAN network with ports on this host: `{int_port}`, `{segmentation_id}`, `{lvid}`. */
  | 'per vlan network on this host'
  /** Per flat network with ports on this host: `{int_port}`, `{lvid}`. */
  | 'per flat network on this host'
  /** Per port with port security whose device owner is not `network:*`: `{port}` (its br-int device). */
  | 'per protected port'
  /** Per protected port whose addresses have no /0 (Neutron then skips ARP protection): `{port}`. */
  | 'per protected port with arp protection'
  /** Per IPv4 address or CIDR of such a port (fixed IP, allowed address pairs): `{port}`, `{ip}`. */
  | 'per protected port ipv4 address'
  /** Per MAC of a protected port (its own, allowed address pairs'): `{port}`, `{mac}`. */
  | 'per protected port mac'
  /** Per EUI-64 link-local address of those MACs (IPv6 NA protection): `{port}`, `{lla}`. */
  | 'per protected port link-local address';

/** br-tun conditions and their placeholders (besides `{cookie}`, the bridge's cookie). */
export type TunWhen =
  | 'always'
  /** Only with `arp_responder` (which Neutron honours only together with l2_population). */
  | 'with arp_responder'
  /** Per tunnel port: `{tunnel_port}`, `{tun_table}` (3 for gre, 4 for vxlan). */
  | 'per tunnel port'
  /** Per vxlan/gre network with ports on this host: `{tun_table}`, `{tun_id}` (hex), `{lvid}`. */
  | 'per tunnel network on this host'
  /** Per such network with at least one tunnel port to flood to: `{lvid}`, `{tun_id}`, `{outputs}`. */
  | 'per tunnel network with flood ports'
  /** With l2_population, per port of such a network bound to another host: `{lvid}`, `{mac}`, `{tun_id}`, `{tunnel_port}`. */
  | 'per remote port (l2population)'
  /** With arp_responder, per such remote port: `{lvid}`, `{ip}`, `{mac}`, `{mac_hex}`, `{ip_hex}`. */
  | 'per remote port (arp_responder)';

/** Physical bridge (bridge_mappings) conditions and their placeholders: `{phy_port}` everywhere. */
export type PhysWhen =
  | 'always'
  /** Per VLAN network on this host reached through this bridge: `{lvid}`, `{segmentation_id}`. */
  | 'per vlan network on this host'
  /** Per flat network on this host reached through this bridge: `{lvid}`. */
  | 'per flat network on this host';

export type IntTemplate = FlowTemplate<IntWhen>;
export type TunTemplate = FlowTemplate<TunWhen>;
export type PhysTemplate = FlowTemplate<PhysWhen>;
