// What two ways of answering the same `diff` must agree on: the verdict; per sender, its places, how
// many were settled without the solver, and whether it is unknown; per sender, place and kind of
// change (gained, lost, translated), that there is one; and where both list only exact classes there,
// the same classes. Witnesses may differ (another model of the same question). A difference asked
// of a class's representative counts for each port it stands for, as questions/diff.ts says it
// does: with the two ports' roles swapped (a difference at the representative's own port is the
// member's at its own, one at the member's port the representative's at the representative's).
import type { DiffAnswer } from '../../src/questions/diff.ts';
import { deliveryKey } from '../../src/smt/diff.ts';

export function gist(a: DiffAnswer) {
  const kind = (c: string) => (c === 'newly-dropped' ? 'lost' : c === 'translated-differently' ? 'translated' : 'gained');
  const groups = new Map<string, { exact: boolean; labels: string[] }>();
  for (const d of a.differences) {
    const place = deliveryKey(d.delivery);
    for (const from of [d.from, ...(d.standsFor ?? [])]) {
      const swapped = place === `vm:${from}` ? `vm:${d.from}` : place === `vm:${d.from}` ? `vm:${from}` : place;
      const k = `${from} ${kind(d.change)} at ${swapped}`;
      const g = groups.get(k) ?? { exact: true, labels: [] };
      for (const c of d.classes) { g.exact &&= c.exact; g.labels.push(c.packets); }
      groups.set(k, g);
    }
  }
  return {
    verdict: a.verdict,
    senders: a.senders.map((s) => ({ from: s.from, places: s.places, same: s.placesUnchanged, unknown: s.unknown !== null })),
    groups: [...groups.keys()].sort(),
    exact: new Map([...groups].filter(([, g]) => g.exact).map(([k, g]) => [k, g.labels.sort().join(', ')])),
  };
}
