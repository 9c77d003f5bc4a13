// Where a query's packet must end to count as there, held the same way by the solver and by the
// evaluator's trace: the upstream router's own address is reached when the packet is delivered to it,
// and an address a router sends to a VM as its next hop is reached at that VM. Before, the solver
// asked for something else than the trace showed, and the answer contradicted its own trace.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { runQuery, type QueryParams } from '../../src/questions/query.ts';
import { resolveUserProperties, checkUserProperty } from '../../src/questions/user-properties/check.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import type { UserProperty } from '../../src/questions/user-properties/model.ts';

afterAll(async () => { await shutdownZ3(); });

function model(file: string) {
  const m = loadModel(file);
  if (!m.ok) throw new Error(m.errors.map((e) => e.message).join('; '));
  return { ...m.value, ev: createEvaluator(m.value.dataplane) };
}

async function ask(file: string, p: Omit<QueryParams, 'via'>) {
  const m = model(file);
  const r = await runQuery(m.topology, m.dataplane, m.ev, { via: null, ...p }, 10_000);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.value;
}

describe('query destinations', () => {
  it('the upstream router itself (203.0.113.1 on the seed) is reached when the packet is delivered to it', async () => {
    const a = await ask('topologies/seed.yaml', { from: 'vm1', to: '203.0.113.1' });
    expect(a.error).toBeUndefined();
    expect(a.verdict).toBe('reachable');
    expect(a.trace.disposition).toBe('delivered');
    expect(a.trace.deliveredTo).toEqual({ kind: 'external', network: 'public' });
  });

  it('an address a router sends to a VM as its next hop is reached at that VM', async () => {
    const a = await ask('test/query/topologies/vm-nexthop.yaml', { from: 'vm3', to: '10.99.0.5' });
    expect(a.error).toBeUndefined();
    expect(a.verdict).toBe('reachable');
    expect(a.trace.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm2', port: 0 });
    expect(a.trace.final.ip_dst).toBe('10.99.0.5');
    // On the same subnet as vm2 the packet goes to the router too, and on to vm2.
    const b = await ask('test/query/topologies/vm-nexthop.yaml', { from: 'vm1', to: '10.99.0.5', proto: 'tcp', dport: 22 });
    expect(b.verdict).toBe('reachable');
    expect(b.trace.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm2' });
  });

  it('the same address is an outside host where no router routes it to a VM', async () => {
    const a = await ask('topologies/seed.yaml', { from: 'vm3', to: '10.99.0.5' });
    expect(a.verdict).toBe('reachable');
    expect(a.trace.disposition).toBe('exited');
  });

  it('a user property on such an address holds, with the same destination test', async () => {
    const m = model('test/query/topologies/vm-nexthop.yaml');
    const prop: UserProperty = { kind: 'reach', name: 'vpn', from: 'vm3', to: '10.99.0.5', expect: 'reachable', bidirectional: false, file: 'inline', position: null, index: 0 };
    const r = resolveUserProperties(m.topology, m.dataplane, [prop]);
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
    const res = await checkUserProperty({ topology: m.topology, dataplane: m.dataplane, evaluator: m.ev, timeoutMs: 10_000 }, r.value[0]!);
    expect(res.verdict).toBe('holds');
  });
});
