// The topology file `netproof import` writes for a cloud directory: exactly the data the directory's
// intent is loaded from (api/to-topology.ts through api/load.ts, with the release and options the node
// captures give), so the file's verdicts are the intent's.
import type { Result } from '../errors.ts';
import type { TopologyFile } from '../topology/schema.ts';
import { loadCloud } from './load.ts';
import type { InputLimits } from '../input/text-file.ts';
import type { CloudNote } from './notes.ts';

export interface Imported {
  readonly file: TopologyFile;
  readonly notes: readonly CloudNote[];
}

export function importCloud(dir: string, limits?: InputLimits): Result<Imported> {
  const cloud = loadCloud(dir, limits);
  if (!cloud.ok) return cloud;
  return { ok: true, value: { file: cloud.value.api.file, notes: cloud.value.notes } };
}
