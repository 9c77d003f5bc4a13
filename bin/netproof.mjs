#!/usr/bin/env node
// Entry point of the `netproof` command. Runs the compiled CLI in dist/ when it was built from the
// sources as they are now (`npm ci` builds it; `npm run build` rebuilds it), else the TypeScript sources
// through tsx — slower to start, never stale. On a terminal it says when it falls back.
// A command runs from the one-script build with V8's code cache (engine.mjs); the bare `netproof`,
// `--help` and `--version` from the ES modules, which load the argument parser alone.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledEntry } from './freshness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const compiled = compiledEntry(root);
const command = argv[0] !== undefined && !argv[0].startsWith('-') && argv[0] !== 'help';
let main;
let engine = null;
if (compiled.fresh) {
  if (command) engine = (await import('./engine.mjs')).loadEngine(root);
  ({ main } = engine ?? (await import(pathToFileURL(compiled.entry).href)));
} else {
  if (process.stderr.isTTY) {
    const why = compiled.reason === 'stale' ? 'the sources changed since dist/ was built' : 'dist/ is not built';
    process.stderr.write(`netproof: running from source (${why}; \`npm run build\` for a fast start)\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(argv);
if (engine !== null && !engine.cached) {
  try {
    engine.saveCache(); // another Node than the build's: this one's cache for the next start
  } catch {
    // dist/ read-only (an installed package): start without one
  }
}
