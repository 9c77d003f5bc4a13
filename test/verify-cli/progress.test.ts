// Progress of `verify`: the spinner's line, what the properties say as they advance (each `done` below
// its `total`, counting up), and the spinner itself on a real terminal (a pseudo-terminal from
// util-linux's `script`), where the line names how far the property is through its subjects.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { progressText } from '../../src/cli/progress.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import { runVerify } from '../../src/questions/verify.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { context } from '../properties/build.ts';
import { REQUIRE_ENV } from '../oracle/prereq.ts';

afterAll(async () => {
  await shutdownZ3();
});

describe('the progress line', () => {
  it('names the property, its place, how far it is through its subjects, the results so far and the time', () => {
    expect(progressText({ index: 2, total: 8, id: 'project-isolation', results: 1, within: { done: 1, total: 3, what: 'projects' }, seconds: 4 })).toBe(
      'verify: project-isolation (3 of 8) — 1 of 3 projects, 1 result so far, 4 s',
    );
    expect(progressText({ index: 0, total: 8, id: 'loop-free', results: 0, within: null, seconds: 0 })).toBe('verify: loop-free (1 of 8), 0 results so far, 0 s');
  });
});

describe('properties say how far they are', () => {
  it('every built-in on two-projects ticks with done below total, counting up per kind of subject', async () => {
    const ticks: { property: string; done: number; total: number; what: string }[] = [];
    let current = '';
    const ctx = { ...context('two-projects'), progress: (done: number, total: number, what: string) => ticks.push({ property: current, done, total, what }) };
    await runVerify(ctx, BUILTIN_PROPERTIES, [], (_i, _n, id) => (current = id));
    for (const t of ticks) {
      expect(t.done).toBeGreaterThanOrEqual(0);
      expect(t.done).toBeLessThan(t.total);
    }
    // Within one property and one kind of subject, the count never goes back.
    const last = new Map<string, number>();
    for (const t of ticks) {
      const key = `${t.property}/${t.what}`;
      expect(t.done).toBeGreaterThanOrEqual(last.get(key) ?? 0);
      last.set(key, t.done);
    }
    const said = (p: string) => ticks.filter((t) => t.property === p);
    // Two projects (demo, other), one after the other.
    expect(said('project-isolation').map((t) => [t.done, t.total, t.what])).toEqual([
      [0, 2, 'projects'],
      [1, 2, 'projects'],
    ]);
    // Three router interfaces and the router's external gateway, one floating IP, one host per host of the topology.
    expect(said('gateway').filter((t) => t.what === 'router interfaces, gateways and routes').map((t) => t.done)).toEqual([0, 1, 2, 3]);
    expect(said('fip-ingress').map((t) => [t.done, t.total, t.what])).toEqual([[0, 1, 'floating IPs']]);
    expect(said('loop-free').map((t) => t.total)).toEqual([2, 2]);
    // The solver-backed ones say how many port classes they explored.
    expect(said('nat-egress').some((t) => t.what === 'port classes behind routers explored')).toBe(true);
    expect(said('security-groups').some((t) => t.what === 'port firewalls explored')).toBe(true);
    expect(said('security-groups').filter((t) => t.what === 'port classes').length).toBeGreaterThan(0);
  });
});

/** What a terminal shows while `verify` runs on two-projects, its width set by `stty` first (or not at all). */
function onTerminal(stty: string): string {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const topo = fileURLToPath(new URL('../properties/topologies/two-projects.yaml', import.meta.url));
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', NO_COLOR: '1' };
  delete env.CI;
  // `script` gives the command a terminal; its output (the terminal's) is what a user sees.
  const cmd = `${stty}node bin/netproof.cjs verify ${topo} > /dev/null`;
  try {
    return execFileSync('script', ['-qec', cmd, '/dev/null'], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  } catch (e) {
    // verify exits 1 here (project-isolation is violated on two-projects); the terminal output is what counts.
    return String((e as { stdout?: string }).stdout ?? '');
  }
}

// util-linux's script (Debian's bsdutils, essential there); another script (BSD, macOS) takes other options.
const script = spawnSync('script', ['-V'], { encoding: 'utf8' });
const needs = script.status === 0 && /util-linux/.test(`${script.stdout}${script.stderr}`) ? null : `"on a terminal" needs util-linux's script (Debian package bsdutils)`;
if (needs !== null && process.env[REQUIRE_ENV] !== '1') process.stderr.write(`skipped: ${needs}\n`);

(needs === null || process.env[REQUIRE_ENV] === '1' ? describe : describe.skip)('on a terminal', () => {
  if (needs !== null) {
    it('has its prerequisites', () => {
      throw new Error(`${needs} — ${REQUIRE_ENV}=1 makes that a failure`);
    });
    return;
  }

  it('the spinner on stderr says how far the current property is through its subjects', () => {
    const seen = onTerminal('stty cols 160 rows 40; ');
    expect(seen).toMatch(/verify: [a-z-]+ \(\d+ of \d+\) — \d+ of \d+ [a-z ]+, \d+ results? so far, \d+ s/);
  }, 150_000);

  it('a terminal that reports no width gets no spinner (it would clear lines without end)', () => {
    const seen = onTerminal('stty cols 0 rows 0; ');
    expect(seen).not.toMatch(/verify: /);
    expect(seen).not.toMatch(/\x1b\[1A/);
  }, 150_000);
});
