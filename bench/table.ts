// A plain text table for the benchmark's output: the first column (a name) left-aligned, figures
// right-aligned, one row per size. Hand-formatted: a dependency would not make ten lines shorter.

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[], pad: (s: string, w: number, c: number) => string) =>
    cells.map((s, c) => pad(s, widths[c] ?? 0, c)).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers, (s, w) => s.padEnd(w)), rule, ...rows.map((r) => line(r, (s, w, c) => (c === 0 ? s.padEnd(w) : s.padStart(w))))].join('\n');
}

/** Milliseconds for a table cell: whole numbers from 10 ms on, one decimal below; `—` for none. */
export function ms(x: number | null): string {
  if (x === null || Number.isNaN(x)) return '—';
  return x >= 10 ? x.toFixed(0) : x.toFixed(1);
}
