// A fixed packet through netfilter hooks in turn (a routed packet: PREROUTING, FORWARD, POSTROUTING),
// once by the evaluator (src/evaluate/netfilter, with its conntrack) and once by the solver's encoding
// folded on the concrete packet (src/smt/netfilter), for the evaluate ≡ encode tests to compare.
import type { NetfilterRuleset } from '../../src/ir/netfilter.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { Enc } from '../../src/smt/cond.ts';
import { concretePacket } from '../../src/smt/headers.ts';
import { symRunHook } from '../../src/smt/netfilter/hook.ts';
import { newNfPath, type NfPath } from '../../src/smt/netfilter/state.ts';
import { createConntrack, newState, runHook } from '../../src/evaluate/netfilter/index.ts';
import type { Hook, NfState } from '../../src/evaluate/netfilter/types.ts';

export type HookStep = readonly [Hook, { readonly inIface: string | null; readonly outIface: string | null }];

export interface BothWays {
  /** The evaluator's verdict (the first hook that drops stops it) and its state after the last hook it ran. */
  readonly refVerdict: 'accept' | 'drop';
  readonly ref: NfState;
  /** The solver's paths accepted by every hook (none: dropped). */
  readonly sym: NfPath[];
}

export function throughHooks(e: Enc, rules: NetfilterRuleset, hooks: readonly HookStep[], p: Packet): BothWays {
  const ct = createConntrack();
  let ref = newState(p);
  let refVerdict: 'accept' | 'drop' = 'accept';
  let sym = [newNfPath({ pc: [], packet: concretePacket(p) })];
  for (const [hook, io] of hooks) {
    const c = { ...io, physdevIn: null, physdevOut: null, bridged: false };
    if (refVerdict === 'accept') {
      const r = runHook(rules, hook, ref, c, ct);
      refVerdict = r.verdict;
      ref = r.state;
    }
    sym = sym.flatMap((w) => symRunHook(e, rules, hook, w, c, 'ns').accepted);
  }
  return { refVerdict, ref, sym };
}
