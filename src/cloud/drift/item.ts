// One difference between what Neutron's agents should have programmed for the API's intent and what a
// node runs, said in Neutron's terms, with the lines on both sides.

export type DriftKind = 'host' | 'bridge' | 'port' | 'flow' | 'linux-bridge' | 'namespace' | 'interface' | 'address' | 'route' | 'chain' | 'rule' | 'ipset';

export interface DriftItem {
  readonly host: string;
  /** The bridge, namespace (`root` for the host's own iptables), Linux bridge or `host`. */
  readonly device: string;
  readonly kind: DriftKind;
  /** missing: the intent has it, the node not; extra: the node has it, the intent not; changed: both, differently. */
  readonly change: 'missing' | 'extra' | 'changed';
  /** The Neutron object concerned, when one is known (`port vm3:0`, `floating IP 203.0.113.7`, `network net-b`). */
  readonly neutron: string | null;
  /** The difference in Neutron's terms. */
  readonly message: string;
  /** The intent's line (rendered), when there is one. */
  readonly expected: string | null;
  /** The node's line, when there is one. */
  readonly found: string | null;
  /** Where the node's line is (`hosts/compute1/ovs-ofctl_dump-flows_br-tun:12`), when there is one. */
  readonly origin: string | null;
}

export function item(i: DriftItem): DriftItem {
  return i;
}
