// What several fuzz properties share: a generated topology modelled once per check, sources picked by
// index and named by label (so a regression file can say `sources: vm1:0 outside:public@203.0.113.0/24`: an outside sender by its network and subnet), and the
// text of a disagreement.
import fc from 'fast-check';
import type { Station } from '../../../src/ir/dataplane.ts';
import type { Packet } from '../../../src/ir/packet.ts';
import { arbitraryTopology, createEvaluator, modelOf, type Evaluator, type GeneratedTopology, type Model, type TopologyBounds } from '../../../src/testing/index.ts';
import { stationLabel, type Disagreement } from '../agreement.ts';

export interface TopologyCase {
  readonly g: GeneratedTopology;
}

/** A generated topology as a regression file reads it back (its YAML only). */
export const fromYaml = (yaml: string): GeneratedTopology => ({ file: {} as GeneratedTopology['file'], yaml });

export function arbitraryCase<X>(bounds: TopologyBounds, extra: fc.Arbitrary<X>): fc.Arbitrary<TopologyCase & X> {
  return fc.tuple(arbitraryTopology(bounds), extra).map(([g, x]) => ({ g, ...x }));
}

export interface Modelled {
  readonly m: Model;
  readonly ev: Evaluator;
}

/** The model and an evaluator that lists every copy of a flood (none cut at the report's default). */
export function modelled(g: GeneratedTopology): Modelled {
  const m = modelOf(g, 'fuzz.yaml');
  return { m, ev: createEvaluator(m.dataplane, { limits: { maxBranches: 100_000 } }) };
}

/** The stations picked by `indices` (modulo their number, without repeats). */
export function pickStations(m: Model, indices: readonly number[]): Station[] {
  const all = m.dataplane.stations;
  if (all.length === 0) return [];
  return [...new Set(indices.map((i) => all[i % all.length]!))];
}

export function stationsByLabel(m: Model, labels: string): Station[] {
  return labels.split(/\s+/).filter((l) => l !== '').map((l) => {
    const s = m.dataplane.stations.find((x) => stationLabel(x) === l);
    if (!s) throw new Error(`no station ${l} in the regression's topology`);
    return s;
  });
}

export const packetText = (p: Packet): string => {
  const l4 = p.sport !== null ? ` ${p.sport} → ${p.dport}` : p.icmp_type !== null ? ` type ${p.icmp_type}/${p.icmp_code}` : '';
  return `proto ${p.proto} ${p.ip_src} → ${p.ip_dst}${l4} [${p.eth_src} → ${p.eth_dst}${p.vlan !== null ? ` vlan ${p.vlan}` : ''}]`;
};

export function disagreementText(ds: readonly Disagreement[], what: string): string {
  const shown = ds.slice(0, 3).map((d) => [
    `from ${d.source}: ${packetText(d.packet)}`,
    ...(d.note !== undefined ? [`  note: ${d.note}`] : []),
    ...d.onlySolver.map((k) => `  solver only:    ${k}`),
    ...d.onlyEvaluator.map((k) => `  evaluator only: ${k}`),
  ].join('\n'));
  return `${ds.length} ${what} disagreement${ds.length === 1 ? '' : 's'}:\n${shown.join('\n')}${ds.length > 3 ? `\n… and ${ds.length - 3} more` : ''}`;
}
