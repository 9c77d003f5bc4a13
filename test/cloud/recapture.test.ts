// The committed test cloud is what real tools make of what netproof renders today: the seed is built
// again with real userspace Open vSwitch, iptables and ipset, captured with the collect script, and
// compared by meaning with test/fixtures/cloud/seed (counters, durations and dates differ by nature).
// When this fails after a change to the renderer, regenerate the fixtures: `npm run fixtures:cloud`.
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compareLinux } from '../../src/cloud/drift/compare-linux.ts';
import { compareOvs } from '../../src/cloud/drift/compare-ovs.ts';
import { describer } from '../../src/cloud/drift/describe.ts';
import { topologyToApi } from '../../src/cloud/generate/api.ts';
import { CLOUD_DIRS } from '../../src/cloud/layout.ts';
import { loadCloud, type CloudModel } from '../../src/cloud/load.ts';
import { formatInputError } from '../../src/errors.ts';
import { labelsFor } from '../../src/report/labels.ts';
import { describeOracle } from '../oracle/prereq.ts';
import { shippedTopology, writeCloud } from './cloud-dir.ts';
import { CLOUD_FIXTURES } from './make-fixtures.ts';
import { buildTestCloud } from './test-cloud.ts';

function files(dir: string): string[] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  return walk(dir).map((p) => relative(dir, p)).sort();
}

function load(dir: string): CloudModel {
  const r = loadCloud(dir);
  if (!r.ok) throw new Error(r.errors.map(formatInputError).join('\n'));
  return r.value;
}

describeOracle('the committed seed test cloud is what the real tools make of today\'s rendering', ['ovs', 'iptables', 'ipset', 'ip', 'dash'], () => {
  const topo = shippedTopology('seed');
  const fresh = mkdtempSync(join(tmpdir(), 'nprecapture-'));
  let committed = '';
  beforeAll(async () => {
    await buildTestCloud(topo, fresh);
    committed = writeCloud(topologyToApi(topo));
    cpSync(join(CLOUD_FIXTURES, 'seed', CLOUD_DIRS.hosts), join(committed, CLOUD_DIRS.hosts), { recursive: true });
  });
  afterAll(() => {
    rmSync(fresh, { recursive: true, force: true });
    if (committed) rmSync(committed, { recursive: true, force: true });
  });

  it('captures the same files', () => {
    expect(files(join(fresh, CLOUD_DIRS.hosts))).toEqual(files(join(CLOUD_FIXTURES, 'seed', CLOUD_DIRS.hosts)));
  });

  it('captures the same dataplane, device by device (flows, ports, rules, sets, addresses, routes)', () => {
    const a = load(committed);
    const b = load(fresh);
    const d = describer(a.topology, labelsFor(a.topology));
    const items = a.dataplane.hosts.flatMap((want) => {
      const got = b.dataplane.hosts.find((h) => h.name === want.name);
      expect(got, want.name).toBeDefined();
      if (!got) return [];
      const physicalBridges = new Set(Object.values(a.topology.hosts.find((h) => h.name === want.name)?.bridgeMappings ?? {}));
      const ctx = { host: want.name, d, physicalBridges, unmodelledDevice: () => false };
      return [...compareOvs(want, got, ctx), ...compareLinux(want, got, ctx)];
    });
    expect(items.map((i) => `${i.host}: ${i.message}`), 'run `npm run fixtures:cloud` as root and review the diff').toEqual([]);
    expect(a.dataplane.hosts.flatMap((h) => h.ovsBridges.flatMap((x) => x.flows)).length).toBeGreaterThan(50);
  });
});
