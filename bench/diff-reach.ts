// `node --import tsx bench/diff-reach.ts SIZE [--from EP]`: how much of `diff`'s before-side walk (the split
// walk that stands for both sides, diff-split.ts) follows copies that never reach a device that differs, and
// which of a class's places only such copies reach — what cutting them (following only copies that may still
// reach a changed device) could save, and what it would change in the answer. The bench's pair of SIZE
// (bench/diff.ts: one group rule added into p1's ssh group), the two models built first and not timed.
// Measured from outside, as bench/walker-census.ts does: the walker's methods are wrapped on its prototype.
// A copy's subtree is a device arrival (`arriveFresh`) of the split walker outside any split's own part; it
// "reaches nothing that differs" when no split (a changed device, followed on both sides) happens within it
// and none of its ends comes from one (a split the memo hands on).
// Prints the main thread's CPU in the before walk, in its maximal subtrees reaching nothing that differs, and
// in the splits; and per class the places (delivered or exited on the before side, as the answer counts them)
// and those reached only by ends of such subtrees. A measurement, not a test: it reads the walker's private
// shape (walk.ts), and a subtree the memo hands on is counted where it was made.
import { runDiff } from '../src/questions/diff.ts';
import { deliveryKey } from '../src/smt/diff.ts';
import type { End } from '../src/smt/path.ts';
import { SymWalker } from '../src/smt/walk.ts';
import { getZ3, shutdownZ3 } from '../src/smt/index.ts';
import { EXTRA_SIZES, SIZES, generateTopologyText } from './generate.ts';
import { party, withOneRuleAdded } from './diff.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | null => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : null; };
const size = [...SIZES, ...EXTRA_SIZES].find((s) => s.name === args[0]);
if (size === undefined) throw new Error(`no size ${args[0]}`);

// The walker's private members, read and wrapped: `any` because they are not part of its type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
type Method = (this: Loose, ...a: unknown[]) => unknown;

/** Marks an end made within a subtree that reached nothing that differs (a symbol: spread copies keep it, JSON never shows it). */
const QUIET = Symbol('reaches nothing that differs');
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

interface Frame { t0: number; split: boolean; pending: number }
const stack: Frame[] = [];
const ms = { walk: 0, quiet: 0, splits: 0 };
const perClass: { places: number; quietOnly: number }[] = [];

const W = SymWalker.prototype as Loose;
const arriveFresh = W.arriveFresh as Method;
W.arriveFresh = function (this: Loose, ...a: unknown[]) {
  // Only the split walker's own part: diff's before side, outside a split and outside ARP walks.
  if (this.opts.split === undefined || this.inSplit > 0 || this.hunt !== null) return arriveFresh.apply(this, a);
  const f: Frame = { t0: cpuMs(), split: false, pending: 0 };
  stack.push(f);
  let ends: End[] = [];
  try {
    ends = arriveFresh.apply(this, a) as End[];
    return ends;
  } finally {
    stack.pop();
    // A split reused from the memo shows in its ends' sides.
    if (!f.split && ends.some((x) => x.side !== undefined)) f.split = true;
    const dt = cpuMs() - f.t0;
    if (!f.split) for (const x of ends) (x as Loose)[QUIET] = true;
    // A subtree with a split counts the time of its children without one; one without is counted whole by the first frame around it that has one.
    if (f.split) ms.quiet += f.pending;
    const up = stack.at(-1);
    if (up === undefined) { if (!f.split) ms.quiet += dt; } else if (f.split) up.split = true; else up.pending += dt;
  }
};
const split = W.split as Method;
W.split = function (this: Loose, ...a: unknown[]) {
  for (const f of stack) f.split = true;
  const t0 = cpuMs();
  try { return split.apply(this, a); } finally { ms.splits += cpuMs() - t0; }
};
/** The places of the walk under way (one `splitting` per side walked: a sender's starts together), and those some end not marked reaches. */
let current: { all: Set<string>; loud: Set<string> } | null = null;
const fromStation = W.fromStation as Method;
W.fromStation = function (this: Loose, ...a: unknown[]) {
  if (this.opts.split === undefined) return fromStation.apply(this, a);
  const t0 = cpuMs();
  const ends = fromStation.apply(this, a) as End[];
  ms.walk += cpuMs() - t0;
  for (const x of ends) {
    // The places the answer counts: delivered or exited on this side (sideOf in smt/diff.ts).
    if (current === null || x.kind !== 'end' || x.arpOwner !== null || x.delivery === null || (x.disposition !== 'delivered' && x.disposition !== 'exited') || x.side === 'other') continue;
    const k = deliveryKey(x.delivery);
    current.all.add(k);
    if ((x as Loose)[QUIET] !== true) current.loud.add(k);
  }
  return ends;
};
const splitting = W.splitting as Method;
W.splitting = function (this: Loose, ...a: unknown[]) {
  if (this.opts.split === undefined) return splitting.apply(this, a);
  const mine = { all: new Set<string>(), loud: new Set<string>() };
  current = mine;
  try {
    return splitting.apply(this, a);
  } finally {
    current = null;
    perClass.push({ places: mine.all.size, quietOnly: [...mine.all].filter((k) => !mine.loud.has(k)).length });
  }
};

const text = generateTopologyText(size);
const [b, a] = [party(text), party(withOneRuleAdded(text, 'first'))];
await getZ3();
const c0 = cpuMs();
const r = await runDiff(b, a, { from: opt('--from'), to: null, via: null }, 10_000, { incremental: true });
const all = cpuMs() - c0;
if (!r.ok) throw new Error('diff refused its input');
const sum = (f: (x: { places: number; quietOnly: number }) => number) => perClass.reduce((n, x) => n + f(x), 0);
console.log(JSON.stringify({
  size: size.name,
  classes: r.value.senderClasses,
  splitWalks: perClass.length,
  cpuS: +(all / 1000).toFixed(2),
  beforeWalkS: +(ms.walk / 1000).toFixed(2),
  reachingNothingChangedS: +(ms.quiet / 1000).toFixed(2),
  inSplitsS: +(ms.splits / 1000).toFixed(2),
  places: sum((x) => x.places),
  placesOnlyThroughThem: sum((x) => x.quietOnly),
  walksLosingAPlace: perClass.filter((x) => x.quietOnly > 0).length,
}));
await shutdownZ3();
