// The VRRP model comes from the dataplane: who hears whose advertisements is what the evaluator says
// of each advertisement's packet under the scenario, and what VRRP can elect follows from that.
import { describe, expect, it } from 'vitest';
import { modelFromTopology } from '../../src/pipeline.ts';
import { ScenarioContext, type ScenarioSpec } from '../../src/scenario/context.ts';
import { injected, loadTopo, nsOf, withVrid } from './inject.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { hearing } from '../../src/scenario/hearing.ts';
import { applyFailures } from '../../src/scenario/failures.ts';
import { siteKey } from '../../src/dataplane/vrrp-state.ts';

const topo = loadTopo('topologies/ha.yaml');
const base = modelFromTopology(topo).dataplane;
const spec = (down: string[], cuts: [string, string][] = [], pins: [string, string][] = []): ScenarioSpec => ({ failures: { down, cuts }, pins: new Map(pins) });

/** Per group: VRID, members' hosts, and the stable states as lists of hosts. */
function summary(dp: Dataplane, s: ScenarioSpec) {
  const ctx = new ScenarioContext(topo, dp, s);
  const host = (k: string) => k.split('/')[0];
  return { ctx, groups: ctx.groups.map((g, i) => ({ vrid: g.vrid, members: g.members.map(host), states: (ctx.states[i] ?? []).map((st) => st.map(host)), first: g.first.map(host) })) };
}

describe('who hears whom, from the evaluator', () => {
  it('healthy: each router\'s two instances form a group and either may be master; the first choice is the highest ha- address', () => {
    const { groups, ctx } = summary(base, spec([]));
    expect(groups).toEqual([
      { vrid: 2, members: ['network1', 'network2'], states: [['network1'], ['network2']], first: ['network2'] },
      { vrid: 1, members: ['network1', 'network2'], states: [['network1'], ['network2']], first: ['network2'] },
    ]);
    // Other routers' advertisements arrive too (same HA network) but another VRID is another group.
    const edge1 = [...ctx.vrrp.adverts.values()].find((a) => a.from.host === 'network1' && a.from.instance.vrid === 1)!;
    expect(edge1.heardBy.size).toBe(3);
    expect(ctx.vrrp.caveats).toEqual([]);
  });

  it('a host down: only the other instance is left, and it is master', () => {
    expect(summary(base, spec(['network2'])).groups.map((g) => g.states)).toEqual([[['network1']], [['network1']]]);
  });

  it('the HA network partitioned: one group per side, each with its own master (split brain)', () => {
    const { groups } = summary(base, spec([], [['network1', 'network2']]));
    expect(groups.map((g) => [g.vrid, g.members, g.states])).toEqual([
      [2, ['network1'], [['network1']]], [1, ['network1'], [['network1']]], [2, ['network2'], [['network2']]], [1, ['network2'], [['network2']]],
    ]);
  });

  it('a cut elsewhere (compute1–network2) leaves VRRP alone: either instance may still be master', () => {
    expect(summary(base, spec([], [['compute1', 'network2']])).groups.map((g) => g.states)).toEqual([[['network1'], ['network2']], [['network1'], ['network2']]]);
  });

  it('--master keeps only the states where the pinned instance is master', () => {
    const { groups } = summary(base, spec([], [], [['edge', 'network1']]));
    expect(groups.find((g) => g.vrid === 1)?.states).toEqual([['network1']]);
    expect(groups.find((g) => g.vrid === 2)?.states).toEqual([['network1'], ['network2']]);
  });

  it('a rule in one namespace that drops VRRP makes hearing one-way: network1 may stay master beside network2', () => {
    // network1's edge instance drops every VRRP packet in its INPUT chain: it never hears network2's.
    const ns = nsOf(topo, 'edge');
    const dp = injected(topo, (path, text) => (path === `network1/${ns}.iptables-save` ? text.replace('-A INPUT -j neutron-l3-agent-INPUT', '-A INPUT -p vrrp -j DROP\n-A INPUT -j neutron-l3-agent-INPUT') : null));
    const { groups, ctx } = summary(dp, spec([]));
    const edge = groups.find((g) => g.vrid === 1)!;
    // network2 (the higher address) ignores network1's advertisements as a master, network1 never hears network2's.
    expect(edge.states).toEqual([['network1'], ['network1', 'network2']]);
    const heard = [...ctx.vrrp.adverts.values()].find((a) => a.from.host === 'network2' && a.from.instance.vrid === 1)!;
    expect([...heard.heardBy].some((k) => k.startsWith('network1/') && k.endsWith('VR_1'))).toBe(false);
  });

  it('two routers with one VRID on one HA network are one group of four: one master among all of them', () => {
    const dp = injected(topo, withVrid(topo, 'backend', 1));
    const { groups } = summary(dp, spec([]));
    expect(groups).toHaveLength(1);
    expect(groups[0]!.members).toEqual(['network1', 'network1', 'network2', 'network2']);
    expect(groups[0]!.states).toHaveLength(4);
    expect(groups[0]!.states.every((s) => s.length === 1)).toBe(true);
  });
});

describe('advertisements need no learned state', () => {
  // The scenario's hearing evaluator skips the MAC-learning passes (advertisements are multicast and
  // flooded whatever the switches learned). Held here to the converged evaluator on the same dataplanes.
  const heard = (dp: Dataplane, unconverged: boolean) =>
    hearing(dp, createEvaluator(dp, { unconverged })).map((a) => `${siteKey(a.from)} → ${[...a.heardBy].sort().join(',')} [${a.problem ?? ''}]`);
  const cases: [string, Dataplane][] = [
    ['ha.yaml', base],
    ['ha.yaml, network2 down', applyFailures(base, { down: ['network2'], cuts: [] })],
    ['ha.yaml, HA network partitioned', applyFailures(base, { down: [], cuts: [['network1', 'network2']] })],
    ['ha.yaml, compute1 cut from network2', applyFailures(base, { down: [], cuts: [['compute1', 'network2']] })],
    ['ha.yaml, VRRP dropped in one namespace', injected(topo, (path, text) => (path === `network1/${nsOf(topo, 'edge')}.iptables-save` ? text.replace('-A INPUT -j neutron-l3-agent-INPUT', '-A INPUT -p vrrp -j DROP\n-A INPUT -j neutron-l3-agent-INPUT') : null))],
    ['ha-all.yaml', modelFromTopology(loadTopo('test/ha/topologies/ha-all.yaml')).dataplane],
  ];
  for (const [name, dp] of cases) {
    it(`hears the same without learning as with it: ${name}`, () => {
      const got = heard(dp, true);
      expect(got.length).toBeGreaterThan(0);
      expect(got).toEqual(heard(dp, false));
    });
  }
});
