// Helpers for the port-forwarding refusal tests: a topology text edited or added to, and what loading
// it refuses, as [code, path, line] triples, each error required to name the file it was loaded as.
import { expect } from 'vitest';
import { loadTopologyText } from '../../src/topology/index.ts';

export function refusalsOf(text: string, file: string) {
  return {
    /** Errors as [code, path, line] triples, or [] when the text loads. */
    errs(edited: string): [string, string, number | null][] {
      const r = loadTopologyText(edited, file);
      if (r.ok) return [];
      for (const e of r.errors) expect(e.file).toBe(file);
      return r.errors.map((e) => [e.code, e.path, e.position?.line ?? null]);
    },
    /** The text with `from` replaced by `to` (which must change it). */
    edit(from: string, to: string): string {
      const t = text.replace(from, to);
      expect(t).not.toBe(text);
      return t;
    },
    /** The text with `line` added at its end. */
    add: (line: string): string => `${text.trimEnd()}\n${line}\n`,
  };
}
