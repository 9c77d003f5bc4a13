// The ingress DHCP rule Neutron's server adds to every port, per release (rules/iptables-hybrid/
// filter.ts): until Ocata `-s <DHCP server>/32 … --sport 67 --dport 68`, since Pike `-d <fixed IP>/32`
// and `-d 255.255.255.255/32` from any source (securitygroups_rpc_base._add_ingress_dhcp_rule, commit
// ae9d1160bd). So on a Pike-or-later cloud the internet reaches a VM through its floating IP with UDP
// 67→68 whatever its groups say: properties/seed-dhcp-reply.yaml is violated on the seed (2024.1) and
// holds on the same topology rendered for Ocata.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, modelFromTopology, type Model } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { checkUserProperty, resolveUserProperties } from '../../src/questions/user-properties/check.ts';
import { loadPropertyText } from '../../src/questions/user-properties/load.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';
import { repoRoot } from '../fixtures/samples.ts';

afterAll(async () => { await shutdownZ3(); });

const SEED = join(repoRoot, 'topologies', 'seed.yaml');
const PROPERTY = join(repoRoot, 'properties', 'seed-dhcp-reply.yaml');

function seedAt(release: string): Model {
  const text = readFileSync(SEED, 'utf8').replace(/release: "2024\.1"/, `release: "${release}"`);
  const t = loadTopologyText(text, `seed-${release}.yaml`);
  if (!t.ok) throw new Error(`seed at ${release} does not load`);
  return modelFromTopology(t.value);
}

const ingressChainOfVm4 = (m: Model) => {
  const text = m.artifacts.find((a) => a.path === 'compute2/iptables-save')?.text ?? '';
  const port = m.topology.ports.find((p) => p.ip === '192.168.2.14')!;
  return text.split('\n').filter((l) => l.startsWith(`-A neutron-openvswi-i${port.id.slice(0, 10)} `) && l.includes('--sport 67 --dport 68'));
};

const loadPropertyFile = (file: string) => loadPropertyText(readFileSync(file, 'utf8'), file);

async function propertyVerdict(m: Model) {
  const props = loadPropertyFile(PROPERTY);
  if (!props.ok) throw new Error('the property file does not load');
  const r = resolveUserProperties(m.topology, m.dataplane, props.value);
  if (!r.ok) throw new Error('the property does not resolve');
  return checkUserProperty({ topology: m.topology, dataplane: m.dataplane, evaluator: createEvaluator(m.dataplane), timeoutMs: 10_000 }, r.value[0]!);
}

describe('the ingress DHCP rule, as each release\'s server writes it', () => {
  it('2024.1 (since Pike): to the fixed IP and to the broadcast address, from any source', () => {
    const m = loadModel(SEED);
    if (!m.ok) throw new Error('seed');
    expect(ingressChainOfVm4(m.value).map((l) => l.replace(/^-A \S+ /, ''))).toEqual([
      '-d 192.168.2.14/32 -p udp -m udp --sport 67 --dport 68 -j RETURN',
      '-d 255.255.255.255/32 -p udp -m udp --sport 67 --dport 68 -j RETURN',
    ]);
  });

  it('Ocata (before Pike): from the network\'s DHCP server only', () => {
    expect(ingressChainOfVm4(seedAt('ocata')).map((l) => l.replace(/^-A \S+ /, ''))).toEqual([
      '-s 192.168.2.2/32 -p udp -m udp --sport 67 --dport 68 -j RETURN',
    ]);
  });
});

describe('"the internet cannot reach vm4\'s floating IP on any UDP port" (properties/seed-dhcp-reply.yaml)', () => {
  it('is violated by `netproof verify` on the seed (2024.1), with the UDP 67→68 witness from the internet', async () => {
    const r = await runCli('verify', SEED, '--properties', PROPERTY, '--format', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { results: { property: string; verdict: string; witness: { proto: string; sport: number; dport: number; ip_dst: string; ip_src: string } | null; trace: { disposition: string } | null }[] };
    const mine = out.results.find((x) => x.property === 'internet-cannot-reach-vm4-fip-udp');
    expect(mine?.verdict).toBe('violated');
    expect(mine?.witness).toMatchObject({ proto: 'udp', sport: 67, dport: 68, ip_dst: '203.0.113.101' });
    expect(mine?.trace?.disposition).toBe('delivered');
    // The built-in invariants all hold (or have nothing to check: one project has nobody to be isolated from):
    // Neutron's own per-port rules are what the security-groups intent counts.
    const others = out.results.filter((x) => x.property !== 'internet-cannot-reach-vm4-fip-udp');
    expect(others.filter((x) => x.verdict !== 'holds').map((x) => `${x.property} ${x.verdict}`)).toEqual(['project-isolation n/a']);
  }, 120_000);

  it('holds on the same topology rendered for Ocata', async () => {
    const r = await propertyVerdict(seedAt('ocata'));
    expect(r.verdict).toBe('holds');
  });

  it('still holds for every other UDP port on 2024.1 (the DHCP rule is the only way in)', async () => {
    const m = loadModel(SEED);
    if (!m.ok) throw new Error('seed');
    const props = loadPropertyFile(PROPERTY);
    if (!props.ok) throw new Error('property');
    const first = props.value[0]!;
    if (first.kind !== 'reach') throw new Error('a reach property');
    const ctx = { topology: m.value.topology, dataplane: m.value.dataplane, evaluator: createEvaluator(m.value.dataplane), timeoutMs: 10_000 };
    for (const dport of [[0, 67], [69, 65535]] as const) {
      const r = resolveUserProperties(m.value.topology, m.value.dataplane, [{ ...first, dport }]);
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      expect((await checkUserProperty(ctx, r.value[0]!)).verdict, `dport ${dport.join('-')}`).toBe('holds');
    }
  });
});
