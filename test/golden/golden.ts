// Golden files: compare output with a checked-in file; `UPDATE_GOLDEN=1` (npm run golden:update)
// rewrites them instead. The files are meant to be read by people, in review.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

export const GOLDEN_DIR = join(import.meta.dirname, 'expected');

export function expectGolden(relPath: string, actual: string): void {
  const file = join(GOLDEN_DIR, relPath);
  const text = actual.endsWith('\n') ? actual : `${actual}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) throw new Error(`missing golden file ${file}: run npm run golden:update and review it`);
  expect(text, `golden file ${relPath} (npm run golden:update regenerates it)`).toBe(readFileSync(file, 'utf8'));
}
