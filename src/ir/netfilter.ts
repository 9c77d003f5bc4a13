// The netfilter part of the IR: the tables, chains and rules of one network namespace as
// `iptables-save` (or `iptables -S`) shows them, plus its ipsets.
import type { Mac } from './packet.ts';
import type { Cidr } from './openflow.ts';
import type { Origin } from './origin.ts';

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED' | 'SNAT' | 'DNAT';

/** One `-m`/option match of a rule. `negate` is the `!` written before it. */
export type NfMatch =
  | { readonly kind: 'src' | 'dst'; readonly cidr: Cidr; readonly negate: boolean }
  /** `-i`/`-o`; a trailing `+` in `name` is a prefix wildcard. */
  | { readonly kind: 'in-iface' | 'out-iface'; readonly name: string; readonly negate: boolean }
  | { readonly kind: 'proto'; readonly proto: number; readonly negate: boolean }
  | { readonly kind: 'sport' | 'dport'; readonly from: number; readonly to: number; readonly negate: boolean }
  | { readonly kind: 'multiport'; readonly which: 'sports' | 'dports' | 'ports'; readonly ranges: readonly (readonly [number, number])[]; readonly negate: boolean }
  | { readonly kind: 'icmp-type'; readonly type: number; readonly code: number | null; readonly negate: boolean }
  /** `-m physdev`: each present field must hold (each with its own `!`). */
  | {
      readonly kind: 'physdev';
      readonly in: { readonly name: string; readonly negate: boolean } | null;
      readonly out: { readonly name: string; readonly negate: boolean } | null;
      readonly isBridged: { readonly negate: boolean } | null;
      readonly isIn: { readonly negate: boolean } | null;
      readonly isOut: { readonly negate: boolean } | null;
    }
  | { readonly kind: 'mac-source'; readonly mac: Mac; readonly negate: boolean }
  | { readonly kind: 'set'; readonly name: string; readonly flags: readonly ('src' | 'dst')[]; readonly negate: boolean }
  /** `-m conntrack --ctstate` / `-m state --state`. */
  | { readonly kind: 'ctstate'; readonly states: readonly CtState[]; readonly negate: boolean }
  | { readonly kind: 'mark' | 'connmark'; readonly value: number; readonly mask: number; readonly negate: boolean }
  | { readonly kind: 'comment'; readonly text: string }
  /** A match netproof does not model; a verdict crossing a rule with it is `unknown`. */
  | { readonly kind: 'unsupported'; readonly text: string };

export type NfTarget =
  | { readonly kind: 'ACCEPT' | 'DROP' | 'RETURN' }
  | { readonly kind: 'REJECT'; readonly with: string | null }
  | { readonly kind: 'jump' | 'goto'; readonly chain: string }
  | { readonly kind: 'SNAT'; readonly to: string; readonly fully_random: boolean }
  /**
   * `port`: a single `--to-destination IP:P`; `ports`: a port range `IP:C-D` or `IP:C-D/B` with its base
   * port (semantics/dnat-port.ts says which port the kernel picks); neither: the port is kept.
   */
  | { readonly kind: 'DNAT'; readonly to: string; readonly port: number | null; readonly ports?: { readonly from: number; readonly to: number; readonly base: number | null } }
  | { readonly kind: 'REDIRECT'; readonly toPort: number }
  | { readonly kind: 'MARK'; readonly op: 'set' | 'and' | 'or' | 'xor'; readonly value: number; readonly mask: number }
  | { readonly kind: 'CONNMARK'; readonly op: 'set' | 'save' | 'restore'; readonly value: number; readonly mask: number }
  | { readonly kind: 'CT'; readonly zone: number | null; readonly notrack: boolean }
  /** No `-j`: the rule only counts. */
  | { readonly kind: 'none' }
  | { readonly kind: 'unsupported'; readonly text: string };

export interface NfRule {
  readonly matches: readonly NfMatch[];
  readonly target: NfTarget;
  readonly origin: Origin;
}

export interface NfChain {
  readonly name: string;
  /** Built-in chains have a policy; user chains have null. */
  readonly policy: 'ACCEPT' | 'DROP' | null;
  readonly rules: readonly NfRule[];
}

export interface NfTable {
  readonly name: string; // raw | mangle | nat | filter | security
  readonly chains: readonly NfChain[];
}

export interface NetfilterRuleset {
  readonly tables: readonly NfTable[];
  /** ipset name → members (`ipset save`), e.g. `NIPv4<sg id prefix>` → the group's port addresses. */
  readonly ipsets: Readonly<Record<string, readonly Cidr[]>>;
}
