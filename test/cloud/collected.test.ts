// The honest test clouds (test/fixtures/cloud/, made by `npm run fixtures:cloud` from real userspace Open
// vSwitch, iptables and ipset): each shipped topology's cloud directory — its API view beside what the
// collect script captured on its nodes — verifies exactly as the topology file does and shows no drift.
// Then the seed cloud with one fault injected on a node's real tools before capture: drift names it in
// Neutron's terms, and verify on the collected state reports each verdict it changes with a witness.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeDrift } from '../../src/cloud/drift/index.ts';
import { builtinVerdicts, pairVerdicts } from '../../src/cloud/drift/verdicts.ts';
import { driftText } from '../../src/report/drift.ts';
import { labelsFor } from '../../src/report/labels.ts';
import type { PropertyResult } from '../../src/questions/property.ts';
import { topologyToApi } from '../../src/cloud/generate/api.ts';
import { CLOUD_DIRS } from '../../src/cloud/layout.ts';
import { loadCloud, type CloudModel } from '../../src/cloud/load.ts';
import { formatInputError } from '../../src/errors.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import { runVerify } from '../../src/questions/verify.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';
import { shippedTopology, writeCloud } from './cloud-dir.ts';
import { SEED_FAULTS } from './faults.ts';
import { CLOUD_FIXTURES, FIXTURE_TOPOLOGIES } from './make-fixtures.ts';

const made: string[] = [];
afterAll(async () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
  await shutdownZ3();
});

/** A cloud directory: the topology's API view and the fixture's captures, with a fault's host capture in place of the clean one. */
function cloudDir(topology: string, fault?: string): string {
  const dir = writeCloud(topologyToApi(shippedTopology(topology)));
  made.push(dir);
  cpSync(join(CLOUD_FIXTURES, topology, CLOUD_DIRS.hosts), join(dir, CLOUD_DIRS.hosts), { recursive: true });
  if (fault !== undefined) cpSync(join(CLOUD_FIXTURES, topology, 'faults', fault, CLOUD_DIRS.hosts), join(dir, CLOUD_DIRS.hosts), { recursive: true });
  return dir;
}

function load(dir: string): CloudModel {
  const r = loadCloud(dir);
  if (!r.ok) throw new Error(r.errors.map(formatInputError).join('\n'));
  return r.value;
}

const REGENERATE = 'the captured fixture no longer matches what netproof renders: run `npm run fixtures:cloud` as root and review the diff';

describe('the honest test clouds', () => {
  for (const name of FIXTURE_TOPOLOGIES) {
    it(`${name}: the collected cloud verifies as the topology file does, and drift reports none`, async () => {
      const cloud = load(cloudDir(name));
      expect(cloud.source).toBe('collected');
      // Read from the captures, not rendered: every rule's origin is a captured file.
      expect(cloud.artifacts).toEqual([]);
      expect(cloud.dataplane.hosts.flatMap((h) => h.ovsBridges.flatMap((b) => b.flows)).every((f) => f.origin.file.startsWith('hosts/'))).toBe(true);
      // Nothing left out; an HA router's note says its HA network is the topology's own derivation.
      expect(cloud.notes.filter((n) => !/is an L3 HA router/.test(n.message))).toEqual([]);
      const drift = computeDrift(cloud);
      expect(drift.items, REGENERATE).toEqual([]);
      const collected = await runVerify({ topology: cloud.topology, dataplane: cloud.dataplane, evaluator: createEvaluator(cloud.dataplane), timeoutMs: 10_000 }, BUILTIN_PROPERTIES, []);
      const file = modelFromTopology(shippedTopology(name));
      const intent = await runVerify({ topology: file.topology, dataplane: file.dataplane, evaluator: createEvaluator(file.dataplane), timeoutMs: 10_000 }, BUILTIN_PROPERTIES, []);
      const v = (r: typeof collected) => r.results.map((x) => `${x.property} ${x.subject} ${x.verdict}`);
      expect(v(collected)).toEqual(v(intent));
      expect(collected.results.length).toBeGreaterThan(8);
    });
  }
});

/** What each fault must show: drift items (change and a pattern of the message), and the verdicts it turns from holds. */
const EXPECTED: Readonly<Record<string, { drift: readonly [string, RegExp][]; verdicts: readonly string[] }>> = {
  'flow-deleted': {
    drift: [['missing', /^br-tun on compute2: no flow takes VNI 101 \(network net1\) off the tunnels onto network net1/]],
    // vm2's requests still leave compute2; what comes to it on VNI 101 is dropped: the DHCP reply, and
    // vm1's packet to it (east-west).
    verdicts: ['dhcp network:net1', 'east-west network:net1'],
  },
  'vni-changed': {
    drift: [['changed', /^br-tun on compute1: the flow that carries VNI 101 \(network net1\) from network net1 \(local VLAN \d\) to compute2, network1 now carries VNI 1002 \(no network\)/]],
    // east-west: vm1 (compute1) reaches neither vm2 on net1 nor, through router1, the ports of net2.
    verdicts: ['segment-isolation network:net1', 'dhcp network:net1', 'gateway router:router1/subnet1', 'east-west network:net1', 'east-west network:net2'],
  },
  'sg-rule-missing': {
    drift: [['missing', /^port vm1:0 on compute1: the ingress chain lacks the rule for security group rule \S+ \(security group ssh allows tcp port 22 in from anywhere\)/]],
    verdicts: ['security-groups port:vm1:0'],
  },
  'fip-dnat-deleted': {
    drift: [['missing', /^qrouter-\S+ on network1: floating IP 203\.0\.113\.101 has no DNAT rule in nat\/neutron-l3-agent-PREROUTING/]],
    // The router keeps what is sent to the floating IP (its own stack, no DNAT): fip-ingress says so.
    verdicts: ['fip-ingress fip:203.0.113.101'],
  },
  'stale-port': {
    drift: [['extra', /^stale port qvodeadbeef-00 on br-int of compute1: it belongs to no Neutron port the API shows/]],
    verdicts: [],
  },
};

describe('faults injected on the real tools before capture (seed)', () => {
  // The intent is the same for every fault: its verdicts are computed once.
  let intentResults: readonly PropertyResult[] = [];
  beforeAll(async () => {
    const base = load(cloudDir('seed'));
    intentResults = await builtinVerdicts(base.topology, computeDrift(base).intent, base.notes, 10_000);
  });

  for (const f of SEED_FAULTS) {
    const want = EXPECTED[f.name];
    it(`${f.name}: ${f.what} — drift names it, and verify reports each changed verdict with a witness`, async () => {
      expect(want).toBeDefined();
      if (!want) return;
      const cloud = load(cloudDir('seed', f.name));
      const drift = computeDrift(cloud);
      for (const [change, re] of want.drift) expect(drift.items.some((i) => i.change === change && re.test(i.message)), `${re} among:\n${drift.items.map((i) => i.message).join('\n')}`).toBe(true);
      // Every difference is on the faulted host: the fault and nothing else.
      expect(drift.items.every((i) => i.host === f.host), drift.items.map((i) => `${i.host}: ${i.message}`).join('\n')).toBe(true);
      const pairs = pairVerdicts(intentResults, await builtinVerdicts(cloud.topology, cloud.dataplane, cloud.notes, 10_000));
      const changed = pairs.filter((p) => p.intent !== p.collected);
      expect(changed.map((p) => `${p.property} ${p.subject}`).sort()).toEqual([...want.verdicts].sort());
      if (f.name === 'sg-rule-missing') {
        // The text report: the difference, then the changed verdict with its witness and trace.
        const text = driftText({ items: drift.items, verdicts: pairs, uncompared: [], hosts: ['compute1', 'compute2', 'network1'], notes: [] }, labelsFor(cloud.topology), { rules: false });
        expect(text).toMatch(/^drift: 1 difference between the API's intent and the captured hosts\n\ncompute1\n  - port vm1:0 on compute1: the ingress chain lacks/);
        expect(text).toMatch(/verdicts the drift changes \(1 of \d+\):\nPROPERTY +SUBJECT +INTENT +COLLECTED\nsecurity-groups +port:vm1:0 +holds +VIOLATED/);
        expect(text).toMatch(/witness: tcp \S+ → 192\.168\.1\.11 \d+ → 22/);
      }
      for (const p of changed) {
        expect(p.intent).toBe('holds');
        expect(p.collected).toBe('violated');
        const r = p.collectedResult;
        // A witness packet with its replayed trace, or (a rule check) the captured flow that breaks it, by file and line.
        const witnessed = r?.witness !== null && r?.trace !== null;
        const cited = /hosts\/[^ ]+:\d+/.test(r?.message ?? '');
        expect(witnessed || cited, `${p.property} ${p.subject}: ${r?.message}`).toBe(true);
      }
    });
  }

  it('netproof drift --format json: the differences and the verdicts side by side, exit 1 on drift', async () => {
    const faulted = cloudDir('seed', 'sg-rule-missing');
    const json = await runCli('drift', faulted, '--format', 'json');
    expect(json.code, json.stderr).toBe(1);
    const j = JSON.parse(json.stdout) as { drift: { host: string; kind: string; change: string; message: string }[]; verdicts: { subject: string; intent: string; collected: string; changed: boolean; witness: unknown }[]; summary: { differences: number; verdicts_changed: number } };
    expect(j.summary).toMatchObject({ differences: 1, verdicts_changed: 1 });
    expect(j.drift[0]).toMatchObject({ host: 'compute1', kind: 'rule', change: 'missing' });
    expect(j.verdicts.find((v) => v.changed)).toMatchObject({ subject: 'port:vm1:0', intent: 'holds', collected: 'violated', witness: expect.objectContaining({ proto: 'tcp', dport: 22 }) });
  });
});
