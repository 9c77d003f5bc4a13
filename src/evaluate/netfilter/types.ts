// The public types of the netfilter engine: the hook names and what the kernel knows about a packet at
// a hook (NfContext, both from src/semantics/netfilter.ts, which the solver shares), the state that travels with a packet through one namespace's hooks (NfState),
// and what one hook did to it (HookResult). Plain readonly data.
import type { Packet } from '../../ir/packet.ts';
import type { CtState, NfRule } from '../../ir/netfilter.ts';
import type { ConnectionRef } from './conntrack.ts';
import type { Hook, NfContext } from '../../semantics/netfilter.ts';

export type { Hook, NfContext };

/** Travels with the packet through one namespace's hooks; start it with `newState`. */
export interface NfState {
  readonly packet: Packet;
  /** skb mark. */
  readonly mark: number;
  /** Conntrack zone (raw `CT --zone` sets it before the lookup). */
  readonly zone: number;
  /** Set by the conntrack lookup (PREROUTING/OUTPUT); NEW until then. */
  readonly ctState: CtState;
  /** The conntrack entry, once looked up; null before the lookup and for UNTRACKED/INVALID. */
  readonly ct: ConnectionRef | null;
  /** Raw `CT --notrack` was hit: the lookup will mark the packet UNTRACKED. */
  readonly notrack?: boolean;
  /** The conntrack lookup has run for this state (so a second PREROUTING does not redo it). */
  readonly looked?: boolean;
}

/** One rule that matched, with what it did (`ACCEPT`, `jump X`, `DNAT to 10.0.0.5`, …). */
export interface RuleHit {
  table: string;
  chain: string;
  rule: NfRule;
  action: string;
}

export interface NatEvent {
  readonly type: 'SNAT' | 'DNAT' | 'REDIRECT';
  readonly field: 'src' | 'dst';
  readonly from: string;
  readonly to: string;
  /** `--random-fully`: the source port shown stands for one the kernel draws at random from this range. */
  readonly randomPortIn?: readonly [number, number];
}

export interface HookResult {
  readonly verdict: 'accept' | 'drop';
  /** The packet possibly NATed, the mark possibly set, the conntrack state after the lookup. */
  readonly state: NfState;
  /** Every rule that matched, in order (including RETURNs and jumps). */
  readonly hits: readonly RuleHit[];
  /** Where it was dropped; `rule` null = the built-in chain's policy. */
  readonly droppedBy: { table: string; chain: string; rule: NfRule | null } | null;
  readonly nat: readonly NatEvent[];
  /** Unsupported matches/targets met, by the rule's origin text; non-empty → the verdict is unknown. */
  readonly uncertain: readonly string[];
}
