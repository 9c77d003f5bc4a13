// `netproof merge SHARD.json… [--out FILE]`: the shards of one `verify --shard K/N --format json` run
// joined into the JSON the unsharded run prints (src/shard/merge.ts), on stdout or into FILE. Exit
// code as `verify`'s on the merged results; 2 when the files are not every shard of one run.
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readTextFile } from '../input/text-file.ts';
import { mergeShards, mergedExitCode, type ShardFile } from '../shard/merge.ts';
import type { InputError } from '../errors.ts';
import { reportInputErrors, type Io } from './exit.ts';
import { parseInputLimit, UsageError } from './options.ts';

function writable(file: string): boolean {
  try {
    if (existsSync(file)) return !statSync(file).isDirectory() && (accessSync(file, constants.W_OK), true);
    accessSync(dirname(file), constants.W_OK);
    return statSync(dirname(file)).isDirectory();
  } catch {
    return false;
  }
}

export function runMergeCommand(io: Io, files: readonly string[], o: { out?: string; maxInputMb?: string }): number {
  const limits = parseInputLimit(o.maxInputMb);
  if (o.out === '') throw new UsageError('--out must name a file, not ""');
  // A file that cannot be written is said before any shard is read.
  if (o.out !== undefined && !writable(o.out)) throw new UsageError(`--out: cannot write ${o.out} (a directory, or a directory that does not exist or is not writable)`);
  const read: ShardFile[] = [];
  const errors: InputError[] = [];
  for (const file of files) {
    const text = readTextFile(file, limits);
    if (!text.ok) {
      errors.push(...text.errors);
      continue;
    }
    try {
      read.push({ file, json: JSON.parse(text.value) });
    } catch (e) {
      errors.push({ code: 'NP607', file, position: null, path: '', message: `not JSON (${(e as Error).message}): give the output of verify --shard K/N --format json` });
    }
  }
  if (errors.length > 0) return reportInputErrors(io, errors);
  const merged = mergeShards(read);
  if (!merged.ok) return reportInputErrors(io, merged.errors);
  const text = JSON.stringify(merged.value, null, 2);
  if (o.out === undefined) io.out(text);
  else writeFileSync(o.out, `${text}\n`);
  return mergedExitCode(merged.value);
}
