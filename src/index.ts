// netproof as a library (docs/library.md): load a topology file, a cloud directory or a topology
// object once, then ask `trace`, `query` and `verify` on it as often as needed; each answer is the
// JSON the command prints with `--format json` (docs/json.md), with the command's exit code.
//
//   import { load } from 'netproof';
//   const loaded = load('topologies/seed.yaml');
//   if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
//   const np = loaded.value;
//   const q = await np.query({ from: 'vm1', to: 'vm4', proto: 'tcp', dport: 22 });
//   await np.close();   // ends Z3's threads, or the process does not exit
import { ResidentModel } from './resident/model.ts';
import type { Result } from './errors.ts';
import type { LoadOptions, Source } from './resident/types.ts';

export type { ResidentModel };
export type * from './resident/types.ts';
export type { Result } from './errors.ts';
export type { Model } from './pipeline.ts';
export { formatInputError } from './errors.ts';

/**
 * Loads a topology file or cloud directory (a path), or a topology object (`{ topology, name? }`),
 * once: read, validated, rendered, parsed back, assembled and converged. The input errors when it cannot be.
 * Z3 is not started: a trace never needs it, and `query`/`verify` start it on first use.
 */
export function load(source: Source, options: LoadOptions = {}): Result<ResidentModel> {
  return ResidentModel.load(source, options);
}
