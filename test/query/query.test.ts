// `query` on the seed: verdicts over all packets, witnesses replayed, the representative trace of an
// unreachable answer, the reply through SNAT/DNAT state, and the CLI's exit codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Model } from '../../src/pipeline.ts';
import { createEvaluator, type Evaluator } from '../../src/evaluate/index.ts';
import { runQuery, type QueryParams } from '../../src/questions/query.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';

let model: Model;
let ev: Evaluator;
beforeAll(() => {
  const m = loadModel('topologies/seed.yaml');
  if (!m.ok) throw new Error('seed does not load');
  model = m.value;
  ev = createEvaluator(model.dataplane);
});
afterAll(async () => { await shutdownZ3(); });

async function ask(p: Omit<QueryParams, 'via'>) {
  const r = await runQuery(model.topology, model.dataplane, ev, { via: null, ...p }, 10_000);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.value;
}

describe('query verdicts on the seed', () => {
  it('vm1 reaches vm4 on tcp/22 with a replayed witness delivered to vm4', async () => {
    const a = await ask({ from: 'vm1', to: 'vm4', proto: 'tcp', dport: 22 });
    expect(a.verdict).toBe('reachable');
    expect(a.trace.packet).toMatchObject({ ip_src: '192.168.1.11', ip_dst: '192.168.2.14', proto: 6, dport: 22 });
    expect(a.trace.disposition).toBe('delivered');
    expect(a.trace.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm4', port: 0 });
  });

  it('outside cannot reach vm4 floating IP on tcp/22: the representative trace names the dropping rule', async () => {
    const a = await ask({ from: '8.8.8.8', to: '203.0.113.101', proto: 'tcp', dport: 22 });
    expect(a.verdict).toBe('unreachable');
    expect(a.failed).toBe('request');
    expect(a.trace.packet).toMatchObject({ ip_src: '8.8.8.8', ip_dst: '203.0.113.101', dport: 22 });
    expect(a.trace.disposition).toBe('dropped');
    expect(a.trace.droppedAt?.rule).toMatch(/-j DROP/);
    expect(a.trace.droppedAt?.host).toBe('compute2');
  });

  it('hairpin to the floating IP: DNATed (and SNATed by the router), then stopped by vm4 default group', async () => {
    const a = await ask({ from: 'vm3', to: '203.0.113.101', proto: 'tcp', dport: 22 });
    expect(a.verdict).toBe('unreachable');
    expect(a.trace.packet.ip_dst).toBe('203.0.113.101');
    expect(a.trace.final.ip_dst).toBe('192.168.2.14');
    expect(a.trace.droppedAt?.device).toMatch(/^qbr/);
  });

  it('bidirectional through SNAT: the reply comes back to vm1 un-NATed', async () => {
    const a = await ask({ from: 'vm1', to: '8.8.8.8', proto: 'tcp', dport: 443, bidirectional: true });
    expect(a.verdict).toBe('reachable');
    expect(a.trace.final.ip_src).toBe('203.0.113.10'); // SNAT on the way out
    expect(a.reply?.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm1' });
    expect(a.reply?.packet.ip_dst).toBe('203.0.113.10');
    expect(a.reply?.final).toMatchObject({ ip_src: '8.8.8.8', ip_dst: '192.168.1.11' });
  });

  it('a free protocol still gives a TCP witness (what a person would send)', async () => {
    const a = await ask({ from: 'vm2', to: 'vm1', proto: 'any', dport: 22 });
    expect(a.verdict).toBe('reachable');
    expect(a.trace.packet.proto).toBe(6);
  });
});

describe('query CLI', () => {
  it('--expect: 0 when it holds, 1 when not; JSON has the verdict and the trace contract', async () => {
    const ok = await runCli('query', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22', '--expect', 'reachable', '--format', 'json');
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.stdout) as Record<string, unknown>;
    expect(Object.keys(j).slice(0, 4)).toEqual(['verdict', 'disposition', 'delivered_to', 'dropped_at']);
    expect(j).toMatchObject({ verdict: 'reachable', delivered_to: { vm: 'vm4', port: 0, host: 'compute2' }, packet: { proto: 'tcp', dport: 22 } });
    const no = await runCli('query', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22', '--expect', 'unreachable');
    expect(no.code).toBe(1);
    expect(no.stdout).toContain('verdict: REACHABLE');
  });

  it('bad input exits 2 before anything is checked', async () => {
    const r = await runCli('query', 'topologies/seed.yaml', '--from', 'nosuchvm', '--to', 'vm4');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NP405');
    const b = await runCli('query', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', '--expect', 'maybe');
    expect(b.code).toBe(2);
  });
});
