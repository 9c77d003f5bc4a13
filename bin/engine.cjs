// The compiled CLI as one CommonJS script (dist/cli.cjs) run with V8's code cache (dist/cli.cjs.cache):
// V8 then neither parses nor compiles the functions a command ran when the cache was made, which on
// Node 20 (no module compile cache) is a sixth of a trace's start-up. The build makes the cache by
// running a trace and a render of the seed (scripts/warm-engine.mjs); a cache V8 rejects (another Node
// or V8 flags) is simply not used, and the next run that can write dist/ makes a new one.
// trace, render and example start from a lighter build of the same CLI (LIGHT_ENGINE, below); the bare
// `netproof`, `--help` and `--version` from the lightest, the argument parser alone (HELP_ENGINE).
// Plain JavaScript (CommonJS, as the launcher): it runs before any TypeScript can be loaded.
'use strict';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');
const { DIST } = require('./freshness.cjs');

/** The script and its code cache, relative to the repository root. */
const ENGINE = join(DIST, 'cli.cjs');
const ENGINE_CACHE = join(DIST, 'cli.cjs.cache');
/**
 * The same CLI without the commands that need Z3, the solver's questions or a cloud directory's reader
 * (scripts/build.mjs leaves their modules out): half the script, a smaller code cache, for the commands
 * that need none of it.
 */
const LIGHT_ENGINE = join(DIST, 'cli-light.cjs');
const LIGHT_ENGINE_CACHE = join(DIST, 'cli-light.cjs.cache');
/**
 * The CLI with the argument parser and the commands' definitions but no command's module: what the bare
 * `netproof`, `--help`, `--version` and `help COMMAND` need, a tenth of the light script.
 */
const HELP_ENGINE = join(DIST, 'cli-help.cjs');
const HELP_ENGINE_CACHE = join(DIST, 'cli-help.cjs.cache');

/** Whether `argv` only asks for help or the version, so that no command runs: the help script serves it. */
function helpEngineServes(argv) {
  return argv.length === 0 || argv[0] === 'help' || (argv.length === 1 && ['--help', '-h', '--version', '-V'].includes(argv[0]));
}

/**
 * The commands the light script serves (every module they import is in it), and whether one reads a
 * cloud directory when its topology argument is one (then its reader is needed: the full script).
 */
const LIGHT_COMMANDS = { trace: true, render: false, example: false };

/**
 * Whether `argv` runs from the light script: one of its commands, and, for one that takes a cloud
 * directory, no argument naming a directory (a value that happens to name one only costs the full script).
 * @param {readonly string[]} argv
 * @param {(path: string) => boolean} isDirectory
 */
function lightEngineServes(argv, isDirectory) {
  const readsClouds = Object.hasOwn(LIGHT_COMMANDS, argv[0] ?? '') ? LIGHT_COMMANDS[argv[0]] : null;
  if (readsClouds === null) return false;
  return !readsClouds || !argv.slice(1).some((a) => !a.startsWith('-') && isDirectory(a));
}

/**
 * The code cache to use for `cacheFile` in a process started with `execArgv`: a semi-space set on node's command
 * line (a sweep's child process, bin/young-generation.cjs) is one of the V8 flags a code cache is made under
 * (V8 rejects a cache made under other flags), so such a process keeps a cache of its own beside the default one
 * (`cli.cjs.cache` → `cli.cjs.semi-64.cache`) instead of replacing it at every start.
 * @param {string} cacheFile
 * @param {readonly string[]} execArgv
 */
function cacheUnderFlags(cacheFile, execArgv) {
  const semi = execArgv.map((a) => /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(a)).find((m) => m !== null);
  return semi === undefined ? cacheFile : cacheFile.replace(/\.cache$/, `.semi-${semi[1]}.cache`);
}

/**
 * Loads the compiled CLI script under `root` with its code cache when V8 accepts it.
 * `cache` is where the code cache is read (default `root`/dist/cli.cjs.cache); `require` resolves what
 * the script leaves outside the bundle (z3-solver, elkjs; tests pass one that records them). Null when
 * the script is not there.
 * @param {string} root
 * @param {{ file?: string, cache?: string, require?: NodeJS.Require }} [where]
 */
function loadEngine(root, where = {}) {
  const file = where.file ?? join(root, ENGINE);
  const cacheFile = where.cache ?? join(root, ENGINE_CACHE);
  let source;
  try {
    // ASCII (the build escapes everything else: scripts/build.mjs), so Latin-1 reads it as UTF-8 would, without decoding.
    source = readFileSync(file, 'latin1');
  } catch {
    return null; // built without it: the ES modules of dist/ serve
  }
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // Node's own CommonJS wrapper, so the script sees what a required module sees.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, where.require ?? createRequire(file), module, file, dirname(file));
  return {
    /** @type {(argv: readonly string[], io?: unknown) => Promise<number>} */
    main: module.exports.main,
    /** Whether the code cache was there and V8 took it. */
    cached: cachedData !== undefined && !script.cachedDataRejected,
    /** Writes the code cache of everything compiled so far (atomically: a concurrent start reads the old or the new). */
    saveCache() {
      const tmp = `${cacheFile}.tmp-${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    },
  };
}

exports.ENGINE = ENGINE;
exports.ENGINE_CACHE = ENGINE_CACHE;
exports.LIGHT_ENGINE = LIGHT_ENGINE;
exports.LIGHT_ENGINE_CACHE = LIGHT_ENGINE_CACHE;
exports.LIGHT_COMMANDS = LIGHT_COMMANDS;
exports.HELP_ENGINE = HELP_ENGINE;
exports.HELP_ENGINE_CACHE = HELP_ENGINE_CACHE;
exports.helpEngineServes = helpEngineServes;
exports.lightEngineServes = lightEngineServes;
exports.loadEngine = loadEngine;
exports.cacheUnderFlags = cacheUnderFlags;
