// Reading the reference tables of docs/: the rows of every Markdown table in a file, as cells, and the
// backticked name in a row's first cell. The drift tests compare these with what the code defines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/samples.ts';

export function docText(name: string): string {
  return readFileSync(join(repoRoot, 'docs', name), 'utf8');
}

/** The text of `name` under the `## ` heading that begins with `heading`, up to the next `## `. */
export function sectionText(name: string, heading: string): string {
  const text = docText(name);
  const start = text.indexOf(`\n## ${heading}`);
  if (start === -1) throw new Error(`docs/${name} has no section "## ${heading}"`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end === -1 ? undefined : end);
}

/** Every table row of `name` (or of one section of it), header and separator rows left out, as trimmed cells. */
export function tableRows(name: string, heading?: string): string[][] {
  const rows: string[][] = [];
  let header = true;
  for (const line of (heading === undefined ? docText(name) : sectionText(name, heading)).split('\n')) {
    if (!line.startsWith('|')) {
      header = true;
      continue;
    }
    // `\|` inside a cell is a literal bar.
    const cells = line.slice(1, line.endsWith('|') ? -1 : undefined).split(/(?<!\\)\|/).map((c) => c.trim().replaceAll('\\|', '|'));
    if (header) {
      header = false;
      continue;
    }
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
    rows.push(cells);
  }
  return rows;
}

/** The first backticked text of a cell, or null. */
export function ticked(cell: string | undefined): string | null {
  const m = /`([^`]+)`/.exec(cell ?? '');
  return m ? m[1]! : null;
}

/** The name of each row whose first cell is backticked. */
export function documentedNames(name: string): string[] {
  return tableRows(name).flatMap((r) => {
    const t = ticked(r[0]);
    return t === null ? [] : [t];
  });
}
