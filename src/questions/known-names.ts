// What an error about an unknown name adds so that the user can put it right: the names a typo away
// from the one written ("did you mean"), else every name when there are few to list.

/** Edit distance (insertions, deletions, substitutions) between `a` and `b`, capped at `cap + 1`. */
function distance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return Math.min(prev[b.length]!, cap + 1);
}

/** At most this many names are listed when none is close. */
const LIST_AT_MOST = 10;

/**
 * The hint for a `wanted` name that is none of `names` (`what`: their kind, plural, e.g. "VMs"):
 * `; did you mean "vm1"?` for the closest one or two (at most two edits, one for short names; case
 * ignored), else `; the VMs are vm1, vm2` when there are few, else the empty string.
 */
export function nameHint(wanted: string, names: readonly string[], what: string): string {
  const unique = [...new Set(names)];
  if (unique.length === 0) return `; the topology has no ${what}`;
  const cap = wanted.length <= 3 ? 1 : 2;
  const scored = unique.map((n) => ({ n, d: distance(wanted.toLowerCase(), n.toLowerCase(), cap) })).filter((s) => s.d <= cap);
  const best = Math.min(...scored.map((s) => s.d));
  const closest = scored.filter((s) => s.d === best).map((s) => `"${s.n}"`);
  // One or two as close as the rest: a suggestion; more (vm9 among vm1…vm4): the list says more.
  if (closest.length > 0 && closest.length <= 2) return `; did you mean ${closest.join(' or ')}?`;
  return unique.length <= LIST_AT_MOST ? `; the ${what} are ${unique.join(', ')}` : '';
}
