// `npm run mutation:code` takes a test that only ran out of time for no verdict: never a kill, never a
// failing fault-free run (the messages are what failures-reporter.ts records from vitest 4).
import { describe, expect, it } from 'vitest';
import { judge, type Failure } from './judge.ts';

const timedOut: Failure = { what: 'test/smt/a.test.ts > slow', messages: ['Test timed out in 60000ms.\nIf this is a long-running test, pass a timeout value as the last argument or configure it globally with "testTimeout".'] };
const hookTimedOut: Failure = { what: 'test/smt/b.test.ts', messages: ['Hook timed out in 60000ms.\nIf this is a long-running hook, pass a timeout value as the last argument or configure it globally with "hookTimeout".'] };
const wrong: Failure = { what: 'test/smt/c.test.ts > range', messages: ['expected 1 to be 2 // Object.is equality'] };

describe('mutation:code judges a vitest run', () => {
  it('a run that exited 0 passed', () => {
    expect(judge(true, [], '')).toEqual({ kind: 'passed' });
  });
  it('an assertion that fails is a failure, named by its test, even beside timeouts', () => {
    expect(judge(false, [wrong], '')).toEqual({ kind: 'failed', by: 'test/smt/c.test.ts > range' });
    expect(judge(false, [timedOut, wrong], '')).toEqual({ kind: 'failed', by: 'test/smt/c.test.ts > range' });
  });
  it('a run whose failures are all timeouts is no verdict', () => {
    expect(judge(false, [timedOut, hookTimedOut], '')).toEqual({ kind: 'timed out', what: 'test/smt/a.test.ts > slow; test/smt/b.test.ts' });
  });
  it('a message that only mentions a timeout further on is a failure', () => {
    expect(judge(false, [{ what: 'x > y', messages: ['expected "Test timed out in 5ms" to be "…"'] }], '').kind).toBe('failed');
  });
  it('vitest failing before reporting anything is a failure', () => {
    expect(judge(false, null, 'Error: Cannot find module\n')).toEqual({ kind: 'failed', by: 'vitest failed without a failing test (Error: Cannot find module)' });
  });
});
