#!/usr/bin/env node
// Entry point of the `netproof` command. Runs the compiled CLI in dist/ when it was built from the
// sources as they are now (`npm ci` builds it; `npm run build` rebuilds it), else the TypeScript sources
// through tsx — slower to start, never stale. On a terminal it says when it falls back.
// A command runs from a one-script build with V8's code cache (engine.cjs), loaded while libuv's
// threads read what the freshness check needs (freshness.cjs); so do the bare `netproof`, `--help` and
// `--version`, from the script holding the argument parser alone; any other command line without a
// command from the ES modules.
// A command that sweeps the cloud (verify, report, diff, drift) runs in a child process of node with a larger
// young generation (young-generation.cjs says why and how much): the parent only waits for it, passes on the
// signals it is sent, and exits as the child did.
// CommonJS, so that Node starts it without its ES module loader (a tenth of a trace's start-up).
'use strict';
const { statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { startFreshnessCheck } = require('./freshness.cjs');
const { semiSpaceForCommand } = require('./young-generation.cjs');

/**
 * The one-script CLI `argv` runs from: for a command, the light one when it serves the command (engine.cjs),
 * else the full one; without a command, the help script when it serves the line, else none (the ES modules).
 */
function loadEngineFor(root, argv, command) {
  const engines = require('./engine.cjs');
  const { loadEngine } = engines;
  if (!command) return engines.helpEngineServes(argv) ? loadEngine(root, { file: join(root, engines.HELP_ENGINE), cache: join(root, engines.HELP_ENGINE_CACHE) }) : null;
  const isDirectory = (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
  const light = engines.lightEngineServes(argv, isDirectory) ? loadEngine(root, { file: join(root, engines.LIGHT_ENGINE), cache: join(root, engines.LIGHT_ENGINE_CACHE) }) : null;
  // V8 takes a code cache only under the flags it was made with: a sweep's child process keeps its own.
  return light ?? loadEngine(root, { cache: engines.cacheUnderFlags(join(root, engines.ENGINE_CACHE), process.execArgv) });
}

/**
 * Runs this command line again in a child node whose semi-space is `mb` MiB, and ends this process as the
 * child ended: its exit code, or the signal that stopped it. Signals this process is sent go on to the child
 * (a Ctrl-C reaches both; a SIGTERM sent to this process alone must still stop the work).
 */
function runWithSemiSpace(mb) {
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, `--max-semi-space-size=${mb}`, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const pass = (signal) => child.kill(signal);
  for (const s of signals) process.on(s, pass);
  child.on('error', (e) => {
    process.stderr.write(`netproof: could not start node again for a larger young generation (${e.message}); NETPROOF_SEMI_SPACE_MB=0 runs without it\n`);
    process.exitCode = 2;
  });
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, pass);
    if (signal !== null) process.kill(process.pid, signal);
    else process.exitCode = code ?? 2;
  });
}

async function run() {
  const root = join(__dirname, '..');
  const argv = process.argv.slice(2);
  const young = semiSpaceForCommand(argv, process.execArgv, process.env);
  if (young.warning !== null) process.stderr.write(`${young.warning}\n`);
  if (young.mb !== null) return runWithSemiSpace(young.mb);
  const check = startFreshnessCheck(root);
  const command = argv[0] !== undefined && !argv[0].startsWith('-') && argv[0] !== 'help';
  // Loaded before the check answers; dropped unused if the sources turn out to have changed.
  const engine = check.built ? loadEngineFor(root, argv, command) : null;
  const compiled = await check.result;
  let main;
  if (compiled.fresh) {
    ({ main } = engine ?? (await import(pathToFileURL(compiled.entry).href)));
  } else {
    if (process.stderr.isTTY) {
      const why = compiled.reason === 'stale' ? 'the sources changed since dist/ was built' : 'dist/ is not built';
      process.stderr.write(`netproof: running from source (${why}; \`npm run build\` for a fast start)\n`);
    }
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href));
  }
  process.exitCode = await main(argv);
  if (compiled.fresh && engine !== null && !engine.cached) {
    try {
      engine.saveCache(); // another Node than the build's: this one's cache for the next start
    } catch {
      // dist/ read-only (an installed package): start without one
    }
  }
}

run();
