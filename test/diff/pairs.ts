// Random topologies (netproof/testing) each with one random change (changes.ts), for holding two ways
// of answering `diff` to each other: up to `perKind` pairs of each kind of change, drawn from `seed`;
// a drawn change that does not apply, or a pair that does not load or has no sender, is drawn again.
// And what two answers must agree on (gist.ts), as expectations.
import fc from 'fast-check';
import { expect } from 'vitest';
import { arbitraryTopology, createEvaluator, loadGenerated, topologyYaml, type TopologyBounds } from '../../src/testing/index.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import type { DiffAnswer } from '../../src/questions/diff.ts';
import { applyChange, arbitraryChange } from './changes.ts';
import { gist } from './gist.ts';

/** The kinds of change changes.ts draws. */
export const CHANGE_KINDS = 6;

/** A topology's model and evaluator, or null when it does not load. */
export function party(text: string) {
  const t = loadTopologyText(text, 'x.yaml');
  if (!t.ok) return null;
  const model = modelFromTopology(t.value);
  return { model, ev: createEvaluator(model.dataplane) };
}

export interface ChangedPair {
  readonly kind: string;
  /** What the change did, for failure messages. */
  readonly what: string;
  readonly before: string;
  readonly after: string;
}

export function changedPairs(bounds: TopologyBounds, seed: number, perKind: number): ChangedPair[] {
  const draws = fc.sample(fc.tuple(arbitraryTopology(bounds), arbitraryChange), { numRuns: perKind * CHANGE_KINDS * 10, seed });
  const out: ChangedPair[] = [];
  const kinds = new Map<string, number>();
  for (const [g, change] of draws) {
    if (out.length === perKind * CHANGE_KINDS) break;
    // As many of each kind of change.
    if ((kinds.get(change.kind) ?? 0) === perKind) continue;
    const changed = applyChange(g.file, change);
    if (changed === null) continue;
    const text = topologyYaml(changed.file);
    const before = party(g.yaml);
    if (before === null || party(text) === null || before.model.dataplane.stations.length === 0) continue;
    loadGenerated(g);
    out.push({ kind: change.kind, what: changed.what, before: g.yaml, after: text });
    kinds.set(change.kind, (kinds.get(change.kind) ?? 0) + 1);
  }
  return out;
}

/** Two answers to the same diff agree (gist.ts). */
export function expectSameAnswers(a: DiffAnswer, b: DiffAnswer, what: string): void {
  const [x, y] = [gist(a), gist(b)];
  expect(x.verdict, what).toBe(y.verdict);
  expect(x.senders, what).toEqual(y.senders);
  expect(x.groups, what).toEqual(y.groups);
  for (const [k, labels] of x.exact) if (y.exact.has(k)) expect(labels, `${what}: ${k}`).toBe(y.exact.get(k));
}

/** `2 fip-moved, 1 route, …`. */
export function kindCounts(pairs: readonly ChangedPair[]): string {
  const n = new Map<string, number>();
  for (const p of pairs) n.set(p.kind, (n.get(p.kind) ?? 0) + 1);
  return [...n].map(([k, c]) => `${c} ${k}`).sort().join(', ');
}
