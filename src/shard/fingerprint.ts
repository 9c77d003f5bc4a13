// What makes the shards of one sharded `verify` one run: a SHA-256 over the input files' bytes (the
// topology file or every file of a cloud directory, the property, waiver files) and the options that
// change the results, the shard count among them. `netproof merge` joins only shards that carry the
// same fingerprint, so shards of different topologies, options or shard counts are never mixed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `path` (or `path` itself), sorted, as [relative name, bytes]. */
function filesOf(path: string): [string, Buffer][] {
  let st;
  try {
    st = statSync(path);
  } catch {
    return [[path, Buffer.alloc(0)]];
  }
  if (!st.isDirectory()) return [[path, readFileSync(path)]];
  const out: [string, Buffer][] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push([relative(path, p), readFileSync(p)]);
    }
  };
  walk(path);
  return out;
}

export interface FingerprintInput {
  /** The files read, by role (`topology`, `properties`, `waivers`), in the order given. */
  readonly files: readonly (readonly [role: string, path: string])[];
  /** The options that change the results, as plain values. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** `sha256:<hex>` over the files' contents (not their names on the command line) and the options. */
export function fingerprint(input: FingerprintInput): string {
  const h = createHash('sha256');
  h.update('netproof verify shard 1\n');
  for (const [role, path] of input.files) {
    for (const [name, bytes] of filesOf(path)) {
      // A directory's files by their names within it; a single file by its content only.
      h.update(`${role} ${name === path ? '' : name} ${bytes.length}\n`);
      h.update(bytes);
    }
  }
  h.update(JSON.stringify(Object.entries(input.options).sort(([a], [b]) => (a < b ? -1 : 1))));
  return `sha256:${h.digest('hex')}`;
}
