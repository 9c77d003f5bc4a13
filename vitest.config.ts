// Test runner configuration: each test file runs in its own fork so that a z3 instance
// never shares a process with another file's (one instance per process; each solver-backed
// file shuts its instance down in teardown).
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // One fork per core: vitest's default leaves one core idle (cores - 1), which on a 2-core CI machine runs
    // the files one at a time. The main process only collects results.
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
