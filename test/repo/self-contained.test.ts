// The repository carries everything its tests and code read: no path outside the clone (the real
// captures live in test/fixtures/neutron-samples with their sources), so `git clone` on a fresh machine
// is enough.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/samples.ts';

const ROOTS = ['src', 'rules', 'test', 'bench', 'bin', '.ci', 'package.json', 'vitest.config.ts'];
const SKIP = [join('test', 'fixtures', 'neutron-samples'), join('test', 'golden', 'expected')];
/** Paths that lead out of the clone to a checkout beside it or to one machine's layout. */
const OUTSIDE = /\.\.\/shared\b|\/work\/(shared|main|wt)\b/;

function files(p: string): string[] {
  const abs = join(repoRoot, p);
  if (SKIP.includes(p)) return [];
  if (statSync(abs).isDirectory()) return readdirSync(abs).flatMap((f) => files(join(p, f)));
  return [p];
}

describe('the repository is self-contained', () => {
  const all = ROOTS.flatMap(files);

  it(`no source, test, benchmark or CI file reads outside the clone (${all.length} files)`, () => {
    expect(all.length).toBeGreaterThan(100);
    const offenders = all.filter((f) => f !== relative(repoRoot, import.meta.filename) && OUTSIDE.test(readFileSync(join(repoRoot, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('carries the real captures with their sources', () => {
    const dir = join(repoRoot, 'test', 'fixtures', 'neutron-samples');
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['SOURCES.md', 'FORMATS.md']));
    expect(readdirSync(dir).filter((f) => f.endsWith('.txt')).length).toBeGreaterThan(30);
  });
});
