// Longest-prefix routing over a symbolic destination: the routes of a namespace, longest prefix first
// (list order breaks ties, as the kernel keeps one route per prefix), each taken on
// `dst ∈ prefix ∧ ¬(every longer route matches)`, and the rest is "no route".
// Guarantees: the branches partition the destinations; a /32 route pins the destination.
import type { Route } from '../ir/dataplane.ts';
import { ipToNum } from './headers.ts';
import type { Cond, Enc, Val } from './cond.ts';
import type { Guard } from './path.ts';

export interface RouteBranch {
  /** Null for the "no route" branch. */
  readonly route: Route | null;
  readonly guard: Guard;
}

export function lpmBranches(e: Enc, routes: readonly Route[], dst: Val): RouteBranch[] {
  const sorted = [...routes].sort((a, b) => b.dst.prefixLen - a.dst.prefixLen);
  const out: RouteBranch[] = [];
  const longer: Cond[] = [];
  for (const r of sorted) {
    const m = e.prefix(dst, ipToNum(r.dst.ip), r.dst.prefixLen);
    if (m === false) continue;
    const cond = e.and(m, ...longer.map((c) => e.not(c)));
    if (cond !== false) out.push({ route: r, guard: { cond, binds: r.dst.prefixLen >= 32 ? [{ field: 'ip_dst', value: ipToNum(r.dst.ip) }] : [] } });
    longer.push(m);
    if (m === true) return out; // a default route: nothing is left for "no route"
  }
  const none = e.and(...longer.map((c) => e.not(c)));
  if (none !== false) out.push({ route: null, guard: { cond: none, binds: [] } });
  return out;
}
