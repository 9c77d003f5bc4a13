// Which shard of `verify --shard K/N` checks a result: a hash of the property, the subject and the
// failure scenario, modulo N. It depends on names only, never on where a subject sits in the topology
// file, so reordering the file moves no subject to another shard; adding a subject moves no other.
// Each shard still builds the whole model and enumerates every subject (cheap), but does the work of
// checking (explorations, solver calls, traces) only for its own.

/** Which part (1..count) checks `property` on `subject` in the scenario keyed `scenario`. */
export type Assign = (count: number, property: string, subject: string, scenario: string) => number;

/**
 * Shard `index` (1-based, as `--shard K/N` writes it) of `count`. `assign` says which part checks a
 * result: the hash below by default; `verify --jobs N` gives one that keeps a project's subjects
 * together (src/parallel/split.ts).
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
  readonly assign?: Assign;
}

/** 32-bit FNV-1a over the UTF-16 code units: stable across Node versions and platforms. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The scenario as a key: the hosts down and the connections cut, each sorted. */
export function scenarioKey(s: { readonly failed: readonly string[]; readonly cut: readonly (readonly [string, string])[] } | undefined): string {
  if (s === undefined) return '';
  return `${[...s.failed].sort().join(',')}|${s.cut.map(([a, b]) => [a, b].sort().join('~')).sort().join(',')}`;
}

/** The shard (1..count) that checks `property` on `subject` in the scenario keyed `scenario`. */
export function shardOf(count: number, property: string, subject: string, scenario: string): number {
  return (fnv1a(`${property}\u0000${subject}\u0000${scenario}`) % count) + 1;
}

/** Whether `shard` checks it; everything when there is no shard. */
export function owns(shard: Shard | undefined, property: string, subject: string, scenario: string): boolean {
  return shard === undefined || (shard.assign ?? shardOf)(shard.count, property, subject, scenario) === shard.index;
}
