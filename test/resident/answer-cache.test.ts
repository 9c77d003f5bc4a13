// A resident model's query answers kept by request (src/resident/answer-cache.ts): asked again, the same
// request is answered without the solver (no check runs) with the same JSON, whatever order its
// parameters are written in; a caller changing its copy changes no later answer; after a reload the
// question is asked again; an unknown answer (exit code 3) is not kept.
import { afterAll, describe, expect, it } from 'vitest';
import { load, type ResidentModel } from '../../src/index.ts';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { AnswerCache, requestKey } from '../../src/resident/answer-cache.ts';
import { concreteFirstShortcut } from '../../src/questions/reach-set.ts';

const opened: ResidentModel[] = [];
// The solver's way is what this file counts checks of: the concrete-first answer (src/questions/concrete-first.ts)
// would answer reachable questions without it.
concreteFirstShortcut.on = false;
afterAll(async () => {
  concreteFirstShortcut.on = true;
  for (const m of opened) await m.close();
  await shutdownZ3();
});

/** Counts the solver's checks from now on (every check of the process goes through Solver.prototype.check). */
async function countChecks(): Promise<{ readonly n: number }> {
  const ctx = await getZ3();
  const proto = ctx.Solver.prototype as { check: (...a: unknown[]) => Promise<unknown> };
  const check = proto.check;
  const counter = { n: 0 };
  proto.check = function (this: unknown, ...a: unknown[]) {
    counter.n++;
    return check.apply(this, a);
  };
  return counter;
}

describe('query answers kept by a resident model', () => {
  it('the same request is answered again without the solver, with the same JSON', async () => {
    const r = load('topologies/seed.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const np = r.value;
    opened.push(np);
    const checks = await countChecks();
    const asks = [
      { from: 'vm1', to: 'vm4', proto: 'tcp', dport: 22 },
      { from: 'vm1', to: '8.8.8.8', proto: 'tcp', dport: 443 },
      { from: 'vm3', to: 'vm1', proto: 'icmp' },
    ] as const;
    for (const p of asks) {
      const before = checks.n;
      const first = await np.query(p);
      expect(first.ok, JSON.stringify(p)).toBe(true);
      expect(checks.n, `${JSON.stringify(p)}: the first time asks the solver`).toBeGreaterThan(before);
      const asked = checks.n;
      // The same request with its parameters in the reverse order.
      const again = await np.query(Object.fromEntries(Object.entries(p).reverse()) as typeof p);
      expect(checks.n, `${JSON.stringify(p)}: asked again, no check`).toBe(asked);
      expect(again).toEqual(first);
      // A caller's copy is its own.
      if (first.ok) (first.value as { verdict: string }).verdict = 'changed by the caller';
      expect(await np.query(p)).toEqual(again);
      expect(checks.n).toBe(asked);
    }
    // Another field is another request.
    const before = checks.n;
    expect((await np.query({ from: 'vm1', to: 'vm4', proto: 'tcp', dport: 23 })).ok).toBe(true);
    expect(checks.n).toBeGreaterThan(before);
    // After a reload the model may be another: asked again.
    expect(np.reload().ok).toBe(true);
    const reloaded = checks.n;
    expect((await np.query(asks[0])).ok).toBe(true);
    expect(checks.n, 'after a reload the solver is asked again').toBeGreaterThan(reloaded);
  }, 300_000);

  it('keeps definite answers only, each as a copy', () => {
    const cache = new AnswerCache<{ verdict: string }>();
    cache.set('a', { ok: true, value: { verdict: 'unknown' }, exitCode: 3, warnings: [] });
    cache.set('b', { ok: false, errors: [], exitCode: 2 });
    expect(cache.size).toBe(0);
    const kept = { ok: true as const, value: { verdict: 'reachable' }, exitCode: 0 as const, warnings: [] };
    cache.set('c', kept);
    kept.value.verdict = 'changed';
    expect(cache.get('c')).toEqual({ ok: true, value: { verdict: 'reachable' }, exitCode: 0, warnings: [] });
    expect(requestKey({ from: 'a', to: 'b' })).toBe(requestKey({ to: 'b', from: 'a', via: undefined }));
    expect(requestKey({ from: 'a', to: 'b' })).not.toBe(requestKey({ from: 'b', to: 'a' }));
  });
});
