// Where the real Neutron captures live: $NETPROOF_SAMPLES, else `<repo>/../shared/neutron-samples`
// (CI clones the repo anywhere with shared/ beside it). Reading a sample that is not there throws with
// the path tried, so a missing checkout of shared/ is a clear failure, not a silent pass.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/oracle/samples.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function samplesDir(): string {
  return process.env.NETPROOF_SAMPLES ?? join(repoRoot, '..', 'shared', 'neutron-samples');
}

export function readSample(name: string): string {
  const p = join(samplesDir(), name);
  if (!existsSync(p)) {
    throw new Error(`Neutron sample ${name} not found at ${p} (set NETPROOF_SAMPLES to the neutron-samples directory)`);
  }
  return readFileSync(p, 'utf8');
}
