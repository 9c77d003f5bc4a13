// Where a loaded topology was written: the loader's reader (source.ts) kept beside the Topology it
// produced, so reports can point at the line of a port, a router or a security-group rule (SARIF, the
// HTML report) with the same positions input errors use. Held weakly, keyed by the Topology object; a
// topology that was not loaded from a file (built in code, or from a cloud directory) has none.
import type { Topology } from './model.ts';
import type { Locator } from './source.ts';

export interface TopologySource {
  /** The file as named on the command line. */
  readonly file: string;
  /** The file's text (for the line a report quotes). */
  readonly text: string;
  /** The file's data as parsed (before validation): which objects are written out, and how. */
  readonly data: unknown;
  readonly locator: Locator;
}

const sources = new WeakMap<Topology, TopologySource>();

export function rememberSource(topology: Topology, source: TopologySource): void {
  sources.set(topology, source);
}

/** The source `topology` was loaded from, or null when it was not loaded from a file. */
export function sourceOf(topology: Topology): TopologySource | null {
  return sources.get(topology) ?? null;
}
