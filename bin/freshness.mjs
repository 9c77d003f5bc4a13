// Whether the compiled CLI in dist/ was built from the sources as they are now. The build records a
// fingerprint of every file and directory under the source roots (path, size, modification time);
// the launcher uses dist/ only when the fingerprint still matches, so an edit, a rebase or a deleted
// file never runs stale code. Plain JavaScript: it runs before any TypeScript can be loaded.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The directories the CLI is built from, relative to the repository root. */
export const SOURCE_ROOTS = ['src', 'rules'];
/** Where the build goes and the file that records what it was built from. */
export const DIST = 'dist';
export const BUILD_RECORD = 'build.json';
/** The compiled entry point, relative to the repository root. */
export const ENTRY = join(DIST, 'cli.js');
/** The compiled library (`import … from 'netproof'`), relative to the repository root. */
export const LIBRARY_ENTRY = join(DIST, 'index.js');

/**
 * A fingerprint of the sources under `root`: every file's and directory's relative path, size and
 * modification time, folded into a 32-bit FNV-1a hash (a change anywhere changes it). ~250 stats.
 * @param {string} root
 * @returns {string}
 */
export function sourceFingerprint(root) {
  let h = 0x811c9dc5;
  const add = (s) => {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  const walk = (rel) => {
    const st = statSync(join(root, rel), { throwIfNoEntry: false });
    if (st === undefined) return add(`${rel}:absent;`);
    add(`${rel}:${st.size}:${st.mtimeMs};`);
    if (st.isDirectory()) for (const name of readdirSync(join(root, rel)).sort()) walk(join(rel, name));
  };
  for (const r of SOURCE_ROOTS) walk(r);
  return h.toString(16).padStart(8, '0');
}

/**
 * The compiled entry point under `root` when it was built from the sources as they are; else why not
 * (`missing`: never built; `stale`: the sources changed since).
 * @param {string} root
 * @param {string} [entry] the entry point, relative to `root` (default the CLI's)
 * @returns {{ fresh: true, entry: string } | { fresh: false, reason: 'missing' | 'stale' }}
 */
export function compiledEntry(root, entry = ENTRY) {
  let record;
  try {
    record = JSON.parse(readFileSync(join(root, DIST, BUILD_RECORD), 'utf8'));
  } catch {
    return { fresh: false, reason: 'missing' };
  }
  if (record?.fingerprint !== sourceFingerprint(root)) return { fresh: false, reason: 'stale' };
  return { fresh: true, entry: join(root, entry) };
}
