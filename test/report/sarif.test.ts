// `--format sarif` of verify and query, held to the official SARIF 2.1.0 schema, with locations that
// point at real lines: the topology file's line of the object a result is about (and of the
// security-group rule that decided it), and the rendered artifact's line of that rule; the trace as a
// code flow with one thread-flow location per hop.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Sarif from 'sarif';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';
import { sarifErrors } from './sarif-schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'netproof-sarif-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownZ3();
});
const seed = 'topologies/seed.yaml';

async function sarif(...argv: string[]): Promise<{ code: number; log: Sarif.Log }> {
  const r = await runCli(...argv, '--format', 'sarif');
  expect(r.stderr).toBe('');
  const log = JSON.parse(r.stdout) as Sarif.Log;
  expect(sarifErrors(log)).toEqual([]);
  return { code: r.code, log };
}

/**
 * The line a location points at, read from the file itself (the topology) or from the rendering of
 * `topology`; a rendered rule's snippet is the rule as the origin keeps it (trimmed).
 */
function lineAt(loc: Sarif.Location, topology: string): string {
  const art = loc.physicalLocation!.artifactLocation!;
  const line = loc.physicalLocation!.region!.startLine!;
  if (art.uriBaseId === 'RENDERED') {
    const model = loadModel(topology);
    if (!model.ok) throw new Error('topology does not load');
    const file = model.value.artifacts.find((a) => a.path === decodeURIComponent(art.uri!));
    return file?.text.split('\n')[line - 1]?.trim() ?? `(no line ${line} in ${art.uri})`;
  }
  const path = art.uri!.startsWith('file:') ? fileURLToPath(art.uri!) : decodeURIComponent(art.uri!);
  return readFileSync(path, 'utf8').split('\n')[line - 1] ?? `(no line ${line})`;
}

describe('verify --format sarif', () => {
  it('a violated user property: one error result at the port its witness reached, the deciding rule rendered and in the topology, the trace as a code flow', async () => {
    const only = ['--properties', 'properties/seed-isolation.yaml', '--select', 'demo-isolated-from-outside'];
    const { code, log } = await sarif('verify', seed, ...only);
    expect(code).toBe(1);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('netproof');
    expect(run.tool.driver.rules!.map((r) => r.id)).toEqual(['demo-isolated-from-outside']);
    expect(run.results).toHaveLength(1);
    const r = run.results![0]!;
    expect(r).toMatchObject({ ruleId: 'demo-isolated-from-outside', ruleIndex: 0, level: 'error', kind: 'fail' });
    const [primary, rendered] = r.locations!;
    // vm1's port 0 in the topology, and the iptables rule that let tcp/22 in, where it is rendered.
    expect(lineAt(primary!, seed)).toMatch(/^ {2}vm1: .*ports: \[\{ network: net1, ip: 192\.168\.1\.11/);
    expect(primary!.logicalLocations![0]!.fullyQualifiedName).toBe('vms.vm1.ports[0]');
    expect(rendered!.physicalLocation!.artifactLocation).toMatchObject({ uri: 'compute1/iptables-save', uriBaseId: 'RENDERED' });
    expect(lineAt(rendered!, seed)).toBe(rendered!.physicalLocation!.region!.snippet!.text);
    expect(lineAt(rendered!, seed)).toMatch(/-p tcp -m tcp --dport 22 -j RETURN$/);
    // The group rule that rendered it: security_groups.demo.ssh[0], and the property's own declaration.
    const related = r.relatedLocations!;
    expect(related.map((l) => l.logicalLocations?.[0]?.fullyQualifiedName ?? null)).toEqual(['security_groups.demo.ssh[0]', null]);
    expect(lineAt(related[0]!, seed)).toBe('      - { direction: ingress, protocol: tcp, port: 22 }');
    expect(lineAt(related[1]!, seed)).toBe('- name: demo-isolated-from-outside');
    // The trace as a code flow: one location per hop, in order, ending with vm1 receiving it.
    const json = JSON.parse((await runCli('verify', seed, ...only, '--format', 'json')).stdout) as { results: { verdict: string; trace: { hops: unknown[] } }[] };
    const hops = json.results.find((x) => x.verdict === 'violated')!.trace.hops.length;
    const flow = r.codeFlows![0]!.threadFlows[0]!.locations;
    expect(flow).toHaveLength(hops);
    expect(flow.map((l) => l.executionOrder)).toEqual(Array.from({ length: hops }, (_, i) => i + 1));
    expect(flow[0]!.location!.message!.text).toMatch(/^1\. outside: 8\.8\.8\.8 sends it/);
    expect(flow.at(-1)!.location!.message!.text).toMatch(/vm1 receives it on its port 0$/);
    // Every location of the flow that names a line names a real one.
    for (const l of flow) {
      const snippet = l.location?.physicalLocation?.region?.snippet?.text;
      if (snippet !== undefined) expect(lineAt(l.location!, seed)).toBe(snippet);
    }
    expect(r.properties).toMatchObject({ subject: 'isolate:external->project:demo', verdict: 'violated', witness: { ip_src: '8.8.8.8', dport: 22 } });
    expect(r.partialFingerprints!['netproofSubject/v1']).toMatch(/^[0-9a-f]{32}$/);
  });

  it("a violated built-in (nat-egress of a router with snat: false): the router's line, and the rendered rule of its namespace", async () => {
    const file = join(dir, 'nosnat.yaml');
    writeFileSync(file, readFileSync(seed, 'utf8').replace('gateway: { network: public, ip: 203.0.113.10 }', 'gateway: { network: public, ip: 203.0.113.10, snat: false }'));
    const { code, log } = await sarif('verify', file, '--select', 'nat-egress');
    expect(code).toBe(1);
    const [r] = log.runs[0]!.results!;
    expect(r).toMatchObject({ ruleId: 'nat-egress', level: 'error', message: { text: expect.stringMatching(/^router:router1: .*snat: false/) } });
    const [primary, rendered] = r!.locations!;
    expect(lineAt(primary!, file)).toBe('  router1:');
    expect(rendered!.physicalLocation!.artifactLocation!.uri).toMatch(/^network1\/qrouter-[0-9a-f-]+\.(iptables-save|ip-route)$/);
    expect(lineAt(rendered!, file)).toBe(rendered!.physicalLocation!.region!.snippet!.text);
  });

  it('nothing violated: a valid log with a rule per property checked and no result', async () => {
    const { code, log } = await sarif('verify', seed, '--skip', 'security-groups,segment-isolation,dhcp');
    expect(code).toBe(0);
    expect(log.runs[0]!.tool.driver.rules!.map((r) => r.id)).toEqual(BUILTIN_PROPERTIES.map((b) => b.id).filter((id) => !['security-groups', 'segment-isolation', 'dhcp'].includes(id)));
    expect(log.runs[0]!.results).toEqual([]);
    expect(log.runs[0]!.invocations![0]).toMatchObject({ executionSuccessful: true, exitCode: 0 });
  });

  it('a waived violation is kept, suppressed with the reason', async () => {
    const waivers = join(dir, 'waivers.yaml');
    writeFileSync(waivers, '- { property: demo-isolated-from-outside, subject: "isolate:external->project:demo", reason: vm1 is the bastion }\n');
    const { code, log } = await sarif('verify', seed, '--properties', 'properties/seed-isolation.yaml', '--select', 'demo-isolated-from-outside', '--waivers', waivers);
    expect(code).toBe(0);
    const [r] = log.runs[0]!.results!;
    expect(r).toMatchObject({ level: 'error', suppressions: [{ kind: 'external', status: 'accepted', justification: 'vm1 is the bastion' }] });
  });
});

describe('verify --baseline --format sarif: baselineState', () => {
  const file = join(dir, 'nosnat-baseline.yaml');
  const args = () => ['verify', file, '--properties', 'properties/seed-isolation.yaml', '--select', 'nat-egress,fip-ingress,demo-isolated-from-outside'];
  const saved = (name: string, results: { property: string; subject: string; verdict: string }[]) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify({ results, summary: {} }));
    return path;
  };
  const states = (log: Sarif.Log) => Object.fromEntries(log.runs[0]!.results!.map((r) => [`${r.ruleId} ${(r.properties as { subject: string }).subject}`, [r.baselineState, r.kind]]));

  it('unchanged, updated, and absent for a failure that now holds or is gone', async () => {
    writeFileSync(file, readFileSync(seed, 'utf8').replace('gateway: { network: public, ip: 203.0.113.10 }', 'gateway: { network: public, ip: 203.0.113.10, snat: false }'));
    const baseline = saved('old.json', [
      { property: 'nat-egress', subject: 'router:router1', verdict: 'violated' },
      { property: 'demo-isolated-from-outside', subject: 'isolate:external->project:demo', verdict: 'unknown' },
      { property: 'fip-ingress', subject: 'fip:203.0.113.101', verdict: 'violated' },
      { property: 'gateway', subject: 'router:router1/subnet1', verdict: 'unknown' },
      { property: 'dhcp', subject: 'network:net1', verdict: 'holds' },
    ]);
    const { code, log } = await sarif(...args(), '--baseline', baseline);
    expect(code).toBe(1);
    expect(states(log)).toEqual({
      'nat-egress router:router1': ['unchanged', 'fail'],
      'demo-isolated-from-outside isolate:external->project:demo': ['updated', 'fail'],
      'fip-ingress fip:203.0.113.101': ['absent', 'pass'],
      'gateway router:router1/subnet1': ['absent', 'pass'],
    });
    const fixed = log.runs[0]!.results!.find((r) => r.ruleId === 'fip-ingress')!;
    expect(fixed).toMatchObject({ level: 'none', message: { text: 'fip:203.0.113.101: was violated in the baseline; holds now' }, properties: { verdict: 'holds', baselineVerdict: 'violated' } });
    expect(lineAt(fixed.locations![0]!, file)).toMatch(/ip: 203\.0\.113\.101/);
    expect(log.runs[0]!.invocations![0]!.commandLine).toContain(`--baseline ${baseline}`);
  }, 60_000);

  it('new for what the baseline did not have failing; no baselineState without --baseline', async () => {
    const { log } = await sarif(...args(), '--baseline', saved('empty.json', []));
    expect(Object.values(states(log))).toEqual([['new', 'fail'], ['new', 'fail']]);
    const plain = await sarif(...args());
    expect(plain.log.runs[0]!.results!.map((r) => r.baselineState)).toEqual([undefined, undefined]);
  }, 60_000);
});

describe('query --format sarif', () => {
  it('an --expect that did not hold is an error at the sender, the destination related, the witness as a code flow', async () => {
    const { code, log } = await sarif('query', seed, '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22', '--expect', 'unreachable');
    expect(code).toBe(1);
    const [r] = log.runs[0]!.results!;
    expect(r).toMatchObject({ ruleId: 'query', kind: 'fail', level: 'error', message: { text: expect.stringMatching(/REACHABLE \(expected unreachable\)/) } });
    expect(lineAt(r!.locations![0]!, seed)).toMatch(/^ {2}vm1: /);
    expect(lineAt(r!.relatedLocations![0]!, seed)).toMatch(/^ {2}vm4: /);
    expect(r!.codeFlows![0]!.threadFlows[0]!.locations.at(-1)!.location!.message!.text).toMatch(/vm4 receives it/);
  });

  it('an --expect that held passes; an unreachable answer shows where the representative packet stops', async () => {
    const { code, log } = await sarif('query', seed, '--from', '198.51.100.7', '--to', '203.0.113.101', '--proto', 'tcp', '--dport', '22', '--expect', 'unreachable');
    expect(code).toBe(0);
    const [r] = log.runs[0]!.results!;
    expect(r).toMatchObject({ kind: 'pass', level: 'none' });
    // The floating IP is the destination; the rule that stops it is vm4's firewall's default drop.
    expect(lineAt(r!.relatedLocations![0]!, seed)).toMatch(/^ {2}- \{ ip: 203\.0\.113\.101, vm: vm4 \}/);
    expect(lineAt(r!.locations![1]!, seed)).toMatch(/-j DROP$/);
  });
});
