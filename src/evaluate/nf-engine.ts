// The netfilter engine as the walker sees it: the three functions of src/evaluate/netfilter/ it
// calls, typed structurally so the walker can be tested with a stand-in engine and wired to the
// real one in one place (evaluator.ts). Guarantees: no behaviour here, only the seam.
import type { Packet } from '../ir/packet.ts';
import type { CtState, NetfilterRuleset, NfRule } from '../ir/netfilter.ts';

export type NfHook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

export interface NfCtx {
  readonly inIface: string | null;
  readonly outIface: string | null;
  readonly physdevIn: string | null;
  readonly physdevOut: string | null;
  readonly bridged: boolean;
  readonly localAddress?: string | null;
}

export interface NfStateView {
  readonly packet: Packet;
  readonly mark: number;
  readonly zone: number;
  readonly ctState: CtState;
}

export interface NfHookResultView<S extends NfStateView> {
  readonly verdict: 'accept' | 'drop';
  readonly state: S;
  readonly hits: readonly { readonly table: string; readonly chain: string; readonly rule: NfRule; readonly action: string }[];
  readonly droppedBy: { readonly table: string; readonly chain: string; readonly rule: NfRule | null } | null;
  readonly nat: readonly { readonly type: 'SNAT' | 'DNAT' | 'REDIRECT'; readonly field: 'src' | 'dst'; readonly from: string; readonly to: string }[];
  readonly uncertain: readonly string[];
}

/**
 * The engine. Method syntax on purpose: the real module's concrete `NfState`/`Conntrack` types are
 * accepted where these structural views are expected (method parameters are bivariant).
 */
export interface NetfilterEngine {
  newState(packet: Packet): NfStateView;
  createConntrack(): unknown;
  runHook(ruleset: NetfilterRuleset, hook: NfHook, state: NfStateView, ctx: NfCtx, conntrack: unknown): NfHookResultView<NfStateView>;
}
