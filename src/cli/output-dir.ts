// Writing a tree of files under `--out` and nowhere else. The directory is created level by level
// (Node's own recursive mkdir never returns on some paths, e.g. under /proc), an existing file in the
// way or a directory that cannot be created is an input error naming --out (NP604), and every file's
// path is checked to stay inside the directory before anything is written.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import type { Result } from '../errors.ts';

const problem = (file: string, message: string): Result<never> => ({ ok: false, errors: [{ code: 'NP604', file, position: null, path: '--out', message }] });

/** An operating-system error in words, without the stack or the call that failed. */
const reason = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  return err.code !== undefined ? `${err.code}: ${(err.message ?? '').replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')}` : String(e);
};

/** Makes `dir` (and its missing parents) a directory, one level at a time. */
export function ensureDirectory(dir: string): Result<string> {
  const abs = resolve(dir);
  const missing: string[] = [];
  let at = abs;
  for (;;) {
    let st;
    try {
      st = statSync(at, { throwIfNoEntry: false });
    } catch (e) {
      // A file further up: go on up to it, and say so there.
      if ((e as NodeJS.ErrnoException).code !== 'ENOTDIR') return problem(dir, `cannot use ${at}: ${reason(e)}`);
    }
    if (st !== undefined) {
      if (!st.isDirectory()) return problem(dir, `${at} is ${st.isFile() ? 'a file' : 'not a directory'}; --out names a directory to write into`);
      break;
    }
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(d).isDirectory()) continue;
      return problem(dir, `cannot create directory ${d}: ${reason(e)}`);
    }
  }
  return { ok: true, value: abs };
}

/** Whether the relative `path` names a file strictly inside the directory it is written under. */
export function staysInside(path: string): boolean {
  const n = normalize(path);
  return path !== '' && !isAbsolute(n) && n !== '.' && n !== '..' && !n.startsWith(`..${sep}`);
}

export interface OutputFile { readonly path: string; readonly text: string }

/** Writes `files` under `out`; nothing at all when one of them would land outside it. */
export function writeTree(out: string, files: readonly OutputFile[]): Result<number> {
  const escaping = files.find((f) => !staysInside(f.path));
  if (escaping !== undefined) return problem(out, `refusing to write ${JSON.stringify(escaping.path)}: it would land outside --out`);
  const root = ensureDirectory(out);
  if (!root.ok) return root;
  const made = new Set<string>();
  for (const f of files) {
    const path = join(root.value, f.path);
    const parent = dirname(path);
    if (!made.has(parent)) {
      const d = ensureDirectory(parent);
      if (!d.ok) return d;
      made.add(parent);
    }
    try {
      writeFileSync(path, f.text);
    } catch (e) {
      return problem(out, `cannot write ${path}: ${reason(e)}`);
    }
  }
  return { ok: true, value: files.length };
}
