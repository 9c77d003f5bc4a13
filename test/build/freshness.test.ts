// The launcher runs dist/ only while it was built from the sources as they are (bin/freshness.cjs):
// an edit, a new file or a deleted one makes it stale, and a stale or missing build is never used; the
// launcher's check (its reads started ahead on libuv's threads) answers as the walk does. An installed
// package is not walked.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_RECORD, DIST, ENTRY, compiledEntry, installed, sourceFingerprint, startFreshnessCheck } from '../../bin/freshness.cjs';

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
    it(`is stale after ${what}, by the walk and by the launcher's check (the recorded paths read on libuv's threads)`, async () => {
      build();
      change();
      expect(compiledEntry(root)).toEqual({ fresh: false, reason: 'stale' });
      const check = startFreshnessCheck(root);
      expect(check.built).toBe(true);
      expect(await check.result).toEqual({ fresh: false, reason: 'stale' });
    });
  }

  it("makes by the launcher's check the very fingerprint the walk makes, and finds it fresh", async () => {
    mkdirSync(join(root, 'src', 'deep', 'er'), { recursive: true });
    writeFileSync(join(root, 'src', 'deep', 'er', 'x:y.ts'), '\n'); // a ':' in a name, as a fingerprint part holds it
    build();
    expect(await startFreshnessCheck(root).result).toEqual({ fresh: true, entry: join(root, ENTRY) });
    // A directory added after the build, with a file in it: read by the walk itself, not prefetched.
    mkdirSync(join(root, 'rules', 'more'));
    writeFileSync(join(root, 'rules', 'more', 'm.ts'), '\n');
    expect(await startFreshnessCheck(root).result).toEqual({ fresh: false, reason: 'stale' });
    rmSync(join(root, 'rules', 'more'), { recursive: true });
    rmSync(join(root, 'src', 'deep'), { recursive: true });
  });

  it("says at once that there is no build, by the launcher's check", async () => {
    rmSync(join(root, DIST), { recursive: true });
    const check = startFreshnessCheck(root);
    expect(check.built).toBe(false);
    expect(await check.result).toEqual({ fresh: false, reason: 'missing' });
  });
});

describe('an installed package (under node_modules/) is not walked', () => {
  const pkg = join(root, 'node_modules', 'netproof');
  mkdirSync(join(pkg, 'src'), { recursive: true });
  writeFileSync(join(pkg, 'src', 'a.ts'), 'export const a = 1;\n');

  it('is told apart from a checkout', () => {
    expect(installed(pkg)).toBe(true);
    expect(installed(root)).toBe(false);
    expect(installed(join(root, 'node_modules_x'))).toBe(false);
  });

  it('uses dist/ when it was built, whatever the sources say, and falls back when it was not', async () => {
    expect(compiledEntry(pkg)).toEqual({ fresh: false, reason: 'missing' });
    mkdirSync(join(pkg, DIST), { recursive: true });
    writeFileSync(join(pkg, DIST, BUILD_RECORD), JSON.stringify({ fingerprint: 'not these sources' }));
    expect(compiledEntry(pkg)).toEqual({ fresh: true, entry: join(pkg, ENTRY) });
    expect(await startFreshnessCheck(pkg).result).toEqual({ fresh: true, entry: join(pkg, ENTRY) });
  });
});
