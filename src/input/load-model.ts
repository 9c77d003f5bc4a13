// The CLI's way in to a model: a topology file, or a cloud directory, whose reader (src/cloud, with its
// API schemas) is imported only when a directory is given — a command on a topology file starts
// without it. The same answer as pipeline.ts's loadModel.
import type { Result } from '../errors.ts';
import type { InputLimits } from './text-file.ts';
import { isDirectory, modelOfFile, type Model } from '../model.ts';

export async function loadModelLazily(file: string, limits?: InputLimits): Promise<Result<Model>> {
  return isDirectory(file) ? (await import('../cloud/load.ts')).loadCloud(file, limits) : modelOfFile(file, limits);
}
