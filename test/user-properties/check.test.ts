// Semantics of user properties on the shipped topologies: reachable = every sender reaches some
// destination; unreachable = no packet at all; isolate = no packet by fixed addresses; bidirectional
// through DNAT (seed-vlan, where vm4's ssh group opens its floating IP).
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import type { VerifyContext } from '../../src/questions/property.ts';
import { checkUserProperty, resolveUserProperties } from '../../src/questions/user-properties/check.ts';
import { loadPropertyText } from '../../src/questions/user-properties/load.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';

afterAll(async () => { await shutdownZ3(); });

function context(file: string): VerifyContext {
  const m = loadModel(file);
  if (!m.ok) throw new Error(`${file} does not load`);
  return { topology: m.value.topology, dataplane: m.value.dataplane, evaluator: createEvaluator(m.value.dataplane), timeoutMs: 10_000 };
}

async function check(ctx: VerifyContext, yaml: string) {
  const props = loadPropertyText(yaml, 't.yaml');
  if (!props.ok) throw new Error(props.errors.map((e) => e.message).join('; '));
  const r = resolveUserProperties(ctx.topology, ctx.dataplane, props.value);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return Promise.all(r.value.map((p) => checkUserProperty(ctx, p)));
}

describe('user properties on the seed', () => {
  const ctx = context('topologies/seed.yaml');

  it('reach/expect reachable holds for vm1→vm4 tcp/22, and names the result by the property', async () => {
    const [r] = await check(ctx, '- { name: ssh, reach: { from: vm1, to: vm4, proto: tcp, dport: 22 }, expect: reachable }');
    expect(r).toMatchObject({ property: 'ssh', subject: 'reach:vm1->vm4', verdict: 'holds', witness: null });
  });

  it('expect reachable is violated when one sender reaches nothing, with its representative trace', async () => {
    // Only vm1 is in the ssh group: tcp/22 from outside reaches vm1 (one destination of net1) but not vm2.
    const [r] = await check(ctx, '- { name: x, reach: { from: external, to: "network:net1", proto: tcp, dport: 22 }, expect: reachable }');
    expect(r!.verdict).toBe('holds');
    const [v] = await check(ctx, '- { name: y, reach: { from: external, to: vm2, proto: tcp, dport: 22 }, expect: reachable }');
    expect(v!.verdict).toBe('violated');
    expect(v!.witness).toBeNull();
    expect(v!.trace?.disposition).toBe('dropped');
    expect(v!.trace?.droppedAt?.host).toBe('compute2');
    expect(v!.trace?.packet).toMatchObject({ ip_dst: '192.168.1.12', proto: 6, dport: 22 });
    expect(v!.message).toMatch(/external:public reaches no destination/);
  });

  it('expect unreachable: holds for outside→vm4 FIP tcp/22; violated with a replayed witness otherwise', async () => {
    const [h] = await check(ctx, '- { name: fip, reach: { from: external, to: 203.0.113.101, proto: tcp, dport: 22 }, expect: unreachable }');
    expect(h!.verdict).toBe('holds');
    const [v] = await check(ctx, '- { name: out, reach: { from: vm2, to: external, proto: udp, dport: 53 }, expect: unreachable }');
    expect(v!.verdict).toBe('violated');
    expect(v!.witness).toMatchObject({ ip_src: '192.168.1.12', proto: 17, dport: 53 });
    expect(v!.trace?.deliveredTo).toEqual({ kind: 'external', network: 'public' });
    expect(v!.trace?.final.ip_src).toBe('203.0.113.10');
    expect(v!.trace?.packet).toEqual(v!.witness);
  });

  it('isolate: violated within the project (vm1 reaches vm3 by its fixed address)', async () => {
    const [r] = await check(ctx, '- { name: iso, isolate: { from: vm1, to: vm3 } }');
    expect(r!.verdict).toBe('violated');
    expect(r!.witness?.ip_dst).toBe('192.168.2.13');
    expect(r!.trace?.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm3' });
  });

  it('a CIDR endpoint: anything in 192.168.2.0/24 reached from vm1 on tcp/22', async () => {
    const [r] = await check(ctx, '- { name: c, reach: { from: vm1, to: 192.168.2.0/24, proto: tcp, dport: 22 }, expect: reachable }');
    expect(r!.verdict).toBe('holds');
  });
});

describe('bidirectional through DNAT (seed-vlan)', () => {
  it('outside reaches vm4 floating IP on tcp/22 and the reply leaves un-DNATed', async () => {
    const ctx = context('topologies/seed-vlan.yaml');
    const [r] = await check(ctx, '- { name: fip, reach: { from: external, to: 203.0.113.101, proto: tcp, dport: 22 }, expect: reachable, bidirectional: true }');
    expect(r).toMatchObject({ verdict: 'holds', message: expect.stringContaining('gets the reply back') });
  });
});

describe('isolate leaves shared networks out, as project-isolation does (provider)', () => {
  it('web1 and app1 sit on shared networks only: nothing to isolate, and the message says so', async () => {
    const ctx = context('topologies/provider.yaml');
    const [r] = await check(ctx, '- { name: iso, isolate: { from: web1, to: app1 } }');
    expect(r!.verdict).toBe('n/a');
    expect(r!.message).toBe('nothing to isolate: no sender of web1 outside shared networks; 2 ports on shared networks left out');
    // The same pair as a reach question has no shared-network exception: the solver answers it (the
    // two provider networks meet only at the upstream router, which netproof does not route through).
    const [q] = await check(ctx, '- { name: q, reach: { from: web1, to: app1 }, expect: unreachable }');
    expect(q!.verdict).toBe('holds');
    expect(q!.message).toMatch(/^no packet from web1 reaches app1 \(no packet/);
  });
});

