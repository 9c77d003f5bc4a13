// The one-script CLIs the commands start from (dist/cli.cjs, dist/cli-light.cjs for trace, render
// and example, dist/cli-help.cjs for --help and --version; bin/engine.cjs), built and warmed as `npm run build`
// does it: V8 takes the code cache it made, each script answers exactly what the sources answer, and a trace or a
// render through it requires
// neither Z3 nor the layout engine of the HTML reports (left outside the bundle, required when a command
// needs them), nor Node's child_process module (with what it pulls in, a few milliseconds of every start). The light script holds no module of the other commands, and is chosen only for its own.
import * as esbuild from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { helpEngineServes, LIGHT_COMMANDS, lightEngineServes, loadEngine, type Engine } from '../../bin/engine.cjs';
import { buildEngine } from '../../scripts/build.mjs';
import { runCli } from '../cli/run.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'netproof-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRACE = ['trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22'];

/** The engine's answer to `argv`, as runCli gives the sources'. */
async function run(engine: Engine, argv: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const code = await engine.main(argv, { out: (t) => (stdout += t.endsWith('\n') ? t : `${t}\n`), err: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`) });
  return { code, stdout, stderr };
}

const noCache = await buildEngine(esbuild, dir);

const HELP_CASES: readonly (readonly string[])[] = [['--help'], ['--version'], ['help', 'trace'], ['help', 'nosuchcommand'], []];

for (const script of ['cli.cjs', 'cli-light.cjs', 'cli-help.cjs']) describe(`the one-script CLI ${script} and its code cache`, () => {
  const where = { file: join(dir, script), cache: join(dir, `${script}.cache`) };
  const required: string[] = [];
  const base = createRequire(where.file);
  const recording = Object.assign((id: string) => (required.push(id), base(id)), base) as NodeJS.Require;
  const engine = loadEngine(root, { ...where, require: recording });

  it('is ASCII, so that reading it as Latin-1 (bin/engine.cjs) reads what UTF-8 would', () => {
    expect(readFileSync(where.file).every((b) => b < 0x80)).toBe(true);
  });

  it('is built with a code cache, and V8 takes it', () => {
    expect(noCache).toBeNull();
    expect(existsSync(where.cache)).toBe(true);
    expect(engine?.cached).toBe(true);
  });

  const commands = script === 'cli-help.cjs' ? [] : [
    TRACE,
    [...TRACE.slice(0, 6), '--format', 'json'],
    ['trace', 'topologies/seed.yaml', '--from', '198.51.100.7', '--to', '203.0.113.101', '--proto', 'tcp', '--dport', '22'],
    ['trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'nosuchvm'],
    ['trace', '--help'],
    ['example'],
  ];
  const cases: readonly (readonly string[])[] = [...commands, ...HELP_CASES];
  for (const argv of cases) {
    it(`answers netproof ${argv.join(' ')} as the sources do`, async () => {
      const fromScript = await run(engine!, argv);
      expect(fromScript.stdout + fromScript.stderr).not.toBe('');
      expect(fromScript).toEqual(await runCli(...argv));
    });
  }

  if (script !== 'cli-help.cjs') it('a render writes what the sources write', async () => {
    const a = join(dir, `render-${script}`);
    const b = join(dir, `render-sources-${script}`);
    expect((await run(engine!, ['render', 'topologies/seed.yaml', '--out', a])).code).toBe(0);
    expect((await runCli('render', 'topologies/seed.yaml', '--out', b)).code).toBe(0);
    const files = (d: string) => (readdirSync(d, { recursive: true }) as string[]).filter((f) => statSync(join(d, f)).isFile()).sort();
    expect(files(a)).toEqual(files(b));
    expect(files(a).length).toBeGreaterThan(10);
    for (const f of files(a)) expect(readFileSync(join(a, f), 'utf8'), f).toBe(readFileSync(join(b, f), 'utf8'));
  });

  it('the trace and the render above required neither Z3 nor the HTML layout engine', () => {
    expect(required.filter((id) => id.startsWith('z3-solver') || id.startsWith('elkjs'))).toEqual([]);
  });

  it("nor Node's child_process (commander's, for executable sub-commands)", () => {
    expect(required.filter((id) => /^(node:)?child_process$/.test(id))).toEqual([]);
  });
});

describe('the help script', () => {
  const help = loadEngine(root, { file: join(dir, 'cli-help.cjs'), cache: join(dir, 'cli-help.cjs.cache') });

  it('is a fraction of the light one', () => {
    expect(statSync(join(dir, 'cli-help.cjs')).size).toBeLessThan(0.2 * statSync(join(dir, 'cli-light.cjs')).size);
  });

  it("fails plainly, never silently, if a command's module is reached", async () => {
    const r = await run(help!, ['example']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/example-command\.ts is not in the CLI script cli-help\.cjs/);
  });

  it('is chosen only for a command line that runs no command', () => {
    for (const argv of HELP_CASES) expect(helpEngineServes(argv), argv.join(' ')).toBe(true);
    for (const argv of [TRACE, ['example'], ['--help', 'trace'], ['--', 'trace', 'x'], ['--foo'], ['-V', 'x']]) expect(helpEngineServes(argv), argv.join(' ')).toBe(false);
  });
});

describe('the light script', () => {
  const light = loadEngine(root, { file: join(dir, 'cli-light.cjs'), cache: join(dir, 'cli-light.cjs.cache') });

  it('is much smaller than the full one', () => {
    expect(statSync(join(dir, 'cli-light.cjs')).size).toBeLessThan(0.7 * statSync(join(dir, 'cli.cjs')).size);
  });

  it("fails plainly, never silently, if another command's module is reached", async () => {
    const r = await run(light!, ['verify', 'topologies/seed.yaml']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/verify-command\.ts is not in the CLI script cli-light\.cjs/);
  });

  it('is chosen only for its commands, and for a trace only when no argument names a directory (a cloud)', () => {
    const dirs = new Set(['test/fixtures/cloud/seed', '/tmp']);
    const isDir = (p: string) => dirs.has(p);
    expect(Object.keys(LIGHT_COMMANDS).sort()).toEqual(['example', 'render', 'trace']);
    expect(lightEngineServes(TRACE, isDir)).toBe(true);
    expect(lightEngineServes(['trace', 'test/fixtures/cloud/seed', '--from', 'vm1', '--to', 'vm4'], isDir)).toBe(false);
    expect(lightEngineServes(['render', 'topologies/seed.yaml', '--out', '/tmp'], isDir)).toBe(true);
    expect(lightEngineServes(['example'], isDir)).toBe(true);
    for (const c of ['verify', 'query', 'report', 'serve', 'diff', 'drift', 'import', 'merge', 'collect-script', 'collect-api-script', 'toString', '--help']) {
      expect(lightEngineServes([c, 'topologies/seed.yaml'], isDir), c).toBe(false);
    }
  });
});
