// `verify --jobs N`: the run spread over N worker threads gives what the run on one thread gives —
// the JSON byte for byte (witnesses and traces included), the text too (every format is printed from
// the joined results by the same code), the exit code — with N = 3 on the seed with its user
// properties, N = 2 on a topology with violations and on HA routers under `--failures 1` (the run with
// nothing failed among its scenarios), and N = 3 on generated topologies (fast-check, fixed seeds),
// whose unknowns name an unfinished path (the first satisfiable in walk order, whatever questions a
// worker's solver was asked before: src/smt/first-sat.ts) and whose violations have witnesses; the split
// keeps a project's subjects together and covers every result once; a worker that throws or ends
// without its part fails the run plainly, and every worker has ended when the run returns; bad
// --jobs values and --jobs with --shard are usage errors. The runs go through bin/netproof.cjs as users
// run it; one runs the CLI in this process, its workers on the TypeScript sources.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../cli/run.ts';
import { arbitraryTopology } from '../../src/testing/index.ts';
import { loadModel } from '../../src/pipeline.ts';
import { projectSplit } from '../../src/parallel/split.ts';
import { startParts } from '../../src/parallel/pool.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';

const dir = mkdtempSync(join(tmpdir(), `netproof-jobs-${process.pid}-`));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownZ3();
});

/** `netproof ARGS` as a process of its own (bin/netproof.cjs: the built workers, dist/verify-worker.cjs, when dist/ is fresh). */
function netproof(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/netproof.cjs', ...args], { maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

const oneJob = new Map<string, Promise<CliRun>>();

/** The run's output in `format` with `--jobs n`, as users run it; a one-job run made once per arguments. */
function verify(n: number, format: string, args: readonly string[]): Promise<CliRun> {
  const run = () => netproof('verify', ...args, '--format', format, '--jobs', String(n));
  if (n !== 1) return run();
  const key = JSON.stringify([format, args]);
  if (!oneJob.has(key)) oneJob.set(key, run());
  return oneJob.get(key)!;
}

/** Runs `args` with 1 job, then with each of `ns` jobs: the JSON, the exit code and every other format asked, byte for byte. */
async function same(args: readonly string[], o: { formats?: readonly string[]; ns?: readonly number[] } = {}): Promise<Record<string, unknown>> {
  const one = await verify(1, 'json', args);
  expect(one.stderr).toBe('');
  expect([0, 1, 3]).toContain(one.code);
  const json = JSON.parse(one.stdout) as Record<string, unknown>;
  for (const n of o.ns ?? [2, 3]) {
    const r = await verify(n, 'json', args);
    expect(r.stderr, `--jobs ${n}`).toBe('');
    expect(r.code, `--jobs ${n}`).toBe(one.code);
    expect(r.stdout, `--jobs ${n}`).toBe(one.stdout);
  }
  for (const format of o.formats ?? []) {
    const base = await verify(1, format, args);
    const r = await verify(2, format, args);
    expect(r.code, `--jobs 2 --format ${format}`).toBe(base.code);
    expect(r.stdout, `--jobs 2 --format ${format}`).toBe(base.stdout);
  }
  return json;
}

type Summary = Record<string, number>;

describe('verify --jobs N prints what --jobs 1 prints', () => {
  it('the seed with its user properties', async () => {
    await same(['topologies/seed.yaml', '--properties', 'properties/seed.yaml'], { ns: [3] });
  }, 240_000);

  // Every format is printed from the joined results by the single-thread code: text, with its traces, stands for them.
  it('violations with witnesses and traces (two projects; json and text)', async () => {
    const v = await same(['test/properties/topologies/two-projects.yaml'], { ns: [2], formats: ['text'] });
    expect((v.summary as Summary).violated).toBeGreaterThan(0);
  }, 240_000);

  // The scenario with nothing failed is the plain run's: HA routers under every choice of masters.
  it('every scenario of --failures 1 on HA routers, nothing failed among them', async () => {
    const j = await same(['topologies/ha.yaml', '--failures', '1'], { ns: [2] });
    const failed = (j.results as { scenario: { failed: string[] } }[]).map((r) => r.scenario.failed.length > 0);
    expect(failed).toContain(true);
    expect(failed).toContain(false);
  }, 240_000);

  it('generated topologies (2, fixed seeds), with violations and unknowns among them', async () => {
    // The first topology of each of two seeds: 20261209's has unknowns (a UDP-Lite port rule iptables
    // refuses before Stein), 20261212's violations. Drawn from fixed seeds, they change when the generator
    // or the properties do (20261209's first had its one violation from segment-isolation mistaking a VXLAN
    // network's tunnel key for a GRE network's of the same ID, fixed since); the expectations below say so if not.
    const arb = arbitraryTopology({ maxHosts: 3, maxVms: 4 });
    const gs = [20261209, 20261212].map((seed) => fc.sample(arb, { seed, numRuns: 1 })[0]!);
    let violated = 0;
    let unfinished = 0;
    for (const [i, g] of gs.entries()) {
      const file = join(dir, `generated-${i}.yaml`);
      writeFileSync(file, g.yaml);
      // Their unknowns name an unfinished path: where a worker's solver, asked other questions before, could name another.
      const j = await same([file], { ns: [3] });
      violated += (j.summary as Summary).violated ?? 0;
      unfinished += (j.results as { message: string }[]).filter((r) => r.message.includes('a path crosses something not modelled')).length;
    }
    expect(violated).toBeGreaterThan(0);
    expect(unfinished).toBeGreaterThan(0);
  }, 400_000);

  it('in this process (the workers on the TypeScript sources, through tsx): the same JSON', async () => {
    const file = 'test/properties/topologies/two-projects.yaml';
    const [one, two] = [await verify(1, 'json', [file]), await runCli('verify', file, '--format', 'json', '--jobs', '2')];
    expect(two.stderr).toBe('');
    expect(two.code).toBe(one.code);
    expect(two.stdout).toBe(one.stdout);
  }, 120_000);
});

describe('the split', () => {
  it("keeps each project's subjects in one part, the same for the same topology, and spreads the projects", () => {
    const m = loadModel('test/properties/topologies/two-projects.yaml');
    if (!m.ok) throw new Error('two-projects');
    const t = m.value.topology;
    const a = projectSplit(t, 2);
    const b = projectSplit(t, 2);
    const projects = [...new Set(t.vms.map((v) => v.project))];
    expect(projects.length).toBe(2);
    const parts = projects.map((p) => a(2, 'project-isolation', `project:${p}`, ''));
    expect(new Set(parts).size).toBe(2);
    for (const n of t.networks.filter((x) => x.project !== null)) {
      const part = a(2, 'segment-isolation', `network:${n.name}`, 'compute1|');
      expect(part).toBe(a(2, 'project-isolation', `project:${n.project}`, ''));
      expect(b(2, 'segment-isolation', `network:${n.name}`, '')).toBe(part);
    }
    for (const v of t.vms) expect(a(2, 'anti-spoofing', `port:${v.name}:0`, '')).toBe(a(2, 'project-isolation', `project:${v.project}`, ''));
  });
});

describe('a worker that fails', () => {
  const task = { file: 'topologies/seed.yaml', request: {}, index: 1, count: 2, progress: false };
  const fixture = (name: string) => ({ file: fileURLToPath(new URL(`fixtures/${name}`, import.meta.url)), typescript: true });

  it('throwing: the run fails saying which worker and why, and the other worker is ended', async () => {
    const parts = startParts(fixture('throwing-worker.ts'), [task, { ...task, index: 2 }], () => {});
    await expect(parts.outcomes).rejects.toThrow(/verify --jobs 2: worker [12] of 2 failed: kaput in the worker/);
    await parts.stop();
  }, 60_000);

  it('ending without its part: the run fails with its exit code, and the parent, waiting for the first worker to end, goes on', async () => {
    const parts = startParts(fixture('silent-worker.ts'), [task], () => {});
    // The parent builds its model once the first worker has ended (verify-command.ts): a failed worker ends too.
    await expect(parts.firstEnded).resolves.toBeUndefined();
    await expect(parts.outcomes).rejects.toThrow(/worker 1 of 1 ended \(exit code 7\) without its results/);
  }, 60_000);
});

describe('--jobs usage', () => {
  it('bad values and --shard with --jobs exit 2 with a usage error', async () => {
    for (const bad of ['0', 'two', '-1', '1000']) {
      const r = await runCli('verify', 'topologies/seed.yaml', '--jobs', bad);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--jobs must be a number of worker threads from 1 to 256, or auto/);
    }
    const r = await runCli('verify', 'topologies/seed.yaml', '--jobs', '2', '--shard', '1/2', '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--shard and --jobs cannot be given together/);
  });

  it('a bad topology is said once, by the parent, exit 2', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'hosts: [}\n');
    const r = await runCli('verify', file, '--jobs', '2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NP\d{3}/);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  }, 60_000);
});
