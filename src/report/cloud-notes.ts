// A cloud directory's notes (src/cloud/notes.ts) for people and for JSON: what netproof left out or could
// not read, where it came from, and which verdicts it makes unknown.
import type { CloudNote } from '../cloud/notes.ts';

export function notesJson(notes: readonly CloudNote[]): Record<string, unknown>[] {
  return notes.map((n) => ({ code: n.code, file: n.file, line: n.line, message: n.message, makes_unknown: n.taints }));
}

/** Notes that can change a verdict first, each on its line; purely informational ones counted by code. */
export function notesText(notes: readonly CloudNote[]): string {
  const tainting = notes.filter((n) => n.taints.length > 0);
  const informational = notes.filter((n) => n.taints.length === 0);
  const lines = [`cloud notes: ${notes.length} (${tainting.length} make verdicts unknown)`];
  for (const n of tainting) lines.push(`  ${n.file}:${n.line}: ${n.message} — unknown: ${n.taints.join(', ')}`);
  for (const n of informational.slice(0, 20)) lines.push(`  ${n.file}:${n.line}: ${n.message}`);
  if (informational.length > 20) lines.push(`  … and ${informational.length - 20} more that change no verdict (--format json lists them all)`);
  return lines.join('\n');
}
