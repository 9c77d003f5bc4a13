// `diff --format json` (docs/json.md): the differences, each class with its witness and both traces,
// the senders compared, and the stations only one side has. A difference asked of a class's
// representative lists the ports it stands for (`stands_for`), each of them `represented_by` it.
import type { DiffAnswer } from '../questions/diff.ts';
import { placeName } from '../questions/diff.ts';
import type { Labels } from './labels.ts';
import { packetJson } from './packet-json.ts';
import { deliveryJson, traceJson } from './trace-json.ts';
import { decidedBy, differingSenders } from './diff-text.ts';

export function diffJson(a: DiffAnswer, labels: Labels, o: { before: string; after: string }): Record<string, unknown> {
  return {
    before: o.before,
    after: o.after,
    verdict: a.verdict,
    differences: a.differences.map((d) => ({
      from: d.from,
      to: placeName(d.delivery, labels),
      delivery: deliveryJson(d.delivery),
      change: d.change,
      ...(d.standsFor !== undefined ? { stands_for: d.standsFor } : {}),
      classes: d.classes.map((c) => ({
        packets: c.packets,
        exact: c.exact,
        decided_by: decidedBy(c.after),
        witness: packetJson(c.witness),
        before: traceJson(c.before, labels),
        after: traceJson(c.after, labels),
      })),
    })),
    senders: a.senders.map((s) => ({ from: s.from, complete: s.complete, unknown: s.unknown, places: s.places, places_unchanged: s.placesUnchanged, untouched: s.untouched, ...(s.error ? { error: s.error.message } : {}), ...(s.representedBy !== undefined ? { represented_by: s.representedBy } : {}) })),
    only_before: a.onlyBefore,
    only_after: a.onlyAfter,
    summary: {
      differences: a.differences.length,
      classes: a.differences.reduce((n, d) => n + d.classes.length, 0),
      senders: a.senders.length,
      senders_unknown: a.senders.filter((s) => s.unknown !== null).length,
      sender_classes: a.senderClasses,
      senders_differing: differingSenders(a),
    },
  };
}
