// Reading an input file (topology, property, waiver file) before any parser sees it: a file that is
// not there or not a file is NP001, one larger than the input limit is NP004 (read no further than the
// limit, whatever the file is — a device, a FIFO, /proc), and bytes that are not UTF-8 text are NP005
// (one error, never the bytes themselves). The limit is 16 MiB unless `--max-input-mb` raises it.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { InputError, Result } from '../errors.ts';

export const DEFAULT_MAX_INPUT_MIB = 16;

export interface InputLimits {
  /** The largest input file read, in bytes. */
  readonly maxBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = { maxBytes: DEFAULT_MAX_INPUT_MIB * 2 ** 20 };

const fail = (code: InputError['code'], file: string, message: string): Result<never> => ({ ok: false, errors: [{ code, file, position: null, path: '', message }] });

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 1)} MiB`;

/** Reads at most `max + 1` bytes of an open file (so "larger than max" is known without reading it all). */
function readBounded(fd: number, max: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, max + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > max) break;
  }
  return Buffer.concat(chunks, total);
}

/** 1-based line of byte `offset` in `bytes`. */
function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}

/** The text of `bytes`, or why they are not UTF-8 text. */
export function decodeText(bytes: Buffer, file: string): Result<string> {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return fail('NP005', file, `binary data (a NUL byte on line ${lineAt(bytes, nul)}), not YAML or JSON text`);
  try {
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    // Find the first byte the decoder rejects, to say where.
    const text = bytes.toString('utf8');
    const bad = text.indexOf('\uFFFD');
    const line = bad === -1 ? 1 : text.slice(0, bad).split('\n').length;
    return fail('NP005', file, `an invalid UTF-8 byte sequence on line ${line}: not YAML or JSON text`);
  }
}

/** The text of the file at `path`, read within `limits`; never throws. */
export function readTextFile(path: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): Result<string> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a directory, not a file' : e instanceof Error ? e.message : String(e);
    return fail('NP001', path, why);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return fail('NP001', path, 'a directory, not a file');
    const limit = `inputs are limited to ${mib(limits.maxBytes)}; --max-input-mb raises the limit`;
    if (st.isFile() && st.size > limits.maxBytes) return fail('NP004', path, `the file is ${mib(st.size)}: ${limit}`);
    const bytes = readBounded(fd, limits.maxBytes);
    if (bytes.length > limits.maxBytes) return fail('NP004', path, `more than ${mib(limits.maxBytes)} could be read: ${limit}`);
    return decodeText(bytes, path);
  } catch (e) {
    return fail('NP001', path, e instanceof Error ? e.message : String(e));
  } finally {
    closeSync(fd);
  }
}
