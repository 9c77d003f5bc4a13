// Path merging: the cure for path explosion. A device or a netfilter table splits a packet into many
// branches (one per rule that can match), and most of them come out the other side in the same state —
// same packet, same port, same conntrack bookkeeping. Walked on separately, their number multiplies at
// every device (a few thousand ends per VM on the seed); merged, they stay one path whose condition is
// the disjunction of theirs.
// Guarantees: a merged path stands for exactly the packets of the paths it replaces (the condition is
// their disjunction, factored over the conjuncts they share) with the same packet: paths are grouped
// only when every field has the same term or value.
import type { Enc } from './cond.ts';
import { termKey } from './cond.ts';

export { termKey };
import type { Binding, End, Path, Step } from './path.ts';

const FIELDS = ['eth_src', 'eth_dst', 'eth_type', 'ip_src', 'ip_dst', 'proto', 'sport', 'dport', 'icmp_type', 'icmp_code'] as const satisfies readonly Binding['field'][];

/**
 * Paths with equal keys carry the same packet, the same connections and the same approximations. Pinned values are part of
 * the key: merging two paths that pinned a field to different values would leave the field a bare
 * term, and a later comparison that the values decided (a router's "is it mine?") would no longer
 * fold — the solver would be needed to see that a branch is empty, and empty branches that are walked
 * can cycle between routers until the depth bound.
 */
export function pathKey(p: Path): string {
  const parts = FIELDS.map((f) => termKey(p.packet[f]));
  parts.push(termKey(p.packet.vlan), termKey(p.packet.tun_id));
  // The connections the path opened decide how its packet meets a firewall it comes back to.
  for (const c of p.conns ?? []) parts.push(c.key);
  return parts.join('|');
}

/** One path for several with equal `pathKey`s (the same packet: only the conditions are joined). */
export function mergePaths(e: Enc, paths: readonly Path[]): Path {
  if (paths.length === 1) return paths[0]!;
  const first = paths[0]!;
  // The conjuncts every path shares (branches of one ancestor share its array's prefix).
  let n = first.pc.length;
  for (const p of paths) {
    let i = 0;
    while (i < n && i < p.pc.length && p.pc[i] === first.pc[i]) i++;
    n = i;
  }
  const prefix = first.pc.slice(0, n);
  const either = e.or(...paths.map((p) => e.and(...p.pc.slice(n))));
  const pc = either === true ? prefix : [...prefix, either];
  return { ...first, pc };
}

/** Groups items by key (first-seen order) and merges each group's paths. */
export function mergeBy<T>(e: Enc, items: readonly T[], key: (x: T) => string, pathOf: (x: T) => Path, rebuild: (x: T, path: Path) => T): T[] {
  if (items.length < 2) return [...items];
  const groups = new Map<string, T[]>();
  for (const x of items) {
    const k = `${key(x)}\u0000${pathKey(pathOf(x))}`;
    const g = groups.get(k);
    if (g) g.push(x);
    else groups.set(k, [x]);
  }
  if (groups.size === items.length) return [...items];
  return [...groups.values()].map((g) => (g.length === 1 ? g[0]! : rebuild(g[0]!, mergePaths(e, g.map(pathOf)))));
}

/** What makes two ends the same end (apart from their packets). */
export function endKey(x: End): string {
  // Ends of one side of a split walk (walk.ts `split`) are never merged with the other side's or both's.
  const side = x.side === undefined ? '' : `${x.side}:`;
  if (x.kind === 'unknown') return `${side}?${x.reason}`;
  // A cut standing for several (cut-crossings.ts) is merged only with one standing for the same.
  if (x.kind === 'cut') return `${side}/${x.where}${x.also === undefined ? '' : x.also.map((a) => `|${a.host}/${a.device}<${a.inPort}`).join('')}`;
  const at = x.at === undefined ? '-' : `${x.at.host}/${x.at.device}<${x.at.inPort}`;
  return `${side}${x.disposition}|${x.where}|${x.delivery === null ? '-' : JSON.stringify(x.delivery)}|${termKey(x.arpOwner)}|${at}`;
}

/** Ends of the same kind at the same place with the same packet, merged. */
export function mergeEnds(e: Enc, ends: readonly End[]): End[] {
  return mergeBy(e, ends, endKey, (x) => x.path, (x, path) => ({ ...x, path }));
}

/** A device's results: copies leaving by the same port with the same packet merged, and ends merged. */
export function mergeSteps(e: Enc, steps: readonly Step[]): Step[] {
  return mergeBy(e, steps, (s) => (s.kind === 'emit' ? `>${s.port}` : endKey(s)), (s) => s.path, (s, path) => ({ ...s, path }));
}
