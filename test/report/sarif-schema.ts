// The official SARIF 2.1.0 schema (test/fixtures/sarif, draft-04) compiled once with Ajv, for the tests
// that hold `--format sarif` to it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { repoRoot } from '../fixtures/samples.ts';

const schema = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8')) as object;
// Both packages are CommonJS with the export as `default` (what the types see from an ES module).
const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
ajvFormats.default(ajv);
const validate = ajv.compile(schema);

/** The schema's complaints about `log` (empty when it is a valid SARIF 2.1.0 log). */
export function sarifErrors(log: unknown): string[] {
  return validate(log) ? [] : (validate.errors ?? []).map((e: { instancePath: string; message?: string; params: unknown }) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
