// Whether the compiled CLI in dist/ was built from the sources as they are now. The build records a
// fingerprint of every file and directory under the source roots (paths; a file's size and modification time);
// the launcher uses dist/ only when the fingerprint still matches, so an edit, a rebase or a deleted
// file never runs stale code. An installed package (under node_modules/, where nobody edits the sources)
// is not walked: its dist/ is used when the build recorded it.
// The launcher starts the walk's reads (the directories and files the build recorded) on libuv's threads
// and loads the compiled CLI meanwhile (startFreshnessCheck); the fingerprint is then made from what they
// read, so it is the same string the synchronous walk makes. Plain JavaScript (CommonJS: Node starts
// a CommonJS entry without its ES module loader), run before any TypeScript can be loaded.
'use strict';
const { readdir, readdirSync, readFileSync, stat, statSync } = require('node:fs');
const { join, sep } = require('node:path');

/** The directories the CLI is built from, relative to the repository root. */
const SOURCE_ROOTS = ['src', 'rules'];
/** Where the build goes and the file that records what it was built from. */
const DIST = 'dist';
const BUILD_RECORD = 'build.json';
/** The compiled entry point, relative to the repository root. */
const ENTRY = join(DIST, 'cli.js');
/** The compiled library (`import … from 'netproof'`), relative to the repository root. */
const LIBRARY_ENTRY = join(DIST, 'index.js');

/**
 * What the walk reads, each at most once: a directory's entries (null when it cannot be read) and a
 * file's stats (undefined when it is gone). `prefetched` holds reads already made.
 */
function reader(root, prefetched) {
  return {
    entries(rel) {
      const got = prefetched?.dirs.get(rel);
      if (got !== undefined) return got;
      try {
        return readdirSync(`${root}/${rel}`, { withFileTypes: true });
      } catch {
        return null;
      }
    },
    stat(rel) {
      return prefetched?.files.has(rel) ? prefetched.files.get(rel) : statSync(`${root}/${rel}`, { throwIfNoEntry: false });
    },
  };
}

/**
 * A fingerprint of the sources under `root`: every file's relative path, size and modification time and
 * every directory's path, in order, as one string (a change anywhere changes it). Not hashed: comparing
 * the string costs nothing, and hashing it in JavaScript cost more than the ~350 stats at every start.
 * @param {string} root
 * @param {{ dirs: Map<string, import('node:fs').Dirent[] | null>, files: Map<string, import('node:fs').Stats | undefined> }} [prefetched]
 * @returns {string}
 */
function sourceFingerprint(root, prefetched) {
  const read = reader(root, prefetched);
  const parts = [];
  const walk = (rel) => {
    const entries = read.entries(rel);
    if (entries === null) {
      parts.push(`${rel}:absent`);
      return;
    }
    const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of sorted) {
      // Template strings rather than path.join: its normalising is most of a cold start's cost here.
      const path = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        parts.push(`${path}/`);
        walk(path);
      } else {
        const st = read.stat(path);
        parts.push(st === undefined ? `${path}:gone` : `${path}:${st.size}:${st.mtimeMs}`);
      }
    }
  };
  for (const r of SOURCE_ROOTS) walk(r);
  return parts.join(';');
}

/** The directories and files a fingerprint names (what the walk will read if nothing changed). */
function namedIn(fingerprint) {
  const dirs = [...SOURCE_ROOTS];
  const files = [];
  for (const part of fingerprint.split(';')) {
    if (part.endsWith('/')) dirs.push(part.slice(0, -1));
    else {
      // path:size:mtime (a path may hold ':'); absent and gone entries are read again by the walk.
      const end = part.lastIndexOf(':', part.lastIndexOf(':') - 1);
      if (end > 0) files.push(part.slice(0, end));
    }
  }
  return { dirs, files };
}

/** Reads, on libuv's threads, every directory and file `fingerprint` names; resolves when all are read. */
function prefetch(root, fingerprint) {
  const { dirs, files } = namedIn(fingerprint);
  const got = { dirs: new Map(), files: new Map() };
  return new Promise((resolve) => {
    let left = dirs.length + files.length;
    const done = () => {
      if (--left === 0) resolve(got);
    };
    if (left === 0) resolve(got);
    for (const d of dirs) readdir(`${root}/${d}`, { withFileTypes: true }, (err, entries) => (got.dirs.set(d, err ? null : entries), done()));
    for (const f of files) stat(`${root}/${f}`, (err, st) => (got.files.set(f, err ? undefined : st), done()));
  });
}

/** Whether `root` is an installed package (under a node_modules directory) rather than a checkout. */
function installed(root) {
  return `${root}${sep}`.includes(`${sep}node_modules${sep}`);
}

function readRecord(root) {
  try {
    return JSON.parse(readFileSync(join(root, DIST, BUILD_RECORD), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The compiled entry point under `root` when it was built from the sources as they are; else why not
 * (`missing`: never built; `stale`: the sources changed since).
 * @param {string} root
 * @param {string} [entry] the entry point, relative to `root` (default the CLI's)
 * @returns {{ fresh: true, entry: string } | { fresh: false, reason: 'missing' | 'stale' }}
 */
function compiledEntry(root, entry = ENTRY) {
  const record = readRecord(root);
  if (record === null) return { fresh: false, reason: 'missing' };
  if (!installed(root) && record.fingerprint !== sourceFingerprint(root)) return { fresh: false, reason: 'stale' };
  return { fresh: true, entry: join(root, entry) };
}

/**
 * compiledEntry's answer, with the walk's reads started now on libuv's threads: `built` says at once
 * whether there is a build at all, `result` resolves to the answer once they are read (the caller loads
 * the compiled CLI meanwhile).
 * @param {string} root
 * @param {string} [entry]
 * @returns {{ built: boolean, result: Promise<{ fresh: true, entry: string } | { fresh: false, reason: 'missing' | 'stale' }>> }}
 */
function startFreshnessCheck(root, entry = ENTRY) {
  const record = readRecord(root);
  if (record === null) return { built: false, result: Promise.resolve({ fresh: false, reason: 'missing' }) };
  const fresh = { fresh: true, entry: join(root, entry) };
  if (installed(root)) return { built: true, result: Promise.resolve(fresh) };
  const recorded = String(record.fingerprint);
  const result = prefetch(root, recorded).then((got) => (sourceFingerprint(root, got) === recorded ? fresh : { fresh: false, reason: 'stale' }));
  return { built: true, result };
}

exports.SOURCE_ROOTS = SOURCE_ROOTS;
exports.DIST = DIST;
exports.BUILD_RECORD = BUILD_RECORD;
exports.ENTRY = ENTRY;
exports.LIBRARY_ENTRY = LIBRARY_ENTRY;
exports.sourceFingerprint = sourceFingerprint;
exports.compiledEntry = compiledEntry;
exports.startFreshnessCheck = startFreshnessCheck;
exports.installed = installed;
