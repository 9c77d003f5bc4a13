// Every answer says what it rests on: trace, query and verify list their assumptions after the answer
// (text) and under `assumptions` (JSON), each only where it concerns the answer — the outside world's
// when a sender or destination is out there or the packet left, HA masters when there are HA routers,
// representatives in verify — with this topology's values (release, options, gateways, masters). The
// ids are those docs/cli.md's Assumptions table documents.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASSUMPTION_IDS } from '../../src/questions/assumptions.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { tableRows, ticked } from '../docs/doc-tables.ts';
import { runCli } from './run.ts';
import { topologyToApi } from '../../src/cloud/generate/api.ts';
import { CLOUD_DIRS } from '../../src/cloud/layout.ts';
import { shippedTopology, writeCloud } from '../cloud/cloud-dir.ts';
import { CLOUD_FIXTURES } from '../cloud/make-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), `netproof-assumptions-${process.pid}-`));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownZ3();
});

const seed = 'topologies/seed.yaml';

async function assumed(...argv: string[]): Promise<{ id: string; text: string }[]> {
  const r = await runCli(...argv, '--format', 'json');
  expect(r.stderr).toBe('');
  return (JSON.parse(r.stdout) as { assumptions: { id: string; text: string }[] }).assumptions;
}
const ids = (a: { id: string }[]) => a.map((x) => x.id);

describe('assumptions said where the answer is', () => {
  it('trace inside the cloud: only what the rules were rendered for, with the release and options', async () => {
    const a = await assumed('trace', seed, '--from', 'vm1', '--to', 'vm4');
    expect(ids(a)).toEqual(['rendered']);
    expect(a[0]!.text).toMatch(/Neutron 2024\.1's agents .*firewall_driver iptables_hybrid, l2_population on, arp_responder off/);
  });

  it("trace from the outside world: how it sends and routes, with the network's upstream router, and that what leaves is not followed back", async () => {
    const a = await assumed('trace', seed, '--from', '8.8.8.8', '--to', '192.168.1.11');
    expect(ids(a)).toEqual(['rendered', 'outside-world', 'leaves-cloud']);
    expect(a[1]!.text).toMatch(/public \(beyond 203\.0\.113\.1\).*routes each router's subnets to that router's gateway address/);
    // A packet that leaves the cloud brings them in too.
    expect(ids(await assumed('trace', seed, '--from', 'vm1', '--to', '8.8.8.8'))).toContain('leaves-cloud');
  });

  it('query: what senders may do and that packets are first packets; the outside world only when it is involved', async () => {
    expect(ids(await assumed('query', seed, '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22'))).toEqual(['rendered', 'senders', 'first-packets']);
    expect(ids(await assumed('query', seed, '--from', 'vm1', '--to', 'external'))).toEqual(['rendered', 'senders', 'first-packets', 'outside-world', 'leaves-cloud']);
  });

  it('verify: all that concern a run, representatives included; in the text before the summary line', async () => {
    expect(ids(await assumed('verify', seed))).toEqual(['rendered', 'senders', 'first-packets', 'outside-world', 'leaves-cloud', 'representatives']);
    const text = await runCli('verify', seed);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^\d+ results: /);
    const at = lines.indexOf('assumes:');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, -2).every((l) => l.startsWith('  - '))).toBe(true);
    expect(lines.slice(at + 1, -2)).toHaveLength(6);
  });

  it("HA routers: which host's instance is master in the trace (VRRP's first choice, or --fail's survivor); query asks every choice", async () => {
    const a = await assumed('trace', 'topologies/ha.yaml', '--from', 'web1', '--to', 'web2', '--fail', 'network2');
    const ha = a.find((x) => x.id === 'ha-master');
    for (const s of ['edge on network1', 'backend on network1']) expect(ha?.text).toContain(s);
    const first = await assumed('trace', 'topologies/ha.yaml', '--from', 'web1', '--to', 'web2', '--master', 'edge=network1', '--master', 'backend=network2');
    expect(first.find((x) => x.id === 'ha-master')?.text).toMatch(/edge on network1, backend on network2/);
    // No HA router: nothing said about masters.
    expect(ids(await assumed('trace', seed, '--from', 'vm1', '--to', 'vm4'))).not.toContain('ha-master');
  });

  it("the release and options said are the topology's own", async () => {
    const file = join(dir, 'yoga.yaml');
    writeFileSync(file, readFileSync(seed, 'utf8').replace('release: "2024.1"', 'release: "yoga"').replace('l2_population: true', 'l2_population: false'));
    const a = await assumed('trace', file, '--from', 'vm1', '--to', 'vm4');
    expect(a[0]!.text).toMatch(/Neutron yoga's agents .*l2_population off/);
  });

  it('a cloud directory: the rules are those captured from the nodes, not rendered', async () => {
    const cloud = writeCloud(topologyToApi(shippedTopology('seed')));
    try {
      cpSync(join(CLOUD_FIXTURES, 'seed', CLOUD_DIRS.hosts), join(cloud, CLOUD_DIRS.hosts), { recursive: true });
      const a = await assumed('trace', cloud, '--from', 'vm1', '--to', 'vm4');
      expect(a[0]).toMatchObject({ id: 'rendered', text: expect.stringMatching(/^the rules are those captured from the nodes, read as Neutron .*nothing changed since the capture$/) });
    } finally {
      rmSync(cloud, { recursive: true, force: true });
    }
  });

  it('text output of trace and query ends with the list', async () => {
    const t = await runCli('trace', seed, '--from', 'vm1', '--to', 'vm4');
    expect(t.stdout).toMatch(/\nassumes:\n {2}- the rules are those Neutron 2024\.1's agents program/);
    const q = await runCli('query', seed, '--from', 'vm1', '--to', 'vm4');
    expect(q.stdout.trimEnd().split('\n').at(-1)).toMatch(/^ {2}- packets are the first of a connection/);
  });

  it("every id is documented in docs/cli.md's Assumptions table, and no other", () => {
    const documented = tableRows('cli.md', 'Assumptions').map((r) => ticked(r[0]));
    expect(documented).toEqual([...ASSUMPTION_IDS]);
  });
});
