// docs/errors.md and docs/exit-codes.md against the catalogues in code: every error code with its
// title (and none the code lacks), every exit code (and none other).
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.ts';
import { EXIT } from '../../src/cli/exit.ts';
import { tableRows, ticked } from './doc-tables.ts';

describe('docs/errors.md and ERROR_CODES', () => {
  const rows = tableRows('errors.md').filter((r) => /^NP\d{3}$/.test(ticked(r[0]) ?? ''));

  it(`lists every code with its title (${Object.keys(ERROR_CODES).length} codes)`, () => {
    const documented = Object.fromEntries(rows.map((r) => [ticked(r[0])!, r[1]]));
    expect(documented).toEqual({ ...ERROR_CODES });
  });

  it('says when each occurs and what to do', () => {
    for (const r of rows) {
      expect(r[2]!.length, ticked(r[0])!).toBeGreaterThan(10);
      expect(r[3]!.length, ticked(r[0])!).toBeGreaterThan(5);
    }
  });
});

describe('docs/exit-codes.md and EXIT', () => {
  it('lists exactly the exit codes, by name', () => {
    const rows = tableRows('exit-codes.md').filter((r) => /^\d+$/.test(ticked(r[0]) ?? ''));
    const documented = Object.fromEntries(rows.map((r) => [r[1]!, Number(ticked(r[0]))]));
    expect(documented).toEqual({ ok: EXIT.ok, violated: EXIT.violated, 'bad input': EXIT.badInput, unknown: EXIT.unknown });
    expect(Object.keys(EXIT).length).toBe(rows.length);
  });
});
