// What every device model of the symbolic walk may ask of the walk: the encoder, the wiring of the
// dataplane, the converged forwarding state, and ARP resolution (a concrete ARP request walked
// through the dataplane). Kept apart so device models do not import the walker itself.
import type { Dataplane } from '../ir/dataplane.ts';
import type { FdbEntry } from '../semantics/converged.ts';
import type { OutsideStation, TopologyIndex } from '../semantics/topology-index.ts';
import type { Enc } from './cond.ts';
import type { FlowTables } from '../semantics/ovs-bridge.ts';
import type { Owner } from './owners.ts';

/**
 * What ARP resolution gives: the answering MAC, null when no one answers, or `unknown` when the
 * request crossed something netproof does not model before any answer (an unsupported flow, e.g. an
 * ARP responder's actions): no one may be said to answer or not, and what depends on it is unknown.
 */
export type ArpAnswer = number | null | { readonly unknown: string };

/**
 * Where an ARP request is sent from: out of a device port, into the given ports (a VM's attachment),
 * or by an outside station onto its network's physical wire (reaching the bridge ports there and the
 * other networks' upstream routers, as the evaluator's walk of it does).
 */
export type ArpFrom = Port | { readonly arrive: readonly Port[] } | { readonly outside: OutsideStation };

/** A point where a packet leaves a device: host, device and port. */
export interface Port {
  readonly host: string;
  readonly device: string;
  readonly port: string;
}

export interface WalkCtx {
  readonly e: Enc;
  readonly dp: Dataplane;
  readonly index: TopologyIndex;
  readonly owners: readonly Owner[];
  /** Every address a DNAT rule of the dataplane rewrites a destination to (the only way a packet comes back to its source). */
  readonly dnatTargets: readonly number[];
  tablesOf(host: string, bridge: string): FlowTables;
  fdbOf(host: string, bridge: string): readonly FdbEntry[];
  /**
   * The MAC that answers an ARP request for `target` sent out of `from` (sender `mac`/`ip`, VLAN
   * `vlan`), null when no one answers, or unknown. Decided by walking the concrete request; cached.
   * `alone`: `target` is a route's next hop, likely the only address this requester asks for (see
   * SymWalker.arp: walked for rather than surveyed); the answer is the same either way.
   */
  arp(from: ArpFrom, mac: number, ip: number, vlan: number | null, target: number, alone?: boolean): ArpAnswer;
  /**
   * Whether the walk is an ARP survey (who would answer a requester's broadcast, whatever it asks
   * for): device models that answer ARP tell it with `arpHeard` what they would answer for.
   */
  readonly surveying: boolean;
  arpHeard(ips: readonly number[], mac: number): void;
}
