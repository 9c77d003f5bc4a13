// What `import … from 'netproof'` loads (package.json `exports`): the compiled library in dist/ when it
// was built from the sources as they are now (`npm ci` builds it; `npm run build` rebuilds it), else the
// TypeScript sources through tsx — slower to load, never stale. The API is src/index.ts (docs/library.md).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledEntry, LIBRARY_ENTRY } from './freshness.cjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = compiledEntry(root, LIBRARY_ENTRY);
let api;
if (compiled.fresh) {
  api = await import(pathToFileURL(compiled.entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  api = await import('../src/index.ts');
}
export const { load, formatInputError } = api;
