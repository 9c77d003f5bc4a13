// `diff` when Z3 gives up on the first check of a sender (is anything different at all?): the sender
// is unknown, said plainly, with the solver named once in the reason. Z3 is made to give up for
// certain by a resource limit of 1 on every check that needs the solver (a timeout of a millisecond
// is sometimes met); the check is otherwise the one diff makes.
import { readFileSync } from 'node:fs';
import { afterAll, expect, it, vi } from 'vitest';
import { loadTopologyText } from '../../src/topology/index.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { runDiff } from '../../src/questions/diff.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCheck } from '../../src/smt/z3.ts';

vi.mock('../../src/smt/solve.ts', async (original) => {
  const real = await original<typeof import('../../src/smt/solve.ts')>();
  const checkSat: typeof real.checkSat = async (ctx, e, cond, timeoutMs) => {
    if (cond === false) return real.checkSat(ctx, e, cond, timeoutMs);
    const solver = new ctx.Solver();
    solver.set('rlimit', 1);
    solver.add(e.bool(cond));
    const r = await runCheck(solver);
    if (r !== 'unknown') throw new Error(`Z3 decided a check within a resource limit of 1 (${r})`);
    return { status: 'unknown', reason: `solver: ${solver.reasonUnknown()}` };
  };
  return { ...real, checkSat };
});

afterAll(async () => { await shutdownZ3(); });

function party(text: string, name: string) {
  const t = loadTopologyText(text, name);
  if (!t.ok) throw new Error(t.errors.map((e) => e.message).join('; '));
  const model = modelFromTopology(t.value);
  return { model, ev: createEvaluator(model.dataplane) };
}

it('a solver that gives up on whether anything differs: the sender is unknown, the solver named once', async () => {
  const seed = readFileSync('topologies/seed.yaml', 'utf8');
  const rule = '- { direction: ingress, protocol: icmp }';
  expect(seed).toContain(rule);
  const after = seed.replace(rule, `${rule}\n      - { direction: ingress, protocol: tcp, port: 8080 }`);
  const r = await runDiff(party(seed, 'before.yaml'), party(after, 'after.yaml'), { from: 'external', to: null, via: null }, 20_000);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  expect(r.value.verdict).toBe('unknown');
  expect(r.value.differences).toEqual([]);
  const [s] = r.value.senders;
  expect(s!.complete).toBe(false);
  // Said of all the sender's packets, or of those whose walk ends unfinished (the outside world's packets that
  // the upstream router sends back onto its subnet include some that meet their own NAT connection again,
  // structurally: whether any such packet exists is the solver's to decide, and it gives up on that first).
  expect(s!.unknown).toMatch(/^(the packets that cross something not modelled: )?solver: \S/);
  expect(s!.unknown).not.toMatch(/solver: solver/);
});
