// Whether the compiled CLI in dist/ was built from the sources as they are now. The build records a
// fingerprint of every file and directory under the source roots (paths; a file's size and modification time);
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
 * A fingerprint of the sources under `root`: every file's relative path, size and modification time and
 * every directory's path, in order, as one string (a change anywhere changes it). Not hashed: comparing
 * the string costs nothing, and hashing it in JavaScript cost more than the ~350 stats at every start.
 * @param {string} root
 * @returns {string}
 */
export function sourceFingerprint(root) {
  const parts = [];
  const walk = (rel) => {
    let entries;
    try {
      entries = readdirSync(`${root}/${rel}`, { withFileTypes: true });
    } catch {
      parts.push(`${rel}:absent`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      // Template strings rather than path.join: its normalising is most of a cold start's cost here.
      const path = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        parts.push(`${path}/`);
        walk(path);
      } else {
        const st = statSync(`${root}/${path}`, { throwIfNoEntry: false });
        parts.push(st === undefined ? `${path}:gone` : `${path}:${st.size}:${st.mtimeMs}`);
      }
    }
  };
  for (const r of SOURCE_ROOTS) walk(r);
  return parts.join(';');
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
