// The staged pipeline (README.md, How it works) up to the IR: load + validate → render → parse back → assemble.
// Each stage is a pure function; this module only chains them for the CLI and the tests.
import type { Result } from './errors.ts';
import type { InputLimits } from './input/text-file.ts';
import { loadCloud } from './cloud/load.ts';
import { isDirectory, modelOfFile, type Model } from './model.ts';

export { modelFromTopology, type Model } from './model.ts';

/** A topology file, or a cloud directory (docs/cloud-directory.md). */
export function loadModel(file: string, limits?: InputLimits): Result<Model> {
  return isDirectory(file) ? loadCloud(file, limits) : modelOfFile(file, limits);
}
