// The verdicts the drift changes: the built-in properties on the intent (rendered) and on the collected
// state, side by side, subject by subject. Notes from the API view apply to both sides; notes about the
// captures (opaque devices, hosts not captured) to the collected side only.
import { createEvaluator } from '../../evaluate/index.ts';
import type { Packet } from '../../ir/packet.ts';
import type { Dataplane } from '../../ir/dataplane.ts';
import { BUILTIN_PROPERTIES } from '../../questions/properties/index.ts';
import type { PropertyResult, PropertyVerdict } from '../../questions/property.ts';
import { runVerify } from '../../questions/verify.ts';
import type { Topology } from '../../topology/model.ts';
import type { CloudNote } from '../notes.ts';
import { taintReport } from '../taint-report.ts';

export interface VerdictPair {
  readonly property: string;
  readonly subject: string;
  readonly intent: PropertyVerdict | null;
  readonly collected: PropertyVerdict | null;
  /** The collected side's result, with its witness and trace when violated. */
  readonly collectedResult: PropertyResult | null;
}

/** The built-in verdicts on one dataplane, with the notes' taints applied. */
export async function builtinVerdicts(topology: Topology, dataplane: Dataplane, notes: readonly CloudNote[], timeoutMs: number): Promise<readonly PropertyResult[]> {
  const report = await runVerify({ topology, dataplane, evaluator: createEvaluator(dataplane), timeoutMs }, BUILTIN_PROPERTIES, []);
  return taintReport(report, notes).results;
}

/** The notes that hold for the intent too: those about the API view (capture notes concern the nodes only). */
export const intentNotes = (notes: readonly CloudNote[]): CloudNote[] => notes.filter((n) => n.file.startsWith('api'));

export async function verdictPairs(topology: Topology, intent: Dataplane, collected: Dataplane, notes: readonly CloudNote[], timeoutMs: number): Promise<VerdictPair[]> {
  const want = await builtinVerdicts(topology, intent, intentNotes(notes), timeoutMs);
  const got = await builtinVerdicts(topology, collected, notes, timeoutMs);
  return pairVerdicts(want, got);
}

/** Intent and collected results, subject by subject (a subject on one side only is paired with null). */
export function pairVerdicts(want: readonly PropertyResult[], got: readonly PropertyResult[]): VerdictPair[] {
  const key = (r: PropertyResult) => `${r.property}\u0000${r.subject}`;
  const gotByKey = new Map(got.map((r) => [key(r), r]));
  const pairs: VerdictPair[] = want.map((w) => {
    const g = gotByKey.get(key(w)) ?? null;
    return { property: w.property, subject: w.subject, intent: w.verdict, collected: g?.verdict ?? null, collectedResult: g };
  });
  const wantKeys = new Set(want.map(key));
  for (const g of got) if (!wantKeys.has(key(g))) pairs.push({ property: g.property, subject: g.subject, intent: null, collected: g.verdict, collectedResult: g });
  return pairs;
}

export const witnessOf = (p: VerdictPair): Packet | null => p.collectedResult?.witness ?? null;
