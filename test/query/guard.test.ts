// The guard in the product (src/questions/guard.ts): no answer is printed that its own trace
// contradicts. The solver is made to lie here (every `exists` question answered "no packet"), as a
// fault in the encoding would; the evaluator's trace of the representative packet then gets there,
// and query and user properties must say `unknown` (exit 3) with both shown — never UNREACHABLE or
// VIOLATED. Without the lie the same questions are answered (the control).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadModel, type Model } from '../../src/pipeline.ts';
import { createEvaluator, type Evaluator } from '../../src/evaluate/index.ts';
import { runQuery } from '../../src/questions/query.ts';
import { checkUserProperty, resolveUserProperties } from '../../src/questions/user-properties/check.ts';
import { guardResult } from '../../src/questions/guard.ts';
import type { PropertyResult } from '../../src/questions/property.ts';
import type { UserProperty } from '../../src/questions/user-properties/model.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';
import { concreteFirstShortcut } from '../../src/questions/reach-set.ts';

const solver = vi.hoisted(() => ({ lies: false }));
vi.mock('../../src/smt/index.ts', async (original) => {
  const real = await original<typeof import('../../src/smt/index.ts')>();
  return {
    ...real,
    exists: async (...args: Parameters<typeof real.exists>) =>
      solver.lies ? { verdict: 'no' as const, witness: null, source: null, reason: 'no packet (a lying solver)', disposition: null } : real.exists(...args),
  };
});

let model: Model;
let ev: Evaluator;
beforeAll(() => {
  const m = loadModel('topologies/seed.yaml');
  if (!m.ok) throw new Error('seed does not load');
  model = m.value;
  ev = createEvaluator(model.dataplane);
});
// The solver's answer is what lies here: the concrete-first answer (src/questions/concrete-first.ts) would
// find the packet without asking it.
concreteFirstShortcut.on = false;
afterAll(async () => { solver.lies = false; concreteFirstShortcut.on = true; await shutdownZ3(); });

async function query(lies: boolean) {
  solver.lies = lies;
  try {
    const r = await runQuery(model.topology, model.dataplane, ev, { from: 'vm1', to: 'vm4', via: null, proto: 'tcp', dport: 22 }, 10_000);
    if (!r.ok) throw new Error('bad query');
    return r.value;
  } finally {
    solver.lies = false;
  }
}

describe('query: an answer its trace contradicts is unknown', () => {
  it('control: the truth is REACHABLE', async () => {
    expect((await query(false)).verdict).toBe('reachable');
  });

  it('"no packet" above a trace delivered to vm4 becomes unknown, both shown', async () => {
    const a = await query(true);
    expect(a.verdict).toBe('unknown');
    expect(a.error).toContain('UNREACHABLE');
    expect(a.error).toContain('delivered to vm4:0');
    expect(a.trace.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm4' });
  });

  it('the CLI exits 3 whatever --expect says, and prints the verdict it would have had and the trace', async () => {
    solver.lies = true;
    try {
      const r = await runCli('query', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22', '--expect', 'unreachable', '--no-rules');
      expect(r.code).toBe(3);
      expect(r.stdout).toContain('verdict: UNKNOWN');
      expect(r.stdout).toContain('contradicted by its own trace');
      expect(r.stdout).toContain('result: delivered to vm4');
      const j = await runCli('query', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22', '--format', 'json');
      expect(j.code).toBe(3);
      expect(JSON.parse(j.stdout)).toMatchObject({ verdict: 'unknown', disposition: 'delivered', delivered_to: { vm: 'vm4' } });
    } finally {
      solver.lies = false;
    }
  });
});

describe('user properties: an answer its trace contradicts is unknown', () => {
  const prop: UserProperty = { kind: 'reach', name: 'ssh', from: 'vm1', to: 'vm4', proto: 'tcp', dport: 22, expect: 'reachable', bidirectional: false, file: 'inline', position: null, index: 0 };
  async function check(lies: boolean) {
    const r = resolveUserProperties(model.topology, model.dataplane, [prop]);
    if (!r.ok) throw new Error('bad property');
    solver.lies = lies;
    try {
      const ctx = { topology: model.topology, dataplane: model.dataplane, evaluator: ev, timeoutMs: 10_000 };
      return guardResult(await checkUserProperty(ctx, r.value[0]!));
    } finally {
      solver.lies = false;
    }
  }

  it('control: holds', async () => {
    expect((await check(false)).verdict).toBe('holds');
  });

  it('VIOLATED ("reaches no destination") above a trace delivered to vm4 becomes unknown', async () => {
    const r = await check(true);
    expect(r.verdict).toBe('unknown');
    expect(r.error).toContain('VIOLATED');
    expect(r.error).toContain('delivered to vm4:0');
    expect(r.trace?.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm4' });
  });

  it('verify with such a property exits 3, not 1', async () => {
    solver.lies = true;
    try {
      const r = await runCli('verify', 'topologies/seed.yaml', '--properties', 'test/query/topologies/ssh-reachable.yaml', '--format', 'json');
      const j = JSON.parse(r.stdout) as { results: PropertyResult[] };
      const mine = j.results.find((x) => x.property === 'vm1-ssh-to-vm4');
      expect(mine).toMatchObject({ verdict: 'unknown' });
      expect(mine?.error).toContain('VIOLATED');
      expect(r.code).toBe(3);
    } finally {
      solver.lies = false;
    }
  });
});

describe('guardResult', () => {
  const trace = () => ev.trace(model.dataplane.stations.find((s) => s.kind === 'vm-port' && s.vm === 'vm1')!, { eth_src: 'fa:16:3e:2d:0c:fa', eth_dst: 'ff:ff:ff:ff:ff:ff', vlan: null, tun_id: null, eth_type: 0x0800, ip_src: '192.168.1.11', ip_dst: '192.168.1.255', proto: 17, sport: 1, dport: 2, icmp_type: null, icmp_code: null });
  const base = (): PropertyResult => ({ property: 'p', subject: 's', verdict: 'violated', witness: trace().packet, trace: trace(), message: 'm' });

  it('keeps a result whose trace shows what it says, and results without a trace', () => {
    const r = { ...base(), claim: { says: 'x', shownBy: () => true } };
    expect(guardResult(r)).toBe(r);
    const h: PropertyResult = { property: 'p', subject: 's', verdict: 'holds', witness: null, trace: null, message: 'm' };
    expect(guardResult(h)).toBe(h);
  });

  it('a claim its trace does not show, or a witness that is not its trace’s packet, makes it unknown', () => {
    const r = guardResult({ ...base(), claim: { says: 'loops', shownBy: () => false } });
    expect(r).toMatchObject({ verdict: 'unknown' });
    expect(r.error).toContain('says the packet loops');
    const w = guardResult({ ...base(), witness: { ...trace().packet, dport: 99 } });
    expect(w.verdict).toBe('unknown');
    expect(w.error).toContain('another packet than its witness');
  });
});
