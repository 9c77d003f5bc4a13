// Port ranges at their bounds, over all packets: each security group opens tcp ports at an edge of
// 2000-2100 (vm2 2100, vm3 2000, vm4 2050-2100), and user properties on port ranges must hold or be
// violated exactly there. The ranges are left symbolic (a range, not one port), so the solver's range
// encoding is what decides: an upper bound made exclusive (`ule` → `ult`) or a lower one (`uge` →
// `ugt`) turns a `holds` here into `violated`, or the reverse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Model } from '../../src/pipeline.ts';
import { createEvaluator, type Evaluator } from '../../src/evaluate/index.ts';
import { checkUserProperty, resolveUserProperties } from '../../src/questions/user-properties/check.ts';
import { guardResult } from '../../src/questions/guard.ts';
import type { PortSpec, UserProperty } from '../../src/questions/user-properties/model.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';

let model: Model;
let ev: Evaluator;
beforeAll(() => {
  const m = loadModel('test/user-properties/topologies/port-bounds.yaml');
  if (!m.ok) throw new Error(m.errors.map((x) => x.message).join('; '));
  model = m.value;
  ev = createEvaluator(model.dataplane);
});
afterAll(async () => { await shutdownZ3(); });

async function verdict(to: string, dport: PortSpec, expect: 'reachable' | 'unreachable') {
  const p: UserProperty = { kind: 'reach', name: `${to}-${String(dport)}`, from: 'vm1', to, proto: 'tcp', dport, expect, bidirectional: false, file: 'inline', position: null, index: 0 };
  const r = resolveUserProperties(model.topology, model.dataplane, [p]);
  if (!r.ok) throw new Error(r.errors.map((x) => x.message).join('; '));
  return guardResult(await checkUserProperty({ topology: model.topology, dataplane: model.dataplane, evaluator: ev, timeoutMs: 10_000 }, r.value[0]!));
}

describe('a group opening the upper bound (vm2: tcp 2100)', () => {
  it('dport 2000-2100 reaches it (only at 2100): holds', async () => expect((await verdict('vm2', [2000, 2100], 'reachable')).verdict).toBe('holds'));
  it('dport 2000-2099 does not: expect reachable is violated, with the trace of a dropped packet', async () => {
    const r = await verdict('vm2', [2000, 2099], 'reachable');
    expect(r.verdict).toBe('violated');
    expect(r.trace?.disposition).toBe('dropped');
  });
  it('dport 2000-2099: expect unreachable holds', async () => expect((await verdict('vm2', [2000, 2099], 'unreachable')).verdict).toBe('holds'));
  it('dport 2100-2200 reaches it (only at 2100): expect unreachable is violated, with a witness on 2100 delivered to vm2', async () => {
    const r = await verdict('vm2', [2100, 2200], 'unreachable');
    expect(r.verdict).toBe('violated');
    expect(r.witness?.dport).toBe(2100);
    expect(r.trace?.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm2' });
  });
});

describe('a group opening the lower bound (vm3: tcp 2000)', () => {
  it('dport 2000-2100 reaches it: holds', async () => expect((await verdict('vm3', [2000, 2100], 'reachable')).verdict).toBe('holds'));
  it('dport 2001-2100 does not: expect unreachable holds', async () => expect((await verdict('vm3', [2001, 2100], 'unreachable')).verdict).toBe('holds'));
  it('dport 1900-2000 reaches it (only at 2000): expect unreachable is violated', async () => expect((await verdict('vm3', [1900, 2000], 'unreachable')).verdict).toBe('violated'));
});

describe('a group opening a range (vm4: tcp 2050-2100), asked with ranges overlapping it at one port', () => {
  it('dport 2100-2200 (its upper bound): holds', async () => expect((await verdict('vm4', [2100, 2200], 'reachable')).verdict).toBe('holds'));
  it('dport 2000-2050 (its lower bound): holds', async () => expect((await verdict('vm4', [2000, 2050], 'reachable')).verdict).toBe('holds'));
  it('dport 2101-2200 and 2000-2049 (just outside): expect unreachable holds', async () => {
    expect((await verdict('vm4', [2101, 2200], 'unreachable')).verdict).toBe('holds');
    expect((await verdict('vm4', [2000, 2049], 'unreachable')).verdict).toBe('holds');
  });
});
