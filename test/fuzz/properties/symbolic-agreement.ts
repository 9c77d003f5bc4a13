// Property `symbolic-agreement`: on random topologies, from random sources with the packet left free,
// every feasible path end the solver reports is replayed through the evaluator (test/fuzz/agreement.ts):
// same place (device, port, disposition) and same final headers, for every end the model makes true.
import fc from 'fast-check';
import type { TopologyBounds } from '../../../src/testing/index.ts';
import { stationLabel, symbolicAgreement, type AgreementCounts, zeroCounts } from '../agreement.ts';
import { bump, type FuzzProperty } from '../property.ts';
import { arbitraryCase, disagreementText, fromYaml, modelled, pickStations, stationsByLabel, type TopologyCase } from './cases.ts';

export interface SymbolicCase extends TopologyCase {
  readonly sources: readonly number[];
  /** Where among a source's ends the checked ones start (when they are capped). */
  readonly order: number;
  /** Set when read from a regression file: the sources by label. */
  readonly labels?: string;
}

export interface SymbolicOptions {
  readonly bounds?: TopologyBounds;
  /** Sources per topology (1 to this). */
  readonly maxSources?: number;
  readonly maxEndsPerSource?: number;
  readonly timeoutMs?: number;
}

export function symbolicAgreementProperty(o: SymbolicOptions = {}): FuzzProperty<SymbolicCase> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  return {
    name: 'symbolic-agreement',
    checks: 'every feasible end of a free packet from a random source, replayed through the evaluator, ends in the same place with the same headers',
    arbitrary: arbitraryCase(o.bounds ?? {}, fc.record({ sources: fc.array(fc.nat({ max: 30 }), { minLength: 1, maxLength: o.maxSources ?? 2 }), order: fc.nat({ max: 1000 }) })),
    async check(c, counts) {
      const { m, ev } = modelled(c.g);
      bump(counts, 'topologies');
      const sources = c.labels !== undefined ? stationsByLabel(m, c.labels) : pickStations(m, c.sources);
      const a: AgreementCounts = zeroCounts();
      const ds = await symbolicAgreement(m, ev, sources, { timeoutMs, order: c.order, ...(o.maxEndsPerSource !== undefined ? { maxEndsPerSource: o.maxEndsPerSource } : {}) }, a);
      const { unknownBy, ...plain } = a;
      for (const [k, v] of Object.entries(plain)) bump(counts, k, v);
      for (const [k, v] of Object.entries(unknownBy)) bump(counts, `unknown: ${k}`, v);
      return ds.length === 0 ? null : disagreementText(ds, 'solver/evaluator');
    },
    toRegression(c) {
      const { m } = modelled(c.g);
      return { topology: c.g.yaml, args: { sources: c.labels ?? pickStations(m, c.sources).map(stationLabel).join(' ') } };
    },
    fromRegression(r) {
      return { g: fromYaml(r.topology), sources: [], order: 0, labels: r.args.sources ?? '' };
    },
  };
}
