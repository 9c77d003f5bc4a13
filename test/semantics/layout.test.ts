// The layout the two engines keep: src/smt mirrors src/evaluate folder for folder, and neither engine
// imports the other; what both must mean the same way is imported from src/semantics.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const folders = (dir: string): string[] => readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory()).sort();

/** The modules a file imports, as paths relative to src/ (only relative imports). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)) out.push(relative(root, join(file, '..', m[1]!)));
  return out;
}

describe('two engines, side by side', () => {
  it('src/smt has the same folders as src/evaluate', () => {
    expect(folders(join(root, 'smt'))).toEqual(folders(join(root, 'evaluate')));
    expect(folders(join(root, 'evaluate'))).toContain('netfilter');
  });

  it('src/smt imports nothing from src/evaluate, and src/evaluate nothing from src/smt', () => {
    const smtToEval = files(join(root, 'smt')).flatMap((f) => imports(f).filter((i) => i.startsWith('evaluate/')).map((i) => `${relative(root, f)} → ${i}`));
    const evalToSmt = files(join(root, 'evaluate')).flatMap((f) => imports(f).filter((i) => i.startsWith('smt/')).map((i) => `${relative(root, f)} → ${i}`));
    expect(smtToEval).toEqual([]);
    expect(evalToSmt).toEqual([]);
  });

  it('src/semantics imports neither engine', () => {
    const bad = files(join(root, 'semantics')).flatMap((f) => imports(f).filter((i) => i.startsWith('smt/') || i.startsWith('evaluate/')));
    expect(bad).toEqual([]);
  });

  it('the import scanner sees imports (it found the engines importing src/semantics)', () => {
    const seen = [...files(join(root, 'smt')), ...files(join(root, 'evaluate'))].flatMap(imports).filter((i) => i.startsWith('semantics/'));
    expect(seen.length).toBeGreaterThan(10);
  });
});
