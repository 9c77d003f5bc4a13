// Test runner configuration: each test file runs in its own fork so that a z3 instance
// never shares a process with another file's (one instance per process; each solver-backed
// file shuts its instance down in teardown).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
