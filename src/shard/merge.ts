// `netproof merge`: the shards of one `verify --shard K/N --format json` run joined into the JSON the
// whole run prints. Every result goes back to its place in the whole run's order (`shard.positions`),
// the summaries are added up, each waiver's status is the one the whole run gives it, and the `shard`
// block is dropped. The shards must be exactly the N of one run: the same fingerprint (inputs and
// options) and count, each index once, positions disjoint, and every result of the run accounted for.
import type { InputError, Result } from '../errors.ts';

/** One shard's JSON as read, and the file it came from. */
export interface ShardFile {
  readonly file: string;
  readonly json: unknown;
}

interface ShardBlock {
  readonly index: number;
  readonly count: number;
  readonly fingerprint: string;
  readonly run_results: number;
  readonly positions: readonly number[];
}

type Json = Record<string, unknown>;

interface Shard {
  readonly file: string;
  readonly body: Json;
  readonly block: ShardBlock;
  readonly results: readonly Json[];
}

const unusable = (file: string, path: string, message: string): InputError => ({ code: 'NP607', file, position: null, path, message });
const mismatch = (file: string, path: string, message: string): InputError => ({ code: 'NP608', file, position: null, path, message });

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

/** The shard's JSON checked for what merging needs. */
function readShard(f: ShardFile): Result<Shard> {
  const fail = (path: string, message: string): Result<Shard> => ({ ok: false, errors: [unusable(f.file, path, message)] });
  if (!isObject(f.json)) return fail('', 'not a JSON object: give the output of verify --shard K/N --format json');
  const b = f.json.shard;
  if (!isObject(b)) return fail('shard', 'no shard block: give the output of verify --shard K/N --format json (an unsharded run needs no merge)');
  const results = f.json.results;
  if (!Array.isArray(results) || !results.every(isObject)) return fail('results', 'no results list of objects');
  if (!isObject(f.json.summary) || !Object.values(f.json.summary).every(isCount)) return fail('summary', 'no summary of counts');
  if (!isCount(b.count) || b.count < 1) return fail('shard.count', 'not a shard count');
  if (!isCount(b.index) || b.index < 1 || b.index > b.count) return fail('shard.index', `not a shard index from 1 to ${String(b.count)}`);
  if (typeof b.fingerprint !== 'string') return fail('shard.fingerprint', 'missing or not a string');
  if (!isCount(b.run_results)) return fail('shard.run_results', 'not a count of results');
  const runResults = b.run_results;
  if (!Array.isArray(b.positions) || b.positions.length !== results.length) return fail('shard.positions', 'not a list of one position per result');
  const bad = b.positions.findIndex((p) => !isCount(p) || p >= runResults);
  if (bad >= 0) return fail(`shard.positions[${bad}]`, `not a position from 0 to ${runResults - 1}`);
  for (let i = 1; i < b.positions.length; i++) {
    if ((b.positions[i] as number) <= (b.positions[i - 1] as number)) return fail(`shard.positions[${i}]`, 'positions out of order');
  }
  return { ok: true, value: { file: f.file, body: f.json, block: b as unknown as ShardBlock, results: results as Json[] } };
}

/** A waiver's status in the whole run from its statuses in the shards (waivers.ts's rules over all results). */
function waiverStatus(statuses: readonly string[]): string {
  for (const s of ['expired', 'applied', 'unneeded']) if (statuses.includes(s)) return s;
  return 'unmatched';
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A part of a run: its results, each with its position in the whole run's order (ascending). */
export interface Part<T> {
  readonly positions: readonly number[];
  readonly results: readonly T[];
}

/**
 * The parts' results by their positions in the whole run (`merge` and `verify --jobs` join parts so), or
 * the first position two parts both hold: part `part`'s result `index`, at `at`.
 */
export function placeParts<T>(parts: readonly Part<T>[]): { ok: true; placed: Map<number, T> } | { ok: false; part: number; index: number; at: number } {
  const placed = new Map<number, T>();
  for (const [part, p] of parts.entries()) {
    for (const [index, r] of p.results.entries()) {
      const at = p.positions[index]!;
      if (placed.has(at)) return { ok: false, part, index, at };
      placed.set(at, r);
    }
  }
  return { ok: true, placed };
}

/** The whole run's JSON, or why these files are not the shards of one run. */
export function mergeShards(files: readonly ShardFile[]): Result<Json> {
  const shards: Shard[] = [];
  const errors: InputError[] = [];
  for (const f of files) {
    const s = readShard(f);
    if (s.ok) shards.push(s.value);
    else errors.push(...s.errors);
  }
  if (errors.length > 0) return { ok: false, errors };
  const first = shards[0];
  if (first === undefined) return { ok: false, errors: [mismatch('', '', 'no shard given')] };
  const { count, fingerprint, run_results: total } = first.block;
  for (const s of shards.slice(1)) {
    if (s.block.fingerprint !== fingerprint) errors.push(mismatch(s.file, 'shard.fingerprint', `${s.block.fingerprint} is not ${first.file}'s ${fingerprint}: the shards were run on different topology, property or waiver files, or with other options`));
    else if (s.block.count !== count || s.block.run_results !== total) errors.push(mismatch(s.file, 'shard.count', `shard of ${s.block.count} with ${s.block.run_results} results in the run, but ${first.file} is a shard of ${count} with ${total}`));
    else for (const k of ['assumptions', 'notes'] as const) if (!same(s.body[k], first.body[k])) errors.push(mismatch(s.file, k, `differs from ${first.file}'s`));
  }
  const byIndex = new Map<number, Shard>();
  for (const s of shards) {
    const twice = byIndex.get(s.block.index);
    if (twice) errors.push(mismatch(s.file, 'shard.index', `shard ${s.block.index}/${count} is given twice (also ${twice.file})`));
    byIndex.set(s.block.index, s);
  }
  if (errors.length > 0) return { ok: false, errors };
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) return { ok: false, errors: [mismatch('', 'shard.index', `shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: give every shard of the run`)] };
  const joined = placeParts(shards.map((s) => ({ positions: s.block.positions, results: s.results })));
  if (!joined.ok) return { ok: false, errors: [mismatch(shards[joined.part]!.file, `shard.positions[${joined.index}]`, `result ${joined.at} of the run is in two shards`)] };
  const placed = joined.placed;
  const summary: Record<string, number> = {};
  for (const s of shards) for (const [k, v] of Object.entries(s.body.summary as Record<string, number>)) summary[k] = (summary[k] ?? 0) + v;
  const counted = Object.values(summary).reduce((a, b) => a + b, 0);
  if (counted !== total) return { ok: false, errors: [mismatch('', 'summary', `the shards count ${counted} results, but the run has ${total}`)] };
  const merged: Json = { ...first.body, results: [...placed.entries()].sort(([a], [b]) => a - b).map(([, r]) => r), summary };
  if (Array.isArray(first.body.waivers)) {
    const lists = shards.map((s) => (Array.isArray(s.body.waivers) ? (s.body.waivers as Json[]) : []));
    merged.waivers = (first.body.waivers as Json[]).map((w, i) => ({ ...w, status: waiverStatus(lists.map((l) => String(l[i]?.status ?? 'unmatched'))) }));
  }
  delete merged.shard;
  return { ok: true, value: merged };
}

/** `verify`'s exit code for the merged run: 1 any violated, else 3 any unknown or unwaived internal error, else 0. */
export function mergedExitCode(merged: Json): 0 | 1 | 3 {
  const summary = merged.summary as Record<string, number>;
  if ((summary.violated ?? 0) > 0) return 1;
  const results = merged.results as Json[];
  if ((summary.unknown ?? 0) > 0 || results.some((r) => r.error !== undefined && r.verdict !== 'waived')) return 3;
  return 0;
}
