// What the symbolic walkers of a run hold and did, counted from outside for `bench/verify-steps.ts --census`: the
// walker's methods are wrapped on its prototype (the walker itself carries no counters) to count starts, device
// visits, ARP requests walked (surveys of a requester's whole broadcast domain, and walks for one address) and
// crossings asked about; its private maps are read for their sizes (memo keys, variants and ends, ARP answers,
// surveys, untold decisions, quiet splits, alike exits); Z3's checks are counted on CHECK_CHANNEL. `release`
// empties one kind of what the walkers keep so a following collection shows what it held. A measurement, not a
// test: reading private fields ties it to the walker's shape (walk.ts).
import diagnostics from 'node:diagnostics_channel';
import { SymWalker } from '../src/smt/walk.ts';
import { CHECK_CHANNEL } from '../src/smt/z3.ts';
import { siteCounts } from '../src/questions/properties/search-sites.ts';

const walkers = new Set<SymWalker>();
/** Device visits by kind of device (a bridge by name, a namespace by kind and the port it was entered by). */
const byKind = new Map<string, number>();
const counts = { starts: 0, visits: 0, surveys: 0, arpWalks: 0, untoldAsked: 0, checks: 0, checkMs: 0, memoClears: 0 };

// The walker's private members, read and wrapped: `any` because they are not part of its type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** Starts counting (once per process). */
export function installCensus(): void {
  const W = SymWalker.prototype as Loose;
  const wrap = (name: string, before: (self: Loose, args: unknown[]) => void) => {
    const orig = W[name] as (...a: unknown[]) => unknown;
    W[name] = function (this: Loose, ...args: unknown[]) {
      before(this, args);
      return orig.apply(this, args);
    };
  };
  wrap('fromStation', (w) => {
    walkers.add(w);
    counts.starts++;
  });
  wrap('arriveFresh', (w, a) => {
    counts.visits++;
    const at = a[0] as { host: string; device: string; port: string };
    const dev = w.index.device(at.host, at.device);
    const kind = dev === null ? 'nothing' : dev.kind === 'ovs' ? at.device : dev.kind === 'ns' ? `${at.device.replace(/-.*/, '')} by ${at.port.slice(0, 3)}` : dev.kind;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  });
  wrap('outside', () => byKind.set('upstream router', (byKind.get('upstream router') ?? 0) + 1));
  wrap('walkRequest', (_w, a) => (a[5] === null ? counts.arpWalks++ : counts.surveys++));
  wrap('untold', () => counts.untoldAsked++);
  // The memo's start-over at its budget shows as its count of ends falling across a call (an inner call's start-over counted once more by each call around it: a rough count).
  const memoized = W.memoized as (...a: unknown[]) => unknown;
  W.memoized = function (this: Loose, ...args: unknown[]) {
    const before = this.memoWeight as number;
    const r = memoized.apply(this, args);
    if ((this.memoWeight as number) < before) counts.memoClears++;
    return r;
  };
  diagnostics.subscribe(CHECK_CHANNEL, (m) => {
    counts.checks++;
    counts.checkMs += (m as { ms: number }).ms;
  });
}

/** The counters so far and what the walkers hold now, as one line. */
export function censusLine(): string {
  let memoKeys = 0;
  let variants = 0;
  let memoWeight = 0;
  let heldEnds = 0;
  const sizes = { followed: 0, follow: 0, arpCache: 0, surveys: 0, surveyedStations: 0, untold: 0, quiet: 0, alike: 0, terminals: 0, packets: 0 };
  for (const w of walkers as Set<Loose>) {
    memoKeys += w.memo.size;
    memoWeight += w.memoWeight;
    for (const vs of w.memo.values()) {
      variants += vs.length;
      for (const v of vs) heldEnds += v.rel.length;
    }
    sizes.arpCache += w.arpCache.size;
    sizes.surveys += w.surveys.size;
    for (const s of w.surveys.values()) if (s !== 'unreliable') sizes.surveyedStations += s.length;
    sizes.untold += w.untoldCrossings.size;
    for (const q of w.untoldCrossings.values()) if (q === false) sizes.followed++;
    for (const q of w.quietSplits.values()) sizes.follow += q.follow.length;
    sizes.quiet += w.quietSplits.size;
    sizes.alike += w.alikeQuiet.size;
    sizes.terminals += w.terminals.size;
    sizes.packets += w.packets.size;
  }
  const c = counts;
  return `walkers ${walkers.size}; starts ${c.starts}, visits ${c.visits}, ARP surveys ${c.surveys}, ARP walks ${c.arpWalks}, crossings asked ${c.untoldAsked}; `
    + `memo ${memoKeys} keys ${variants} variants ${heldEnds} ends (weight ${memoWeight}; start-overs seen ${c.memoClears}); `
    + `kept: ARP answers ${sizes.arpCache}, surveys ${sizes.surveys} (${sizes.surveyedStations} stations), untold ${sizes.untold} (${sizes.followed} followed), quiet splits ${sizes.quiet} (${sizes.follow} addresses followed), alike ${sizes.alike}, terminals ${sizes.terminals}, packets ${sizes.packets}; `
    + `questions settled by earlier explorations' sites ${siteCounts.settled} of ${siteCounts.asked}; Z3 checks ${c.checks} (${(c.checkMs / 1000).toFixed(1)} s); visits by kind: ${[...byKind].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`;
}

/** Empties one kind of what every walker keeps (for a collection to show its size); the walkers stay usable. */
export function release(what: 'memo' | 'arp' | 'crossings' | 'walkers'): void {
  for (const w of walkers as Set<Loose>) {
    if (what === 'memo') {
      w.memo.clear();
      w.memoWeight = 0;
    } else if (what === 'arp') {
      w.arpCache.clear();
      w.surveys.clear();
    } else if (what === 'crossings') {
      w.untoldCrossings.clear();
      w.quietSplits.clear();
      w.alikeQuiet.clear();
      w.terminals.clear();
    }
  }
  if (what === 'walkers') walkers.clear();
}
