// Explorations that stop across an external network (`stopAcrossExternal`, the `near` scope of the
// built-in properties): vm1's packets that router1 SNATs onto the external network and that reach
// router2 at its own address (vm2's floating IP) are cut there instead of being followed into vm2's
// network; every other end is the same as in the whole walk; the outside world's packets are never
// cut; a packet router2 would route on (an extra route on router1 through router2's gateway, to vm2's
// subnet or to the internet) is never cut either, so project-isolation and nat-egress still find what
// lies beyond; and the properties built on the near scope still see what they ask about.
import { afterAll, describe, expect, it } from 'vitest';
import { explore, shutdownZ3, type End } from '../../src/smt/index.ts';
import { endKey } from '../../src/smt/merge.ts';
import { projectIsolation } from '../../src/questions/properties/project-isolation.ts';
import { natEgress } from '../../src/questions/properties/nat-egress.ts';
import { fipIngress } from '../../src/questions/properties/fip-ingress.ts';
import { outsideStations, vmStations } from '../../src/questions/properties/common.ts';
import { context } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const toVm = (vm: string) => (end: End) => end.kind === 'end' && end.disposition === 'delivered' && end.delivery?.kind === 'vm' && end.delivery.vm === vm;

describe('exploring up to the far side of an external network', () => {
  const ctx = context('two-routers');
  const vm1 = vmStations(ctx).find((s) => s.vm === 'vm1')!;
  const opts = { converged: ctx.evaluator.converged };

  it("cuts vm1's packets at router2's gateway instead of following them to vm2's floating IP", async () => {
    const whole = await explore(ctx.dataplane, [vm1], {}, opts);
    const near = await explore(ctx.dataplane, [vm1], {}, { ...opts, stopAcrossExternal: true });
    expect(whole.outcomes.some((o) => toVm('vm2')(o.end))).toBe(true);
    expect(near.outcomes.some((o) => toVm('vm2')(o.end))).toBe(false);
    const cuts = near.outcomes.filter((o) => o.end.kind === 'cut');
    expect(cuts.length).toBeGreaterThan(0);
    for (const c of cuts) expect(c.end.kind === 'cut' && c.end.where).toMatch(/^network1\/qrouter-\S+:qg-\S+: routed across an external network/);
    expect(whole.outcomes.some((o) => o.end.kind === 'cut')).toBe(false);
    // Everything on this side is the same: the exits to the outside world, the drops and deliveries before router2.
    const keys = (x: typeof near) => new Set(x.outcomes.filter((o) => o.end.kind !== 'cut').map((o) => endKey(o.end)));
    const nearKeys = keys(near);
    const wholeKeys = keys(whole);
    for (const k of nearKeys) expect(wholeKeys.has(k)).toBe(true);
    expect([...nearKeys].some((k) => k.startsWith('exited|'))).toBe(true);
  });

  it("never cuts the outside world's packets: they reach vm2 through its floating IP", async () => {
    const outside = outsideStations(ctx)[0]!;
    const near = await explore(ctx.dataplane, [outside], {}, { ...opts, stopAcrossExternal: true });
    expect(near.outcomes.some((o) => toVm('vm2')(o.end))).toBe(true);
  });

  it('the properties that ask about the near side still hold, and fip-ingress sees the floating IP', async () => {
    for (const p of [projectIsolation, natEgress, fipIngress]) {
      const rs = await p.check(ctx);
      expect(rs.length).toBeGreaterThan(0);
      for (const r of rs) expect([p.id, r.subject, r.verdict]).toEqual([p.id, r.subject, 'holds']);
    }
  });

  it('does not cut what router2 routes on: an extra route through its gateway is followed to vm2 and to the internet', async () => {
    const via = context('route-via-router');
    const v1 = vmStations(via).find((s) => s.vm === 'vm1')!;
    const near = await explore(via.dataplane, [v1], {}, { converged: via.evaluator.converged, stopAcrossExternal: true });
    expect(near.outcomes.some((o) => toVm('vm2')(o.end))).toBe(true);
    const [iso] = (await projectIsolation.check(via)).filter((r) => r.subject === 'project:demo');
    expect(iso!.verdict).toBe('violated');
    expect(iso!.witness?.ip_dst).toBe('192.168.2.12');
    expect(iso!.trace?.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm2' });
    const out = context('route-out-via-router');
    const [r1] = (await natEgress.check(out)).filter((r) => r.subject === 'router:router1');
    expect(r1!.verdict).toBe('violated');
    expect(r1!.trace?.final.ip_src).toBe('203.0.113.20');
  });
});

