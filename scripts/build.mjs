// `npm run build` (and npm's `prepare`, so `npm ci` runs it): bundles the CLI and the library
// (`import … from 'netproof'`, src/index.ts) from src/ and rules/ into dist/ with esbuild — one ES module
// per command plus shared chunks, dependencies included but Z3 — so that `netproof` starts without
// compiling TypeScript, and loads only what its command needs. The CLI is also bundled as one CommonJS
// script, dist/cli.cjs, with V8's code cache made by a trace and a render of the seed
// (scripts/warm-engine.mjs): the commands start from it (bin/engine.cjs); trace, render and example from
// dist/cli-light.cjs, the same without the modules of the other commands; the bare `netproof`, `--help` and
// `--version` from dist/cli-help.cjs, the argument parser and the commands' definitions alone.
// dist/build.json records the sources' fingerprint (bin/freshness.cjs); the launcher uses dist/ only
// while it matches. The new build is written beside the old one and swapped in, so a command starting
// meanwhile never sees half of it.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUILD_RECORD, DIST, sourceFingerprint } from '../bin/freshness.cjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * commander requires Node's child_process at load, for sub-commands run as executables, which netproof
 * has none of; loading it (with net, dgram and the stream modules it pulls in) is a few milliseconds of
 * every start. commander's import of it is given a stand-in that requires it at its first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined);
    build.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

/** esbuild's options for the CLI bundle written to `outdir` (tests read its import graph from a metafile). */
export function bundleOptions(outdir) {
  return {
    absWorkingDir: root,
    entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Dependencies are bundled too (loading zod's and yaml's modules one by one costs more than the
    // whole trace of the seed); z3-solver stays in node_modules, where it finds its WebAssembly.
    external: ['z3-solver'],
    // Less text for V8 to parse at every start (about a tenth of trace's module loading); names are
    // kept, so a stack trace still says which function.
    minifyWhitespace: true,
    minifySyntax: true,
    // Every character outside ASCII escaped (esbuild's default, relied on): bin/engine.cjs reads the
    // one-script CLIs as Latin-1, a plain copy, where decoding UTF-8 costs a millisecond or two more.
    charset: 'ascii',
    // commander is CommonJS and requires Node's built-ins: give the bundle a `require`.
    banner: { js: "import { createRequire as __netproofRequire } from 'node:module'; const require = __netproofRequire(import.meta.url);" },
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [lazyChildProcess],
    logLevel: 'warning',
  };
}

/**
 * esbuild's options for the CLI as one CommonJS script, `outdir`/cli.cjs: each command's modules are
 * still initialised only when the command runs (esbuild turns `import()` into a deferred `require`), and
 * what stays outside the bundle (Z3, and the layout engine of the HTML reports) is required then.
 */
export function engineOptions(outdir) {
  const { banner: _esmOnly, chunkNames: _split, ...common } = bundleOptions(outdir);
  return {
    ...common,
    // CommonJS has no import.meta: the module's own URL from __filename (src/parallel/pool.ts finds the worker beside it).
    define: { 'import.meta.url': '__netproofModuleUrl' },
    banner: { js: "var __netproofModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    entryPoints: { cli: 'src/cli/main.ts' },
    format: 'cjs',
    splitting: false,
    outExtension: { '.js': '.cjs' },
    external: ['z3-solver', 'elkjs'],
  };
}

/**
 * The modules the light script (bin/engine.cjs, LIGHT_ENGINE) leaves out: the commands it does not
 * serve, and the cloud directory's reader (a trace of a directory runs from the full script). Each is
 * replaced by a module that fails plainly if it is ever reached.
 */
export const LEFT_OUT_OF_LIGHT = /[\\/]src[\\/](cli[\\/](verify|query|report|serve|diff|drift|import|merge|collect)-command|cloud[\\/]load)\.ts$/;

/** What the help script (HELP_ENGINE) leaves out: every command's module; it holds the argument parser and the commands' definitions. */
export const LEFT_OUT_OF_HELP = /[\\/]src[\\/](cli[\\/][a-z-]+-command|cloud[\\/]load)\.ts$/;

/** An esbuild plugin putting a module that fails plainly, naming `script`, in place of each module `leftOut` matches. */
function leaveOut(leftOut, script) {
  return {
    name: `leave-out-of-${script}`,
    setup(build) {
      build.onResolve({ filter: /\.ts$/ }, async (args) => {
        if (args.pluginData === 'left-out') return undefined;
        const resolved = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'left-out' });
        return leftOut.test(resolved.path) ? { path: resolved.path, namespace: 'left-out' } : resolved;
      });
      build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not in the CLI script ${script} (bin/engine.cjs runs this command line from dist/cli.cjs)`)});`,
        loader: 'js',
      }));
    },
  };
}

/**
 * esbuild's options for the worker thread of `verify --jobs N`, `outdir`/verify-worker.cjs
 * (src/parallel/worker.ts): what checks one part of a run, without the CLI.
 */
export function workerOptions(outdir) {
  const engine = engineOptions(outdir);
  return { ...engine, entryPoints: { 'verify-worker': 'src/parallel/worker.ts' } };
}

/** esbuild's options for the light script, `outdir`/cli-light.cjs. */
export function lightEngineOptions(outdir) {
  const engine = engineOptions(outdir);
  return { ...engine, entryPoints: { 'cli-light': 'src/cli/main.ts' }, plugins: [...engine.plugins, leaveOut(LEFT_OUT_OF_LIGHT, 'cli-light.cjs')] };
}

/** esbuild's options for the help script, `outdir`/cli-help.cjs: the bare `netproof`, `--help`, `--version`, `help COMMAND`. */
export function helpEngineOptions(outdir) {
  const engine = engineOptions(outdir);
  return { ...engine, entryPoints: { 'cli-help': 'src/cli/main.ts' }, plugins: [...engine.plugins, leaveOut(LEFT_OUT_OF_HELP, 'cli-help.cjs')] };
}

/**
 * Bundles the one-script CLI, its light version and its help script into `outdir` and makes their code caches
 * there; returns why there is no cache when a warm-up failed (the script still runs, compiling as it goes), else null.
 */
export async function buildEngine(esbuild, outdir) {
  await esbuild.build(engineOptions(outdir));
  await esbuild.build(workerOptions(outdir));
  await esbuild.build(lightEngineOptions(outdir));
  await esbuild.build(helpEngineOptions(outdir));
  const why = [];
  for (const script of ['cli.cjs', 'cli-light.cjs', 'cli-help.cjs']) {
    // In a process of its own: the code cache is made under the V8 flags `netproof` runs with.
    const warm = spawnSync(process.execPath, [join(root, 'scripts', 'warm-engine.mjs'), outdir, script], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (warm.status !== 0) why.push(`${script}: ${warm.stderr.trim() || `exit ${warm.status ?? warm.signal}`}`);
  }
  return why.length === 0 ? null : why.join('; ');
}

async function build() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    console.warn('netproof build: esbuild is not installed; netproof will run from source (slower start-up)');
    return;
  }
  const before = sourceFingerprint(root);
  const tmp = join(root, `${DIST}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  await esbuild.build(bundleOptions(tmp));
  const noCache = await buildEngine(esbuild, tmp);
  if (noCache !== null) console.warn(`netproof build: no code cache for a script of dist/ (slower start-up): ${noCache}`);
  if (sourceFingerprint(root) === before) writeFileSync(join(tmp, BUILD_RECORD), `${JSON.stringify({ fingerprint: before })}\n`);
  else console.warn('netproof build: the sources changed during the build; dist/ will not be used until the next build');
  const dist = join(root, DIST);
  const old = join(root, `${DIST}.old-${process.pid}`);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(tmp, dist);
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await build();
