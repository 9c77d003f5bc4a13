#!/usr/bin/env node
// Entry point of the `netproof` command. Runs the compiled CLI in dist/ when it was built from the
// sources as they are now (`npm ci` builds it; `npm run build` rebuilds it), else the TypeScript sources
// through tsx — slower to start, never stale. On a terminal it says when it falls back.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledEntry } from './freshness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = compiledEntry(root);
let main;
if (compiled.fresh) {
  ({ main } = await import(pathToFileURL(compiled.entry).href));
} else {
  if (process.stderr.isTTY) {
    const why = compiled.reason === 'stale' ? 'the sources changed since dist/ was built' : 'dist/ is not built';
    process.stderr.write(`netproof: running from source (${why}; \`npm run build\` for a fast start)\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
