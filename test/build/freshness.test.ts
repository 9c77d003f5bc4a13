// The launcher runs dist/ only while it was built from the sources as they are (bin/freshness.mjs):
// an edit, a new file or a deleted one makes it stale, and a stale or missing build is never used.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_RECORD, DIST, ENTRY, compiledEntry, sourceFingerprint } from '../../bin/freshness.mjs';

const root = mkdtempSync(join(tmpdir(), 'netproof-freshness-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function build(): void {
  mkdirSync(join(root, DIST), { recursive: true });
  writeFileSync(join(root, DIST, BUILD_RECORD), JSON.stringify({ fingerprint: sourceFingerprint(root) }));
}

describe('the compiled CLI is used only when fresh', () => {
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  mkdirSync(join(root, 'rules'), { recursive: true });
  writeFileSync(join(root, 'src', 'cli', 'main.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'rules', 'r.ts'), 'export const r = 1;\n');

  it('is missing before any build', () => {
    expect(compiledEntry(root)).toEqual({ fresh: false, reason: 'missing' });
  });

  it('is fresh right after a build, at dist/cli.js', () => {
    build();
    expect(compiledEntry(root)).toEqual({ fresh: true, entry: join(root, ENTRY) });
  });

  const changes: readonly (readonly [string, () => void])[] = [
    ['a source edited', () => writeFileSync(join(root, 'src', 'cli', 'main.ts'), 'export const a = 2;\n')],
    ['only its modification time changed (a checkout)', () => utimesSync(join(root, 'rules', 'r.ts'), new Date(), new Date(Date.now() + 5000))],
    ['a source added', () => writeFileSync(join(root, 'src', 'new.ts'), '\n')],
    ['a source deleted', () => rmSync(join(root, 'src', 'new.ts'))],
  ];
  for (const [what, change] of changes) {
    it(`is stale after ${what}`, () => {
      build();
      change();
      expect(compiledEntry(root)).toEqual({ fresh: false, reason: 'stale' });
    });
  }
});
