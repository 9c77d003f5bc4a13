// The bounds both engines walk within, one number each, so a concrete packet and the symbolic packets
// that stand for it stop at the same place. Neither bound is a verdict: a path that reaches one is
// not followed further, and a verdict built on it is `unknown` (the evaluator marks its trace
// uncertain, the solver makes the path an unknown end).

/** Nested `resubmit`/`goto_table` per bridge visit: Open vSwitch's own limit (ofproto-dpif-xlate). */
export const MAX_RESUBMIT_DEPTH = 64;

