// Where the real Neutron captures live: $NETPROOF_SAMPLES, else `shared/neutron-samples` beside
// the repository (true both in the working checkout and in CI, where shared/ sits next to the clone).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const SAMPLES_DIR = process.env.NETPROOF_SAMPLES ?? path.resolve(repoRoot, '../shared/neutron-samples');
