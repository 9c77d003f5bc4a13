// Renewing Z3 in a long-lived process (src/smt/z3.ts `renewZ3IfOver`): a resident model asked a sequence
// of questions with the renewal limit forced to 0 bytes (so every question after the first starts a fresh
// instance) answers exactly as a model asked the same sequence on one instance, and it did renew (the
// instance's generation moved and the context is another). Also the renewal's own terms: under its
// limit nothing is renewed, and a value kept `perInstance` is made afresh for the new instance.
import { afterAll, describe, expect, it } from 'vitest';
import { load, type ResidentModel } from '../../src/index.ts';
import { sameUpToOutsideAddress } from './outside-address.ts';
import { getZ3, perInstance, renewZ3IfOver, setZ3RenewalLimit, shutdownZ3, z3Generation } from '../../src/smt/index.ts';
import { concreteFirstShortcut } from '../../src/questions/reach-set.ts';

const opened: ResidentModel[] = [];
const defaultLimit = setZ3RenewalLimit(2 ** 30);
// Questions that ask the solver are what this file renews Z3 between: the concrete-first answer
// (src/questions/concrete-first.ts) would answer reachable ones without it.
concreteFirstShortcut.on = false;
afterAll(async () => {
  concreteFirstShortcut.on = true;
  setZ3RenewalLimit(defaultLimit);
  for (const m of opened) await m.close();
  await shutdownZ3();
});

function loaded(file: string): ResidentModel {
  const r = load(file);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  opened.push(r.value);
  return r.value;
}

type Ask = { readonly kind: 'query' | 'verify'; readonly params: Record<string, unknown> };

function asksOn(np: ResidentModel): Ask[] {
  const vms = np.model.topology.vms.map((v) => v.name);
  return [
    { kind: 'query', params: { from: vms[0], to: vms[1], proto: 'tcp', dport: 22 } },
    { kind: 'query', params: { from: vms[0], to: vms.at(-1) } },
    { kind: 'query', params: { from: vms.at(-1), to: vms[0], proto: 'icmp' } },
    { kind: 'query', params: { from: vms[0], to: 'external', proto: 'tcp', dport: 443, bidirectional: true } },
    { kind: 'query', params: { from: vms[0], to: '8.8.8.8', proto: 'tcp', dport: 443 } },
    { kind: 'verify', params: { select: ['nat-egress', 'anti-spoofing', 'security-groups'] } },
    // Not the first again: a request asked before is answered from the model's kept answers, without Z3.
    { kind: 'query', params: { from: vms[1], to: vms[0], proto: 'tcp', dport: 22 } },
  ];
}

async function ask(np: ResidentModel, a: Ask): Promise<{ code: number; json: unknown }> {
  const r = a.kind === 'query' ? await np.query(a.params as never) : await np.verify(a.params as never);
  return { code: r.exitCode, json: r.ok ? r.value : r.errors };
}

describe('Z3 renewed between the questions of a resident model', () => {
  for (const name of ['seed', 'ha']) {
    it(`${name}: the same answers with an instance per question as on one instance`, async () => {
      const file = `topologies/${name}.yaml`;
      // One instance for the whole sequence (the limit far above what these questions use).
      setZ3RenewalLimit(2 ** 31);
      const kept = loaded(file);
      const asks = asksOn(kept);
      const g0 = z3Generation();
      const once = [];
      for (const a of asks) once.push(await ask(kept, a));
      expect(z3Generation(), 'no renewal under the limit').toBe(g0);

      // A renewal before every question: the limit is 0 bytes, and every instance has allocated something.
      setZ3RenewalLimit(0);
      const renewed = loaded(file);
      const ctxBefore = await getZ3();
      const g1 = z3Generation();
      for (const [i, a] of asks.entries()) {
        const got = await ask(renewed, a);
        expect(got.code, `${name} ${JSON.stringify(a)}`).toBe(once[i]!.code);
        const free = a.params.to === 'external' || a.params.to === '8.8.8.8';
        expect(sameUpToOutsideAddress(got.json, once[i]!.json, free, renewed.model.topology), `${name} ${JSON.stringify(a)}`).toEqual(once[i]!.json);
      }
      expect(z3Generation() - g1, 'one renewal per question').toBe(asks.length);
      expect(await getZ3(), 'a fresh context').not.toBe(ctxBefore);
      setZ3RenewalLimit(2 ** 30);
    }, 600_000);
  }
});

describe('renewZ3IfOver and perInstance', () => {
  it('renews only above the limit, and a per-instance value is made again for the new instance', async () => {
    const made: number[] = [];
    const value = perInstance(() => {
      made.push(z3Generation());
      return { n: made.length };
    });
    await getZ3();
    const first = value();
    expect(value(), 'the same value while the instance lives').toBe(first);
    expect(await renewZ3IfOver(2 ** 31), 'under the limit').toBe(false);
    expect(value()).toBe(first);
    const g = z3Generation();
    expect(await renewZ3IfOver(0), 'over a limit of 0 bytes').toBe(true);
    expect(z3Generation()).toBe(g + 1);
    expect(await renewZ3IfOver(0), 'no instance runs until the next getZ3(): nothing to renew').toBe(false);
    const second = value();
    expect(second).not.toBe(first);
    expect(made).toEqual([g, g + 1]);
  }, 120_000);
});
