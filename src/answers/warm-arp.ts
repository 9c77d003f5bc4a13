// What a resident model resolves at load so that a first trace or query from a VM does not: each VM
// port's ARP answer for its gateway, the first hop of every packet it sends off its subnet (the first
// packet of a trace, a query's representative packet). The evaluator keeps an answer per station and
// address once asked (its ARP walk is made in a fresh conntrack session over the converged state, so
// it is the same answer whenever it is asked); at 1,000 VMs these are about a second of the load, and
// each was about a millisecond of a VM's first trace.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Evaluator } from '../evaluate/index.ts';

/** Asks `ev` now for every VM port's gateway (ports without one send nothing off their subnet). */
export function resolveGateways(ev: Evaluator, dp: Dataplane): void {
  for (const s of dp.stations) if (s.kind === 'vm-port' && s.gateway !== null) ev.resolveArp(s, s.gateway);
}
