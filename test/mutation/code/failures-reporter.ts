// A vitest reporter for `npm run mutation:code` (run.ts): writes every failure of a run — a test, a
// module that failed outside its tests (an import, a hook), an error outside any test — with its
// errors' messages, as JSON to the file NETPROOF_FAILURES_FILE names. (vitest's own JSON reporter
// keeps only a timeout's stack, which does not say that it was a timeout.)
import { writeFileSync } from 'node:fs';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';
import type { Failure } from './judge.ts';

export default class FailuresReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[], unhandled: readonly SerializedError[]): void {
    const file = process.env.NETPROOF_FAILURES_FILE;
    if (file === undefined) return;
    const failures: Failure[] = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state === 'failed') failures.push({ what: `${m.relativeModuleId} > ${t.fullName}`, messages: r.errors.map((e) => e.message) });
      }
      const errors = m.errors();
      if (errors.length > 0) failures.push({ what: m.relativeModuleId, messages: errors.map((e) => e.message) });
    }
    if (unhandled.length > 0) failures.push({ what: 'errors outside any test', messages: unhandled.map((e) => e.message) });
    writeFileSync(file, JSON.stringify({ failures }));
  }
}
