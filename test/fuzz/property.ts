// A fuzz property: what it checks, the arbitrary of its cases, the check itself, and how a case is
// written as (and read back from) a regression file. The vitest suites (pinned seed, CI budget), the
// `npm run fuzz` campaigns and test/regressions/ all run the same definitions.
import type fc from 'fast-check';

/** What a run counted, by name (`topologies`, `ends`, `models replayed` …), printed at the end. */
export type Counts = Record<string, number>;

export const bump = (c: Counts, key: string, n = 1): void => {
  c[key] = (c[key] ?? 0) + n;
};

/** A case as a regression file stores it: the topology and what else the property needs, by name. */
export interface RegressionCase {
  /** The topology file's YAML. */
  readonly topology: string;
  /** One line each, written as `# key: value` above the topology. */
  readonly args: Readonly<Record<string, string>>;
}

export interface FuzzProperty<C> {
  /** `symbolic-agreement`, …: `npm run fuzz -- --property NAME`. */
  readonly name: string;
  /** One line: what it checks. */
  readonly checks: string;
  readonly arbitrary: fc.Arbitrary<C>;
  /** Null when the case passes, else why not (several lines). Counts go to `counts`. */
  check(c: C, counts: Counts): Promise<string | null>;
  /** The case as a regression file (see test/regressions/README.md). */
  toRegression(c: C): RegressionCase;
  /** The case a regression file describes (the inverse of `toRegression`). */
  fromRegression(r: RegressionCase): C;
}

/** A property of any case type, as the registries hold them. */
// eslint-style note: the case type differs per property; callers only pass a property's own cases back to it.
export type AnyFuzzProperty = FuzzProperty<unknown>;
