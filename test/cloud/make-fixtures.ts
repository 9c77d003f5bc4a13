// `npm run fixtures:cloud` (as root): regenerates test/fixtures/cloud/ — for each shipped topology the
// node captures of its honest test cloud (hosts/<host>/, test/cloud/test-cloud.ts), and for the seed one
// capture of the faulted host per fault (faults/<fault>/<host>/, test/cloud/faults.ts). The API views are
// not stored: tests generate them from the topologies (src/cloud/generate/api.ts), deterministically.
// Run it after a change to what netproof renders, and review the diff: the captures are what real Open
// vSwitch, iptables and ipset made of the rendered artifacts.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/samples.ts';
import { shippedTopology } from './cloud-dir.ts';
import { SEED_FAULTS } from './faults.ts';
import { buildTestCloud } from './test-cloud.ts';

export const CLOUD_FIXTURES = join(repoRoot, 'test', 'fixtures', 'cloud');
export const FIXTURE_TOPOLOGIES = ['seed', 'seed-vlan', 'provider', 'ha'] as const;

async function main(): Promise<void> {
  for (const name of FIXTURE_TOPOLOGIES) {
    const dir = join(CLOUD_FIXTURES, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const t0 = Date.now();
    await buildTestCloud(shippedTopology(name), dir, { api: false });
    console.log(`${name}: captured ${shippedTopology(name).hosts.length} hosts in ${Date.now() - t0} ms`);
  }
  const seed = shippedTopology('seed');
  for (const f of SEED_FAULTS) {
    const dir = join(CLOUD_FIXTURES, 'seed', 'faults', f.name);
    await buildTestCloud(seed, dir, { api: false, hosts: [f.host], faults: { [f.host]: f.sh(seed) } });
    console.log(`seed, fault ${f.name}: captured ${f.host}`);
  }
}

if (process.argv[1]?.endsWith('make-fixtures.ts')) await main();
