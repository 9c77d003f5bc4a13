// Starts a `verify --jobs N` worker thread on the TypeScript sources (netproof run from source, and the
// tests): Node 20 does not apply `--import tsx` to a worker's own entry, so the worker registers tsx's
// loader here, then imports the entry named by its first argument (src/parallel/pool.ts).
const { register } = await import('tsx/esm/api');
register();
await import(process.argv[2]);
