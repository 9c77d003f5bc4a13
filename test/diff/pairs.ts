// Random topologies (netproof/testing) each with one random change (changes.ts), for holding two ways
// of answering `diff` to each other: up to `perKind` pairs of each kind of change, drawn from `seed`;
// a drawn change that does not apply, or a pair that does not load or has no sender, is drawn again.
// Optionally each file is prepared before the change (`withTwin`: a VM like one of its own).
// And what two answers must agree on (gist.ts), as expectations.
import fc from 'fast-check';
import { expect } from 'vitest';
import { arbitraryTopology, createEvaluator, loadGenerated, topologyYaml, type TopologyBounds } from '../../src/testing/index.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import type { DiffAnswer } from '../../src/questions/diff.ts';
import { applyChange, arbitraryChange } from './changes.ts';
import { gist } from './gist.ts';
import type { TopologyFile } from '../../src/topology/schema.ts';

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

/**
 * Before the change is drawn: a second VM like one of the file's (its ports on the same networks with
 * the same groups, port security and address pairs, addresses of their own, no floating IP), on
 * another host when there is one — a port that should fall in the first one's class of senders.
 * `pick` chooses the VM and the host (modulo how many there are).
 */
export function withTwin(file: TopologyFile, pick: number): TopologyFile {
  const f = structuredClone(file) as TopologyFile;
  const vms = Object.entries(f.vms ?? {});
  if (vms.length === 0) return f;
  const [name, vm] = vms[pick % vms.length]!;
  const hosts = Object.keys(f.hosts).filter((h) => h !== vm.host);
  const host = hosts.length === 0 ? vm.host : hosts[pick % hosts.length]!;
  const ports = vm.ports.map(({ id: _id, ip: _ip, mac: _mac, ...rest }) => rest);
  f.vms = { ...f.vms, [`${name}twin`]: { project: vm.project, host, ports } };
  return f;
}

export function changedPairs(bounds: TopologyBounds, seed: number, perKind: number, prepare?: (file: TopologyFile, pick: number) => TopologyFile): ChangedPair[] {
  const draws = fc.sample(fc.tuple(arbitraryTopology(bounds), arbitraryChange), { numRuns: perKind * CHANGE_KINDS * 20, seed });
  const out: ChangedPair[] = [];
  const kinds = new Map<string, number>();
  for (const [g, change] of draws) {
    if (out.length === perKind * CHANGE_KINDS) break;
    // As many of each kind of change.
    if ((kinds.get(change.kind) ?? 0) === perKind) continue;
    const file = prepare ? prepare(g.file, change.other) : g.file;
    const yaml = prepare ? topologyYaml(file) : g.yaml;
    const changed = applyChange(file, change);
    if (changed === null) continue;
    const text = topologyYaml(changed.file);
    const before = party(yaml);
    if (before === null || party(text) === null || before.model.dataplane.stations.length === 0) continue;
    loadGenerated(g);
    out.push({ kind: change.kind, what: changed.what, before: yaml, after: text });
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
