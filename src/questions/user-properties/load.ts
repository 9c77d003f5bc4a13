// Loading property files: `--properties FILE|DIR` (repeatable; a DIR contributes every *.yaml/*.yml
// in it, sorted by name). YAML is read with positions kept (the topology loader's reader), each item
// is checked against its schema, and every problem becomes a coded error with file, line, column and
// path (NP0xx syntax, NP7xx property shape). Names must be unique across all files. Never throws.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { ErrorCode, InputError, Result } from '../../errors.ts';
import { DEFAULT_INPUT_LIMITS, readTextFile, type InputLimits } from '../../input/text-file.ts';
import { readSource, type Locator } from '../../topology/source.ts';
import { formatPath, type Path, type PathSegment } from '../../topology/path.ts';
import { IsolateItemSchema, ReachItemSchema } from './schema.ts';
import type { PortSpec, UserProperty } from './model.ts';
import { packetSetConflict } from '../packet.ts';

/** The files named by `--properties` values, directories expanded (sorted), in order. */
export function propertyFiles(paths: readonly string[]): Result<string[]> {
  const files: string[] = [];
  const errors: InputError[] = [];
  for (const p of paths) {
    try {
      if (statSync(p).isDirectory()) {
        files.push(...readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(p, f)));
      } else files.push(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      errors.push({ code: 'NP001', file: p, position: null, path: '--properties', message: code === 'ENOENT' ? 'no such file or directory' : e instanceof Error ? e.message : String(e) });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: files };
}

function valueAt(data: unknown, path: Path): { found: boolean; value: unknown } {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, seg)) return { found: false, value: undefined };
    cur = (cur as Record<PathSegment, unknown>)[seg];
  }
  return { found: true, value: cur };
}

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);

function issueErrors(file: string, loc: Locator, data: unknown, base: Path, issues: readonly z.core.$ZodIssue[]): InputError[] {
  const err = (code: ErrorCode, path: Path, message: string, anchor: 'key' | 'value' = 'value'): InputError => ({
    code, file, position: loc.locate(path, anchor), path: formatPath(path), message,
  });
  return issues.flatMap((issue): InputError[] => {
    const path: Path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => err('NP701', [...path, k], `unknown field "${k}"`, 'key'));
    const at = valueAt(data, path);
    if (!at.found) return [err('NP703', path, `missing field "${String(path[path.length - 1])}"`)];
    if (issue.code === 'invalid_type') return [err('NP702', path, `expected ${issue.expected}, got ${describe(at.value)}`)];
    if (issue.code === 'invalid_value') return [err('NP702', path, `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(at.value)}`)];
    if (issue.code === 'invalid_union') return [err('NP702', path, `${JSON.stringify(at.value)} is not valid here`)];
    return [err('NP702', path, issue.message)];
  });
}

function portSpec(v: number | string | undefined): PortSpec | undefined {
  if (v === undefined || typeof v === 'number') return v;
  const [a, b] = v.split('-').map(Number) as [number, number];
  return [a, b];
}

/** Parses one file's text into properties, or its errors. */
export function loadPropertyText(text: string, file: string): Result<UserProperty[]> {
  const src = readSource(text, file);
  if (!src.ok) return { ok: false, errors: src.errors };
  const { data, locator } = src;
  if (data === null || data === undefined) return { ok: true, value: [] };
  if (!Array.isArray(data)) {
    return { ok: false, errors: [{ code: 'NP702', file, position: locator.locate([]), path: '', message: `expected a list of properties, got ${describe(data)}` }] };
  }
  const out: UserProperty[] = [];
  const errors: InputError[] = [];
  data.forEach((item: unknown, index) => {
    const position = locator.locate([index]);
    const isObj = item !== null && typeof item === 'object' && !Array.isArray(item);
    const keys = isObj ? Object.keys(item as object) : [];
    if (!isObj || (!keys.includes('reach') && !keys.includes('isolate'))) {
      errors.push({ code: isObj ? 'NP703' : 'NP702', file, position, path: `[${index}]`, message: isObj ? 'a property needs "reach" or "isolate"' : `expected a property (a map), got ${describe(item)}` });
      return;
    }
    if (keys.includes('reach')) {
      const r = ReachItemSchema.safeParse(item);
      if (!r.success) return void errors.push(...issueErrors(file, locator, data, [index], r.error.issues));
      const { reach, name, expect, bidirectional } = r.data;
      const sport = portSpec(reach.sport);
      const dport = portSpec(reach.dport);
      const conflict = packetSetConflict({ ...(reach.proto !== undefined ? { proto: reach.proto } : {}), ...(sport !== undefined ? { sport } : {}), ...(dport !== undefined ? { dport } : {}) }, (f) => f);
      if (conflict !== null) {
        const path: Path = [index, 'reach', conflict.field];
        return void errors.push({ code: 'NP707', file, position: locator.locate(path), path: formatPath(path), message: conflict.message });
      }
      out.push({
        kind: 'reach', name, file, position, index, from: reach.from, to: reach.to, expect, bidirectional: bidirectional ?? false,
        ...(reach.proto !== undefined ? { proto: reach.proto } : {}),
        ...(sport !== undefined ? { sport } : {}),
        ...(dport !== undefined ? { dport } : {}),
      });
      return;
    }
    const r = IsolateItemSchema.safeParse(item);
    if (!r.success) return void errors.push(...issueErrors(file, locator, data, [index], r.error.issues));
    out.push({ kind: 'isolate', name: r.data.name, file, position, index, from: r.data.isolate.from, to: r.data.isolate.to });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

/** Loads every file of `paths` (files or directories); names must be unique across them. */
export function loadProperties(paths: readonly string[], limits: InputLimits = DEFAULT_INPUT_LIMITS): Result<UserProperty[]> {
  const files = propertyFiles(paths);
  if (!files.ok) return files;
  const all: UserProperty[] = [];
  const errors: InputError[] = [];
  for (const f of files.value) {
    const text = readTextFile(f, limits);
    if (!text.ok) {
      errors.push(...text.errors);
      continue;
    }
    const r = loadPropertyText(text.value, f);
    if (r.ok) all.push(...r.value);
    else errors.push(...r.errors);
  }
  const seen = new Map<string, UserProperty>();
  for (const p of all) {
    const first = seen.get(p.name);
    if (first) errors.push({ code: 'NP705', file: p.file, position: p.position, path: `[${p.index}].name`, message: `"${p.name}" is already the name of a property (${first.file}:${first.position?.line ?? '?'})` });
    else seen.set(p.name, p);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: all };
}
