// An answer's assumptions (src/questions/assumptions.ts) as the text and JSON outputs show them: a list
// under `assumes:` after the answer, and `assumptions` ({ id, text }) in the JSON (docs/json.md).
import type { Assumption } from '../questions/assumptions.ts';

export function assumptionLines(list: readonly Assumption[]): string[] {
  return list.length === 0 ? [] : ['', 'assumes:', ...list.map((a) => `  - ${a.text}`)];
}

export function assumptionsJson(list: readonly Assumption[]): { id: string; text: string }[] {
  return list.map((a) => ({ id: a.id, text: a.text }));
}
