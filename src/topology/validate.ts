// Applies the file schema and turns zod issues into coded errors: unknown field → NP101 (at the key),
// absent required field → NP103 (at the enclosing object), anything else → NP102 (at the value).
import type { z } from 'zod';
import type { Diagnostics } from './diagnostics.ts';
import type { Path, PathSegment } from './path.ts';
import { TopologyFileSchema, type TopologyFile } from './schema.ts';
import { SAFE_NAME, SAFE_NAME_RULE } from './names.ts';

type Issue = z.core.$ZodIssue;

function valueAt(data: unknown, path: Path): { found: boolean; value: unknown } {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, seg)) {
      return { found: false, value: undefined };
    }
    cur = (cur as Record<PathSegment, unknown>)[seg];
  }
  return { found: true, value: cur };
}

/** Whether a zod issue is a name outside the safe character set (names.ts). */
const unsafeName = (i: Issue): boolean => i.code === 'invalid_format' && i.format === 'regex' && i.pattern === String(SAFE_NAME);

/** A name quoted for a message, cut to a line's worth. */
const quoteName = (v: unknown): string => JSON.stringify(String(v).length > 80 ? `${String(v).slice(0, 80)}…` : String(v));

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);

function report(issue: Issue, base: Path, data: unknown, diag: Diagnostics): void {
  const path: Path = [...base, ...(issue.path as PathSegment[])];
  if (unsafeName(issue)) {
    diag.add('NP104', path, `${quoteName(valueAt(data, path).value)} is not a safe name (${SAFE_NAME_RULE})`);
    return;
  }
  switch (issue.code) {
    case 'invalid_key':
      if (issue.issues.some(unsafeName)) diag.add('NP104', path, `${quoteName(path[path.length - 1])} is not a safe name (${SAFE_NAME_RULE})`, 'key');
      else diag.add('NP102', path, issue.message, 'key');
      return;
    case 'unrecognized_keys':
      for (const k of issue.keys) diag.add('NP101', [...path, k], `unknown field "${k}"`, 'key');
      return;
    case 'invalid_type': {
      const at = valueAt(data, path);
      if (!at.found) diag.add('NP103', path, `missing field "${String(path[path.length - 1])}" (${issue.expected})`);
      else diag.add('NP102', path, `expected ${issue.expected}, got ${describe(at.value)}`);
      return;
    }
    case 'invalid_union': {
      // An absent field whose type is a union (a host's role) is missing, not of the wrong type.
      if (!valueAt(data, path).found) {
        diag.add('NP103', path, `missing field "${String(path[path.length - 1])}"`);
        return;
      }
      // A branch that failed below its root (not on the value's own type) is the one the user meant:
      // report its issues rather than a vague "no alternative matched".
      const named = issue.errors.find((branch) => branch.length === 1 && unsafeName(branch[0]!));
      if (named) return report(named[0]!, path, data, diag);
      const deep = issue.errors.find((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0 || i.code === 'unrecognized_keys'));
      if (deep) {
        for (const i of deep) report(i, path, data, diag);
        return;
      }
      const expected = issue.errors
        .flatMap((b) => b.filter((i) => i.path.length === 0).map(expectation))
        .join(' or ');
      diag.add('NP102', path, `expected ${expected || 'another value'}, got ${describe(valueAt(data, path).value)}`);
      return;
    }
    case 'invalid_value':
      // An absent field whose type is an enum (a network's type) is missing, not of the wrong value.
      if (!valueAt(data, path).found) {
        diag.add('NP103', path, `missing field "${String(path[path.length - 1])}" (one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')})`);
        return;
      }
      diag.add('NP102', path, `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(valueAt(data, path).value)}`);
      return;
    case 'custom':
      // A schema refinement may name its code (a field missing unless another one is written: NP103).
      diag.add(issue.params?.['code'] === 'NP103' ? 'NP103' : 'NP102', path, issue.message);
      return;
    default:
      diag.add('NP102', path, issue.message);
  }
}

/** What a failed union branch wanted, in a user's words. */
function expectation(i: Issue): string {
  if (i.code === 'invalid_type') return i.expected;
  if (i.code === 'invalid_value') return `one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return i.message;
}

/** The typed file, or null after recording every schema problem in `diag`. */
export function validateShape(data: unknown, diag: Diagnostics): TopologyFile | null {
  if (data === null || data === undefined) {
    diag.add('NP103', [], 'the topology file is empty');
    return null;
  }
  const r = TopologyFileSchema.safeParse(data);
  if (r.success) return r.data;
  for (const issue of r.error.issues) report(issue, [], data, diag);
  return null;
}
