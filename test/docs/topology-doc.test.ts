// docs/topology.md documents every field of the topology schema and no field the schema lacks: the
// field paths of src/topology/schema.ts (walked through its JSON Schema) against the tables' first
// column. Record keys are `<…>` whatever word the page uses; a group's rules have the same fields
// whether the group is a list (`<group>[]`) or a map (`<group>.rules[]`), and the page documents them once.
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { TopologyFileSchema } from '../../src/topology/schema.ts';
import { ERROR_CODES } from '../../src/errors.ts';
import { documentedNames, tableRows, ticked } from './doc-tables.ts';

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

/** Every field path of a JSON Schema: `a.b`, `a.<>` for a record's entries, `a[]` for a list's items. */
function fieldPaths(s: JsonSchema, at: string, out: Set<string>): void {
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) fieldPaths(branch, at, out);
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    const p = at === '' ? k : `${at}.${k}`;
    out.add(p);
    fieldPaths(v, p, out);
  }
  if (typeof s.additionalProperties === 'object') {
    out.add(`${at}.<>`);
    fieldPaths(s.additionalProperties, `${at}.<>`, out);
  }
  if (s.items !== undefined) {
    out.add(`${at}[]`);
    fieldPaths(s.items, `${at}[]`, out);
  }
}

const normalise = (p: string): string => p.replace(/<[^>]*>/g, '<>');
/** A map-form group's rule fields are documented under the list form. */
const ruleAlias = (p: string): string => p.replace(/^(security_groups\.<>\.<>)\.rules\[\]\./, '$1[].');

describe('docs/topology.md and the topology schema', () => {
  const schema = new Set<string>();
  fieldPaths(z.toJSONSchema(TopologyFileSchema, { unrepresentable: 'any' }) as JsonSchema, '', schema);
  const inSchema = new Set([...schema].map(ruleAlias));
  const documented = documentedNames('topology.md').map(normalise);

  it(`documents every field of the schema (${inSchema.size} paths)`, () => {
    expect(inSchema.size).toBeGreaterThan(60);
    expect([...inSchema].filter((p) => !documented.includes(p))).toEqual([]);
  });

  it('documents no field the schema does not have, and each once', () => {
    expect(documented.filter((p) => !inSchema.has(p))).toEqual([]);
    expect(documented.filter((p, i) => documented.indexOf(p) !== i)).toEqual([]);
  });

  it('names only error codes that exist', () => {
    const codes = tableRows('topology.md').filter((r) => ticked(r[0]) !== null).flatMap((r) => (r[4] ?? '').match(/NP\d{3}/g) ?? []);
    expect(codes.length).toBeGreaterThan(50);
    expect(codes.filter((c) => !(c in ERROR_CODES))).toEqual([]);
  });
});
