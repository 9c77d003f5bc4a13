// Results carried between failure scenarios (src/questions/carry.ts) may only spare work: `verify
// --failures 1` with the carry reports, per property, subject and scenario, exactly what asking every
// result afresh reports, on the HA topologies — where a failed network node moves masters, a failed
// compute node takes its VMs' MACs out of what the other hosts learn, and a legacy router dies with its
// node. A probe property whose answer reads a device's learned state, resting on that device, shows a
// digest blind to what a failure changes would carry a stale answer; the digests themselves are held to
// what differs and what does not.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { loadModel } from '../../src/pipeline.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import { verifyScenarios } from '../../src/answers/verify.ts';
import { scenariosOf } from '../../src/scenario/scenarios.ts';
import { NO_SCENARIO } from '../../src/scenario/context.ts';
import { CarryStore } from '../../src/questions/carry.ts';
import { DeviceDigests } from '../../src/scenario/device-digest.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { holds, portLabel, vmStations } from '../../src/questions/properties/common.ts';
import { firewallSite } from '../../src/questions/properties/sg-completeness.ts';
import type { PropertyCheck, PropertyResult } from '../../src/questions/property.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';

afterAll(async () => { await shutdownZ3(); });

const model = (file: string) => {
  const m = loadModel(file);
  if (!m.ok) throw new Error(JSON.stringify(m.errors));
  return m.value;
};

const keyOf = (r: PropertyResult) => JSON.stringify([r.property, r.subject, r.scenario ?? null]);
const said = (r: PropertyResult) => JSON.stringify([r.verdict, r.message, r.witness, r.masters ?? null, r.error ?? null]);

async function both(file: string, builtins: readonly PropertyCheck[]) {
  const { topology, dataplane } = model(file);
  const scenarios = scenariosOf(topology, NO_SCENARIO, 1);
  const o = { timeoutMs: 10000, wanted: () => true };
  const store = new CarryStore();
  const carried = await verifyScenarios(topology, dataplane, scenarios, builtins, [], { ...o, store });
  const fresh = await verifyScenarios(topology, dataplane, scenarios, builtins, [], { ...o, carry: false });
  return { carried, fresh, store, scenarios };
}

describe('verify --failures 1 with results carried between scenarios says what asking afresh says', () => {
  for (const file of ['topologies/ha.yaml', 'test/ha/topologies/ha-all.yaml']) {
    it(file, async () => {
      const { carried, fresh, store, scenarios } = await both(file, BUILTIN_PROPERTIES);
      expect(scenarios.length).toBe(5);
      const a = new Map(fresh.map((r) => [keyOf(r), said(r)]));
      const b = new Map(carried.map((r) => [keyOf(r), said(r)]));
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      const differing = [...a].filter(([k, v]) => b.get(k) !== v).map(([k]) => k);
      expect(differing).toEqual([]);
      // The comparison has teeth: something was carried, and some results change from one scenario to another.
      const taken = [...store.taken.values()].reduce((s, n) => s + n, 0);
      expect(taken).toBeGreaterThan(0);
      const byPropertySubject = new Map<string, Set<string>>();
      for (const r of fresh) {
        const k = `${r.property}\u0000${r.subject}`;
        byPropertySubject.set(k, (byPropertySubject.get(k) ?? new Set()).add(`${r.verdict} ${r.message}`));
      }
      expect([...byPropertySubject.values()].some((s) => s.size > 1)).toBe(true);
    }, 120_000);
  }

  it('a network node failure that moves the masters and a legacy router dying with its node are asked again (ha.yaml)', async () => {
    const { carried } = await both('topologies/ha.yaml', BUILTIN_PROPERTIES);
    const inScenario = (down: string) => carried.filter((r) => JSON.stringify(r.scenario?.failed ?? []) === JSON.stringify([down]));
    // ops-router is legacy, on network1: its gateway is lost with network1 and only there.
    const gw = (down: string) => inScenario(down).find((r) => r.property === 'gateway' && r.subject === 'router:ops-router/ops-v4');
    expect(gw('network1')?.verdict).toBe('violated');
    expect(gw('network2')?.verdict).toBe('holds');
    // compute1 down takes web1 and ops1 with it: their ports have no result there, carried or not.
    expect(inScenario('compute1').filter((r) => /port:(web1|ops1):/.test(r.subject))).toEqual([]);
  }, 120_000);
});

/**
 * A probe: per VM port with a firewall bridge, a holds that says how many MAC table entries its bridge
 * learned, resting on that bridge. A failed compute node whose VMs share a network with the port changes
 * that count; a carry that compared less than what was learned would report the count of another scenario.
 */
const probe: PropertyCheck = {
  id: 'probe-learned',
  description: 'test: what a port firewall bridge learned',
  async check(ctx) {
    const fdb = ctx.evaluator.converged.fdb;
    return vmStations(ctx).flatMap((s) => {
      const site = firewallSite(ctx, s);
      if (site === null) return [];
      const subject = `port:${portLabel(s)}`;
      const key = JSON.stringify(s);
      const kept = ctx.reuse?.(subject, key) ?? null;
      if (kept !== null) return [kept];
      const n = fdb.filter((f) => f.host === site.host && f.bridge === site.device).length;
      return [{ ...holds('probe-learned', subject, `${site.device}@${site.host} learned ${n} MACs`), local: true, rests: { devices: [`${site.host}/${site.device}`], key } }];
    });
  },
};

describe('a carried answer rests on everything its devices learned', () => {
  it('the probe says in every scenario, carried or not, what its bridge learned there (ha.yaml: compute1 down changes web2\'s qbr)', async () => {
    const { carried, fresh, store } = await both('topologies/ha.yaml', [probe]);
    const p = (rs: readonly PropertyResult[]) => new Map(rs.filter((r) => r.property === 'probe-learned').map((r) => [keyOf(r), r.message]));
    const a = p(fresh);
    expect(p(carried)).toEqual(a);
    // It has something to get wrong: web2's count differs between the scenarios, and others were carried.
    const web2 = [...a].filter(([k]) => k.includes('port:web2:0')).map(([, m]) => m);
    expect(new Set(web2).size).toBeGreaterThan(1);
    expect(store.taken.get('probe-learned') ?? 0).toBeGreaterThan(0);
  }, 120_000);
});

describe('device digests', () => {
  const { dataplane } = model('topologies/ha.yaml');
  const ev = createEvaluator(dataplane);
  const d0 = new DeviceDigests(dataplane, ev);
  const root = (dp: Dataplane, host: string) => dp.hosts.find((h) => h.name === host)!.namespaces.find((n) => n.name === 'root')!;

  it('a rule of the root namespace changed: that host\'s root differs, another host\'s does not', () => {
    const r = root(dataplane, 'compute1');
    const t = r.netfilter.tables.find((x) => x.chains.some((c) => c.rules.length > 0))!;
    const c = t.chains.find((x) => x.rules.length > 0)!;
    const changedChain = { ...c, rules: c.rules.slice(1) };
    const dp: Dataplane = {
      ...dataplane,
      hosts: dataplane.hosts.map((h) => (h.name !== 'compute1' ? h : {
        ...h,
        namespaces: h.namespaces.map((n) => (n !== r ? n : { ...n, netfilter: { ...n.netfilter, tables: n.netfilter.tables.map((x) => (x !== t ? x : { ...x, chains: x.chains.map((y) => (y === c ? changedChain : y)) })) } })),
      })),
    };
    const d1 = new DeviceDigests(dp, ev);
    expect(d1.digest('compute1', 'root')).not.toBe(d0.digest('compute1', 'root'));
    expect(d1.digest('compute2', 'root')).toBe(d0.digest('compute2', 'root'));
  });

  it('where a rule was read from does not count; a host down does', () => {
    const dp: Dataplane = JSON.parse(JSON.stringify(dataplane, (k, v: unknown) => (k === 'origin' ? { file: 'elsewhere', line: 1 } : v))) as Dataplane;
    const host = 'compute2';
    const br = dataplane.hosts.find((h) => h.name === host)!.linuxBridges[0]!.name;
    expect(new DeviceDigests(dp, ev).digest(host, br)).toBe(d0.digest(host, br));
    const down: Dataplane = { ...dataplane, failures: { down: [host], cuts: [] } };
    expect(new DeviceDigests(down, ev).digest(host, br)).not.toBe(d0.digest(host, br));
    expect(new DeviceDigests(down, ev).digest('compute1', 'root')).toBe(d0.digest('compute1', 'root'));
  });

  it('a MAC learned or not on a bridge makes its digest differ', () => {
    const f = ev.converged.fdb[0]!;
    const fewer = { ...ev, converged: { ...ev.converged, fdb: ev.converged.fdb.slice(1) } };
    expect(new DeviceDigests(dataplane, fewer).digest(f.host, f.bridge)).not.toBe(d0.digest(f.host, f.bridge));
  });
});
