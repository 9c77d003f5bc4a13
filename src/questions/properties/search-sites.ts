// Where a sender's explored packets end, kept for the whole run: per exploration (sender, sent
// constraint, scope, under one dataplane and converged state), the distinct places its finished ends
// are at (disposition, delivery, and whether the final source MAC may be the sent one) and how many
// ends it has and how many are unfinished — no terms, a few dozen bytes a place. A question whose predicate can hold only at some places (an `EndGuard`)
// is answered `none` from this alone when no place passes the guard and no end is unfinished: the
// answer the solver would give over the exploration (no end can satisfy the predicate, so no packet
// does; nothing unfinished could), without walking the sender again.
// Why: nat-egress and project-isolation explore the same senders alike (the `near` scope, nothing
// asked of the sent packet), one property after the other, each check with a context and cache of its
// own; at 10,000 VMs the walker's memo starts over within nat-egress's walks, so project-isolation
// walked every sender again (about 0.25 s of CPU a sender). Keeping every exploration for the run would
// hold about 0.3 MB a sender; this holds what project-isolation and segment-isolation read first.
// segment-isolation's senders' packets reach other networks' namespaces (the external network's DHCP
// server, through the upstream router) with a MAC that only the path condition — the sender's own
// MAC — tells from the sent one: so a place keeps whether that can be (`macKept`).
import type { Dataplane } from '../../ir/dataplane.ts';
import type { Evaluator } from '../../evaluate/index.ts';
import type { End, SymPacket } from '../../smt/index.ts';
import { sentMacPin } from '../../smt/starts.ts';

type FinishedEnd = Extract<End, { kind: 'end' }>;

/**
 * Where a finished end is, as far as a guard reads it; `macKept`: its final source MAC may be the one
 * it was sent with — false only when the final MAC is one value and the end's path condition pins the
 * sent MAC to another (a router on the way rewrote it, and the sender sent from its own MAC).
 */
export type EndSite = Pick<FinishedEnd, 'disposition' | 'delivery'> & { readonly macKept: boolean };

/** A finished end's site (`sent`: the packet as sent, its variables). */
export function siteOf(end: FinishedEnd, sent: SymPacket): EndSite {
  const fin = end.path.packet.eth_src;
  const pin = typeof fin === 'number' ? sentMacPin(end.path.pc, sent.eth_src) : null;
  return { disposition: end.disposition, delivery: end.delivery, macKept: pin === null || pin === fin };
}

/**
 * A necessary condition of a question's predicate on where an end is: the predicate is false for
 * every end the guard rejects (`search` makes it so by asking the guard first).
 */
export type EndGuard = (end: EndSite) => boolean;

export interface SiteSummary {
  /** The distinct places of the exploration's finished ends. */
  readonly sites: readonly EndSite[];
  /** Ends not followed to their end (unmodelled, depth): with any, the summary answers nothing. */
  readonly unfinished: number;
  /** Every end of the exploration, and the packet cases it followed (what a `none` answer reports). */
  readonly ends: number;
  readonly followed: number;
}

const kept = new WeakMap<Dataplane, WeakMap<Evaluator, Map<string, SiteSummary>>>();

function table(dp: Dataplane, ev: Evaluator, make: boolean): Map<string, SiteSummary> | undefined {
  let byEv = kept.get(dp);
  if (!byEv) {
    if (!make) return undefined;
    kept.set(dp, (byEv = new WeakMap()));
  }
  let m = byEv.get(ev);
  if (!m && make) byEv.set(ev, (m = new Map()));
  return m;
}

/** Notes where an exploration's ends are (`key`: everything the exploration depends on besides the dataplane and evaluator). */
export function noteSites(dp: Dataplane, ev: Evaluator, key: string, ends: readonly { readonly end: End; readonly sent: SymPacket }[], followed: number): void {
  const sites = new Map<string, EndSite>();
  let unfinished = 0;
  for (const { end, sent } of ends) {
    if (end.kind === 'unknown') unfinished++;
    if (end.kind !== 'end') continue;
    const site = siteOf(end, sent);
    const k = `${site.disposition}|${JSON.stringify(site.delivery)}|${site.macKept}`;
    if (!sites.has(k)) sites.set(k, site);
  }
  table(dp, ev, true)!.set(key, { sites: [...sites.values()], unfinished, ends: ends.length, followed });
}

/**
 * The counts of ends and of packet cases followed when the exploration under `key` is known and none
 * of its ends can satisfy a predicate `guard` stands for (none of its places passes, none
 * unfinished); else null (explore).
 */
export function noneBySites(dp: Dataplane, ev: Evaluator, key: string, guard: EndGuard): { readonly ends: number; readonly followed: number } | null {
  siteCounts.asked++;
  const s = table(dp, ev, false)?.get(key);
  if (s === undefined || s.unfinished > 0 || s.sites.some(guard)) return null;
  siteCounts.settled++;
  return { ends: s.ends, followed: s.followed };
}

/** Questions asked of the kept sites and how many they settled, in this process (for measurements). */
export const siteCounts = { asked: 0, settled: 0 };
