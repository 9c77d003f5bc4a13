// The bounds both engines walk within, one number each, so a concrete packet and the symbolic packets
// that stand for it stop at the same place. Neither bound is a verdict: a path that reaches one is
// not followed further, and a verdict built on it is `unknown` (the evaluator marks its trace
// uncertain, the solver makes the path an unknown end).

/** Nested `resubmit`/`goto_table` per bridge visit: Open vSwitch's own limit (ofproto-dpif-xlate). */
export const MAX_RESUBMIT_DEPTH = 64;


/**
 * Device visits (OVS bridges, Linux bridges, namespaces, VMs) on one path before it is given up on;
 * links, wires, the underlay, the outside world and the sender itself are not visits. A path in a
 * cloud with a centralized network node crosses about six devices per router (qbr, br-int, br-tun,
 * br-tun, br-int, qrouter), so 64 is ten routers deep: no loop-free path of a real deployment comes
 * near it. A forwarding loop ends well before it, where the copy enters a place again with the same headers
 * (loop.ts; neither engine models the TTL); a loop whose packet changes at every round is given up on here.
 */
export const MAX_DEVICE_VISITS = 64;
