// Regression files (test/regressions/*.yaml): a generated topology that once made a property fail,
// with the property's name and what else the case needs in `# key: value` lines above it. The lines
// are YAML comments, so the file is also a topology netproof loads as it is (`netproof verify FILE`).
import type { RegressionCase } from './property.ts';

export interface RegressionFile extends RegressionCase {
  readonly property: string;
  /** Free text: what was found, what was fixed (the `# found:` and `# fixed:` lines). */
  readonly notes: readonly string[];
}

const ARG = /^# ([a-z][a-z-]*): (.*)$/;

export function formatRegression(property: string, r: RegressionCase, notes: readonly string[] = []): string {
  const lines = [`# property: ${property}`, ...Object.entries(r.args).map(([k, v]) => `# ${k}: ${v}`), ...notes.map((n) => `# ${n}`)];
  return `${lines.join('\n')}\n${r.topology}`;
}

export function parseRegression(text: string, file: string): RegressionFile {
  const args: Record<string, string> = {};
  const notes: string[] = [];
  let property: string | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const m = ARG.exec(line);
    if (m && m[1] === 'property') property = m[2]!.trim();
    else if (m && !['found', 'fixed', 'seed', 'path'].includes(m[1]!)) args[m[1]!] = m[2]!.trim();
    else notes.push(line.replace(/^# ?/, ''));
  }
  if (property === null) throw new Error(`${file}: no "# property: NAME" line at the top`);
  return { property, args, notes, topology: text };
}
