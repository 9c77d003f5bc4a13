// The netfilter engine of the reference evaluator: the meaning of a namespace's iptables ruleset
// (src/ir/netfilter.ts) for concrete packets, hook by hook, with connection tracking and NAT.
export type { Hook, NfContext, NfState, RuleHit, HookResult, NatEvent } from './types.ts';
export type { Conntrack, Connection, ConnectionRef, Direction } from './conntrack.ts';
export { createConntrack, connections, getConnection } from './conntrack.ts';
export { newState, runHook } from './hook.ts';
export { prepareRuleset as prepare } from './traverse.ts';
export { ifaceMatches } from '../../semantics/netfilter.ts';
