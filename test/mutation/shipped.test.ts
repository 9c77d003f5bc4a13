// Fault injection on the shipped topologies: every fault class of faults.ts applied to the rendered
// artifacts, a few sites per class spread over the class's sites, each held to the built-in
// properties (kill.ts). Prints the kill table. Fails when a fault that changes how some packet of the
// behaviour spread ends survives every property (outside the classes of KNOWN_GAPS), and when a
// property that names a class does not kill that class's fault on a site where it must. Two cases the
// shipped topologies lack (an extra route to a VM; a router with a gateway and no interface) are put
// on test topologies and counted in the table too.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, type Model } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { FAULT_CLASSES, faultSites, type Fault } from './faults.ts';
import { killCheck, probesOf, verdictsOf, type KillOutcome, type Probe, type Verdicts } from './kill.ts';
import { emptyTable, formatTable, knownGap, record } from './table.ts';

afterAll(async () => { await shutdownZ3(); });

/** Topologies and sites per class on each, spread evenly over the class's sites. */
const TOPOLOGIES = { seed: 2, provider: 2, 'seed-vlan': 1, ha: 1 } as const;

const spread = <T>(xs: readonly T[], n: number): T[] => (xs.length <= n ? [...xs] : Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]!));

interface Loaded { m: Model; base: Verdicts; probes: Probe[] }

const loaded = new Map<string, Promise<Loaded>>();
const load = (name: string): Promise<Loaded> => {
  if (!loaded.has(name)) loaded.set(name, loadUncached(name));
  return loaded.get(name)!;
};

/** A shipped topology by name, or a test topology by its path from the repository's root. */
const fileOf = (name: string): string => new URL(name.includes('/') ? `../../${name}` : `../../topologies/${name}.yaml`, import.meta.url).pathname;

async function loadUncached(name: string): Promise<Loaded> {
  const r = loadModel(fileOf(name));
  if (!r.ok) throw new Error(`${name}.yaml does not load`);
  const ev = createEvaluator(r.value.dataplane);
  return { m: r.value, base: await verdictsOf(r.value), probes: probesOf(r.value, ev) };
}

const table = emptyTable();
const outcomes: KillOutcome[] = [];

const show = (o: KillOutcome) => `${o.fault.what}\n    ${[...o.killedBy.slice(0, 3), ...(o.status === 'killed' ? [] : [o.behaviour ?? o.error ?? 'no packet of the spread ends differently'])].join('\n    ')}`;

describe('faults injected into the rendered artifacts of the shipped topologies', () => {
  for (const [name, perClass] of Object.entries(TOPOLOGIES)) {
    it(`${name}.yaml: every fault that changes behaviour is killed by a property`, { timeout: 600_000 }, async () => {
      const l = await load(name);
      const gaps: string[] = [];
      for (const cls of FAULT_CLASSES) {
        for (const f of spread(faultSites(cls, l.m.artifacts, l.m.topology), perClass)) {
          const o = await killCheck(l.m, l.base, l.probes, f);
          record(table, o);
          outcomes.push(o);
          if (o.status !== 'killed' && o.behaviour !== null && knownGap(o) === null) gaps.push(show(o));
          expect(o.status, `${f.what}: ${o.error ?? ''}`).not.toBe('rejected');
        }
      }
      expect(gaps, `faults that change behaviour and survive every property:\n${gaps.join('\n')}`).toEqual([]);
    });
  }

  // Cases the shipped topologies lack, each on a test topology made for it, in the table too.
  const extra: { topology: string; cls: Fault['cls']; pick: RegExp }[] = [
    // An extra route to a VM next hop deleted: its packets fall to the default route (gateway's route check).
    { topology: 'test/properties/topologies/route-via-vm.yaml', cls: 'route-deleted', pick: /deleted: 10\.20\.0\.0\/24 via 192\.168\.1\.30 / },
    // br-ex's flow out of br-int for the external network deleted, on a router with a gateway and no
    // interface: only the router's own replies need it (gateway's external check; fuzz seed 9301).
    { topology: 'test/regressions/fault-kill-router-gateway-reply.yaml', cls: 'flow-deleted', pick: /br-ex\.dump-flows:\d+ deleted: .*dl_vlan=\d+ actions=strip_vlan,NORMAL/ },
  ];
  it(`test topologies: ${extra.map((x) => x.cls).join(', ')} cases the shipped topologies lack are killed`, { timeout: 300_000 }, async () => {
    for (const x of extra) {
      const l = await load(x.topology);
      const f = faultSites(x.cls, l.m.artifacts, l.m.topology).find((y) => x.pick.test(y.what));
      expect(f, `no ${x.cls} site matching ${x.pick} in ${x.topology}`).toBeDefined();
      const o = await killCheck(l.m, l.base, l.probes, f!);
      record(table, o);
      outcomes.push(o);
      expect(o.properties, show(o)).toEqual(['gateway']);
    }
  });

  // Port forwardings, which no shipped topology has: every site of their class on the two test topologies
  // that have them (single ports; Zed's ranges), each killed by fip-ingress with a witness, in the table too.
  const forwarding = ['test/properties/topologies/port-forwarding.yaml', 'test/properties/topologies/port-forwarding-range.yaml'];
  it('port-forwarding-altered: every site on the port-forwarding test topologies is killed by fip-ingress, with a witness', { timeout: 600_000 }, async () => {
    let n = 0;
    for (const topology of forwarding) {
      const l = await load(topology);
      for (const f of faultSites('port-forwarding-altered', l.m.artifacts, l.m.topology)) {
        const o = await killCheck(l.m, l.base, l.probes, f);
        record(table, o);
        outcomes.push(o);
        n++;
        expect(o.properties, show(o)).toContain('fip-ingress');
        expect(o.killedBy.some((k) => k.startsWith('fip-ingress') && k.includes('→ violated (witness ')), show(o)).toBe(true);
      }
    }
    // port-forwarding.yaml: 3 forwardings × 4 ways; port-forwarding-range.yaml: 3 × 4 and 2 ranges cut short.
    expect(n).toBe(12 + 14);
  });

  // Faults on the shipped topologies the spread over their sites may not pick, in the table too.
  const shippedCases: { topology: string; cls: Fault['cls']; pick: RegExp; by: string }[] = [
    // The external subnet's connected route deleted: packets to its other addresses go to the upstream
    // router, which sends them back onto the subnet (they still arrive, from its MAC): gateway's on-link check.
    { topology: 'seed', cls: 'route-deleted', pick: /deleted: 203\.0\.113\.0\/24 dev qg-\S+ proto kernel/, by: 'gateway' },
  ];
  it(`shipped topologies: ${shippedCases.map((x) => x.cls).join(', ')} cases the spread may not pick are killed`, { timeout: 300_000 }, async () => {
    for (const x of shippedCases) {
      const l = await load(x.topology);
      const f = faultSites(x.cls, l.m.artifacts, l.m.topology).find((y) => x.pick.test(y.what));
      expect(f, `no ${x.cls} site matching ${x.pick} in ${x.topology}`).toBeDefined();
      const o = await killCheck(l.m, l.base, l.probes, f!);
      if (!outcomes.some((y) => y.fault.what === o.fault.what)) {
        record(table, o);
        outcomes.push(o);
      }
      expect(o.properties, show(o)).toContain(x.by);
    }
  });

  it('kill table (every class applied somewhere)', () => {
    console.log(`fault injection on ${Object.entries(TOPOLOGIES).map(([t, n]) => `${t} (up to ${n} per class)`).join(', ')}, ${extra.length} cases on test topologies, every port-forwarding site of ${forwarding.length} and ${shippedCases.length} picked on the shipped ones: ${outcomes.length} faults\n${formatTable(table)}`);
    for (const o of outcomes.filter((x) => x.status !== 'killed')) console.log(`${o.status}${knownGap(o) !== null ? ` (known gap: ${knownGap(o)})` : ''}: ${show(o)}`);
    for (const [cls, row] of table) expect(row.faults, `no site of ${cls} in the shipped topologies (or, for port forwardings, the test topologies)`).toBeGreaterThan(0);
  });
});

describe('each fault is caught by the property that names it', () => {
  const named: { topology: string; cls: Fault['cls']; pick: RegExp; by: string }[] = [
    { topology: 'seed', cls: 'sg-rule-removed', pick: /--dport 22/, by: 'security-groups' },
    { topology: 'seed', cls: 'sg-rule-widened', pick: /-p icmp -j RETURN →/, by: 'security-groups' },
    { topology: 'seed', cls: 'ipset-member-dropped', pick: /./, by: 'security-groups' },
    // On a host other than the representative's: the port is checked on its own.
    { topology: 'provider', cls: 'sg-rule-removed', pick: /^compute2\//, by: 'security-groups' },
    { topology: 'provider', cls: 'ipset-member-dropped', pick: /^compute2\//, by: 'security-groups' },
    { topology: 'seed', cls: 'nat-rule-deleted', pick: /float-snat -s .* -j SNAT/, by: 'nat-egress' },
    { topology: 'seed', cls: 'nat-rule-deleted', pick: /snat -o qg-\S+ -j SNAT/, by: 'nat-egress' },
    { topology: 'seed', cls: 'fip-fixed-address-swapped', pick: /./, by: 'fip-ingress' },
    { topology: 'seed', cls: 'vni-changed-on-one-host', pick: /compute2/, by: 'dhcp' },
    { topology: 'seed', cls: 'route-deleted', pick: /deleted: default via/, by: 'nat-egress' },
    { topology: 'seed', cls: 'route-deleted', pick: /deleted: 192\.168\.2\.0\/24/, by: 'gateway' },
    { topology: 'seed', cls: 'route-deleted', pick: /deleted: 203\.0\.113\.0\/24 dev qg-\S+ proto kernel/, by: 'gateway' },
    { topology: 'test/properties/topologies/route-via-vm.yaml', cls: 'route-deleted', pick: /deleted: 10\.20\.0\.0\/24 via/, by: 'gateway' },
    { topology: 'seed', cls: 'flow-deleted', pick: /br-ex\.dump-flows:\d+ deleted: .*dl_vlan=\d+ actions=strip_vlan,NORMAL/, by: 'gateway' },
  ];
  for (const n of named) {
    it(`${n.cls} (${n.pick.source}) on ${n.topology.includes('/') ? n.topology : `${n.topology}.yaml`} is killed by ${n.by}, with a witness`, { timeout: 120_000 }, async () => {
      const l = await load(n.topology);
      const f = faultSites(n.cls, l.m.artifacts, l.m.topology).find((x) => n.pick.test(x.what));
      expect(f, `no ${n.cls} site matching ${n.pick}`).toBeDefined();
      const o = await killCheck(l.m, l.base, l.probes, f!);
      expect(o.properties, show(o)).toContain(n.by);
      expect(o.killedBy.some((k) => k.startsWith(n.by) && k.includes('→ violated (witness ')), show(o)).toBe(true);
    });
  }
});
