// A subnet's directed broadcast is a local destination of the router (Linux's local table has a
// `broadcast` route for each of its subnets; bc_forwarding is off): vm1 (subnet1) sending to
// 192.168.2.255 through its gateway reaches the qrouter namespace itself, in the evaluator and in the
// solver alike, and never a VM of subnet2.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { reach, shutdownZ3 } from '../../src/smt/index.ts';
import { traceBetween } from '../../src/questions/trace.ts';

afterAll(async () => { await shutdownZ3(); });

describe('directed broadcast to another subnet of the router', () => {
  const m = loadModel('topologies/seed.yaml');
  if (!m.ok) throw new Error('seed does not load');
  const { topology, dataplane: dp } = m.value;
  const ev = createEvaluator(dp);
  const vm1 = dp.stations.find((s) => s.kind === 'vm-port' && s.vm === 'vm1')!;
  const onSubnet2 = dp.stations.filter((s) => s.kind === 'vm-port' && s.ip.startsWith('192.168.2.'));
  const router = dp.hosts.flatMap((h) => h.namespaces.filter((n) => n.name.startsWith('qrouter-')).map((n) => ({ host: h.name, namespace: n.name })))[0]!;
  const sent = { ipDst: [{ ip: '192.168.2.255', prefixLen: 32 }] };

  it('the evaluator delivers it to the router namespace', () => {
    if (vm1.kind !== 'vm-port') throw new Error('vm1');
    const t = traceBetween(topology, ev, { kind: 'port', station: vm1, ip: vm1.ip }, '192.168.2.255', { proto: 'icmp' });
    expect(t.disposition).toBe('delivered');
    expect(t.deliveredTo).toEqual({ kind: 'namespace', ...router });
  });

  it('the solver finds it delivered there, and never at a VM of subnet2', async () => {
    expect(onSubnet2.length).toBeGreaterThan(0);
    const there = await reach(dp, { sources: [vm1], sent, target: { kind: 'namespace', ...router } }, { converged: ev.converged });
    expect(there.verdict).toBe('reachable');
    for (const s of onSubnet2) {
      const r = await reach(dp, { sources: [vm1], sent, target: { kind: 'station', station: s } }, { converged: ev.converged });
      expect(r.verdict).toBe('unreachable');
    }
  });
});
