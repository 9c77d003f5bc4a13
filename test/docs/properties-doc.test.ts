// docs/properties.md against the property schemas (every field, and none other), the endpoint
// resolver (every example endpoint it gives resolves on the seed topology) and the built-in list
// (every built-in, the L3 HA invariants included, in its table, none other; every one named where docs/cli.md describes verify).
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { IsolateItemSchema, ReachItemSchema } from '../../src/questions/user-properties/schema.ts';
import { resolveSet } from '../../src/questions/user-properties/endpoints.ts';
import { loadModel } from '../../src/pipeline.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import { HA_INVARIANT_IDS } from '../../src/questions/verify-scenario.ts';
import { sectionText, tableRows, ticked } from './doc-tables.ts';

type JsonSchema = { properties?: Record<string, JsonSchema> };

function fields(s: JsonSchema, at: string): string[] {
  return Object.entries(s.properties ?? {}).flatMap(([k, v]) => {
    const p = at === '' ? k : `${at}.${k}`;
    return [p, ...fields(v, p)];
  });
}

describe('docs/properties.md', () => {
  it('documents exactly the fields of the property schemas', () => {
    const schema = new Set([ReachItemSchema, IsolateItemSchema].flatMap((s) => fields(z.toJSONSchema(s) as JsonSchema, '')));
    const documented = tableRows('properties.md', 'Fields').map((r) => ticked(r[0])!);
    expect(new Set(documented)).toEqual(schema);
  });

  it('tells of exactly the built-in properties, and docs/cli.md names each where it describes verify', () => {
    // The L3 HA invariants are built-ins too (checked after the others, under every choice of masters).
    const ids = [...BUILTIN_PROPERTIES.map((p) => p.id), ...HA_INVARIANT_IDS];
    const documented = tableRows('properties.md', 'What the built-ins check').map((r) => ticked(r[0])!);
    expect(new Set(documented)).toEqual(new Set(ids));
    const verify = sectionText('cli.md', '`netproof verify`');
    for (const id of ids) expect([id, verify.includes(`\`${id}\``)]).toEqual([id, true]);
  });

  it('gives endpoint examples that resolve on the seed topology', () => {
    const model = loadModel('topologies/seed.yaml');
    if (!model.ok) throw new Error('seed.yaml does not load');
    const examples = tableRows('properties.md', 'Endpoints').map((r) => ticked(r[1])!);
    expect(examples.length).toBeGreaterThanOrEqual(9);
    for (const e of examples) {
      const r = resolveSet(model.value.topology, model.value.dataplane, e, 'to');
      expect(r.ok, `${e}: ${r.ok ? '' : r.message}`).toBe(true);
    }
  });
});
