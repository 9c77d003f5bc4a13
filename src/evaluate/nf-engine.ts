// The netfilter engine as the walker sees it: the three functions of src/evaluate/netfilter/ it
// calls, typed structurally so the walker can be tested with a stand-in engine and wired to the
// real one in one place (evaluator.ts). Guarantees: no behaviour here, only the seam.
import type { Packet } from '../ir/packet.ts';
import type { NetfilterRuleset } from '../ir/netfilter.ts';
import type { Hook, HookResult, NfContext, NfState } from './netfilter/types.ts';

// The engine's own types, under the names the walker uses: one definition (netfilter/types.ts).
export type NfHook = Hook;
export type NfCtx = NfContext;

/** The part of the engine's state the walker reads (the rest travels through it untouched). */
export type NfStateView = Pick<NfState, 'packet' | 'mark' | 'zone' | 'ctState'>;

/** A hook's result with the state as the walker's view of it. */
export type NfHookResultView<S extends NfStateView> = Omit<HookResult, 'state'> & { readonly state: S };

/**
 * The engine. Method syntax on purpose: the real module's concrete `NfState`/`Conntrack` types are
 * accepted where these structural views are expected (method parameters are bivariant).
 */
export interface NetfilterEngine {
  newState(packet: Packet): NfStateView;
  createConntrack(): unknown;
  runHook(ruleset: NetfilterRuleset, hook: NfHook, state: NfStateView, ctx: NfCtx, conntrack: unknown): NfHookResultView<NfStateView>;
  /** Builds now what runHook builds for `ruleset` on first use (an engine without such work has none). */
  prepare?(ruleset: NetfilterRuleset): void;
}
