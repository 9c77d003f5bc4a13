// The young generation a sweep runs with (bin/young-generation.cjs): which commands get it, what overrides
// it (node's own flag on its command line or in NODE_OPTIONS, NETPROOF_SEMI_SPACE_MB, 0 for V8's default),
// the worker threads' limits that give it (src/parallel/pool.ts) and that V8 honours them, the code cache the
// flagged process keeps apart (bin/engine.cjs), and the launcher's child process: it has the flag, ends as
// the child ends, and a SIGTERM sent to the launcher alone stops the child.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { SEMI_SPACE_ENV, SEMI_SPACE_MB, semiSpaceChoice, semiSpaceForCommand, youngGenerationMb } from '../../bin/young-generation.cjs';
import { cacheUnderFlags } from '../../bin/engine.cjs';
import { workerLimits } from '../../src/parallel/pool.ts';
import { SIZES, generateTopologyText } from '../../bench/generate.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'netproof-young-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the semi-space a heap made now gets', () => {
  it('is the sweep size by default, and what NETPROOF_SEMI_SPACE_MB says otherwise (0: V8 default)', () => {
    expect(SEMI_SPACE_MB).toBeGreaterThan(16); // more than V8's own default, or there is nothing to set
    expect(semiSpaceChoice([], {})).toEqual({ mb: SEMI_SPACE_MB, warning: null });
    expect(semiSpaceChoice([], { [SEMI_SPACE_ENV]: '' })).toEqual({ mb: SEMI_SPACE_MB, warning: null });
    expect(semiSpaceChoice([], { [SEMI_SPACE_ENV]: '128' })).toEqual({ mb: 128, warning: null });
    expect(semiSpaceChoice([], { [SEMI_SPACE_ENV]: '0' })).toEqual({ mb: null, warning: null });
  });

  it('says so and keeps the sweep size when NETPROOF_SEMI_SPACE_MB is not a size', () => {
    for (const bad of ['x', '-1', '1.5', '64MB', '5000']) {
      const c = semiSpaceChoice([], { [SEMI_SPACE_ENV]: bad });
      expect(c.mb).toBe(SEMI_SPACE_MB);
      expect(c.warning).toContain(`${SEMI_SPACE_ENV}=${bad}`);
    }
  });

  it("leaves it to node's own options when they set it, on the command line or in NODE_OPTIONS", () => {
    const none = { mb: null, warning: null };
    expect(semiSpaceChoice(['--max-semi-space-size=32'], {})).toEqual(none);
    expect(semiSpaceChoice(['--max_semi_space_size=8'], { [SEMI_SPACE_ENV]: '128' })).toEqual(none);
    expect(semiSpaceChoice(['--max-semi-space-size', '32'], {})).toEqual(none);
    expect(semiSpaceChoice([], { NODE_OPTIONS: '--max-old-space-size=8000 --max-semi-space-size=32' })).toEqual(none);
    // Other flags are not it.
    expect(semiSpaceChoice(['--max-old-space-size=8000', '--min-semi-space-size=4'], { NODE_OPTIONS: '--enable-source-maps' }).mb).toBe(SEMI_SPACE_MB);
  });

  it('is set for the commands that sweep the cloud only', () => {
    for (const c of ['verify', 'report', 'diff', 'drift']) expect(semiSpaceForCommand([c, 'x.yaml'], [], {}).mb).toBe(SEMI_SPACE_MB);
    for (const argv of [['query', 'x.yaml'], ['trace'], ['serve'], ['render'], ['--help'], []]) {
      expect(semiSpaceForCommand(argv, [], { [SEMI_SPACE_ENV]: '128' })).toEqual({ mb: null, warning: null });
    }
    expect(semiSpaceForCommand(['verify'], ['--max-semi-space-size=64'], {}).mb).toBeNull(); // the launcher's own child
  });
});

describe("verify's worker threads", () => {
  it('get a young generation of the sweep size unless node sets one for every thread', () => {
    expect(workerLimits([], {})).toEqual({ maxYoungGenerationSizeMb: youngGenerationMb(SEMI_SPACE_MB) });
    expect(workerLimits([], { [SEMI_SPACE_ENV]: '32' })).toEqual({ maxYoungGenerationSizeMb: youngGenerationMb(32) });
    expect(workerLimits([], { [SEMI_SPACE_ENV]: '0' })).toBeUndefined();
    expect(workerLimits(['--max-semi-space-size=64'], {})).toBeUndefined();
  });

  it('have the semi-space they are given: V8 grows the new space (two semi-spaces) to twice it, no further', async () => {
    // Small sizes, so that a short churn of surviving objects grows the new space to its limit.
    const sizes = [1, 2];
    const grown = await Promise.all(sizes.map((mb) => new Promise<number>((resolve, reject) => {
      const churn = `const v8 = require('node:v8'); let keep = []; let max = 0;
        for (let i = 0; i < 3e6; i++) { keep.push({ i }); if (keep.length > 5e4) keep = []; if (i % 1e4 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size); }
        require('node:worker_threads').parentPort.postMessage(max);`;
      const w = new Worker(churn, { eval: true, resourceLimits: workerLimits([], { [SEMI_SPACE_ENV]: String(mb) }) });
      w.once('message', resolve);
      w.once('error', reject);
    })));
    expect(grown.map((b) => b / 2 ** 20)).toEqual(sizes.map((mb) => 2 * mb));
  });
});

describe('the code cache of a process with a semi-space flag', () => {
  it('is a file of its own beside the default one', () => {
    expect(cacheUnderFlags('/d/cli.cjs.cache', [])).toBe('/d/cli.cjs.cache');
    expect(cacheUnderFlags('/d/cli.cjs.cache', ['--max-old-space-size=9000'])).toBe('/d/cli.cjs.cache');
    expect(cacheUnderFlags('/d/cli.cjs.cache', ['--max-semi-space-size=64'])).toBe('/d/cli.cjs.semi-64.cache');
    expect(cacheUnderFlags('/d/cli.cjs.cache', ['--max_semi_space_size=32'])).toBe('/d/cli.cjs.semi-32.cache');
  });
});

/** The node processes whose parent is `pid`, with their command lines (Linux's /proc). */
function childrenOf(pid: number): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(e), argv: readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').filter((a) => a !== '') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.runIf(existsSync('/proc/self/stat'))('the launcher', () => {
  it('runs verify in a child node with the flag, and a SIGTERM sent to the launcher alone stops it', async () => {
    const file = join(dir, 'medium.yaml');
    writeFileSync(file, generateTopologyText(SIZES.find((s) => s.name === 'medium')!));
    const env = { ...process.env };
    delete env[SEMI_SPACE_ENV];
    delete env.NODE_OPTIONS;
    const launcher = spawn(process.execPath, [join(root, 'bin', 'netproof.cjs'), 'verify', file], { stdio: 'ignore', env });
    const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => launcher.once('exit', (code, signal) => resolve({ code, signal })));
    let child: { pid: number; argv: string[] } | undefined;
    while (child === undefined) {
      await new Promise((r) => setTimeout(r, 20));
      child = childrenOf(launcher.pid!)[0];
    }
    expect(child.argv).toContain(`--max-semi-space-size=${SEMI_SPACE_MB}`);
    launcher.kill('SIGTERM');
    expect(await ended).toEqual({ code: null, signal: 'SIGTERM' });
    for (let i = 0; i < 100 && alive(child.pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(child.pid)).toBe(false);
  });
});
