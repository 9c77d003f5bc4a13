// `--jobs auto` (src/parallel/auto-jobs.ts): one worker per core while the memory available holds a
// model per worker and one for the process; fewer, never below one, when it does not, said on stderr;
// the worker's estimated peak follows the input's bytes (topology file, or every file of a cloud
// directory) and stays near the peaks measured by the benches.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { autoJobs, cappedNote, inputSize, workerPeakBytes } from '../../src/parallel/auto-jobs.ts';
import { parseJobs } from '../../src/cli/verify-command.ts';
import { SIZES, generateTopologyText } from '../../bench/generate.ts';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const dir = mkdtempSync(join(tmpdir(), 'netproof-auto-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('how many workers', () => {
  it('one per core when the memory holds them and the process model', () => {
    expect(autoJobs(8, 100 * GiB, 1 * GiB).jobs).toBe(8);
    expect(autoJobs(2, 3 * GiB, 1 * GiB).jobs).toBe(2);
  });

  it('as many as the memory holds beside the process model, at least one', () => {
    expect(autoJobs(64, 10.5 * GiB, 1 * GiB).jobs).toBe(9);
    expect(autoJobs(64, 2.9 * GiB, 1 * GiB).jobs).toBe(1);
    expect(autoJobs(64, 0, 1 * GiB).jobs).toBe(1);
  });

  it('says why when memory sets the number, and nothing when the cores do', () => {
    expect(cappedNote(autoJobs(8, 100 * GiB, 1 * GiB))).toBeNull();
    const note = cappedNote(autoJobs(64, 10.5 * GiB, 1 * GiB));
    expect(note).toBe('netproof: verify --jobs auto: 9 workers, not 64 (one per core): 10.5 GiB of memory available, and each worker and this process\'s own model need about 1.0 GiB for this input');
  });

  it('--jobs auto on the seed: between one and the cores, and a line on stderr exactly when fewer', () => {
    const said: string[] = [];
    const n = parseJobs('auto', 'topologies/seed.yaml', (l) => said.push(l));
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(availableParallelism());
    expect(said.length).toBe(n < availableParallelism() ? 1 : 0);
  });
});

describe("a worker's estimated peak", () => {
  it('is within 15% of the one-thread peaks measured at medium (393 MiB) and large (1,163 MiB)', () => {
    for (const [name, measured] of [['medium', 393], ['large', 1163]] as const) {
      const bytes = Buffer.byteLength(generateTopologyText(SIZES.find((s) => s.name === name)!));
      const est = workerPeakBytes(bytes, 'topology') / MiB;
      expect(Math.abs(est - measured) / measured, `${name}: ${est.toFixed(0)} MiB estimated`).toBeLessThan(0.15);
    }
  });

  it('grows with the input, a cloud directory counted by all its files', () => {
    expect(workerPeakBytes(200_000, 'topology')).toBeGreaterThan(workerPeakBytes(100_000, 'topology'));
    const file = join(dir, 'topology.yaml');
    writeFileSync(file, 'x'.repeat(1234));
    expect(inputSize(file)).toEqual({ bytes: 1234, kind: 'topology' });
    const cloud = join(dir, 'cloud');
    mkdirSync(join(cloud, 'hosts', 'compute1'), { recursive: true });
    writeFileSync(join(cloud, 'api.json'), 'y'.repeat(1000));
    writeFileSync(join(cloud, 'hosts', 'compute1', 'dump-flows.txt'), 'z'.repeat(5000));
    expect(inputSize(cloud)).toEqual({ bytes: 6000, kind: 'cloud' });
  });
});
