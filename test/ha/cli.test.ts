// The failure-scenario options and L3 HA through the command line: trace and query name the masters
// they went through, `verify --failures 1` checks every single host failure (each result with its
// scenario), and every bad scenario option is a coded error naming the option, exit 2.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';

afterAll(async () => { await shutdownZ3(); });

const HA = 'topologies/ha.yaml';

describe('bad scenario options: a coded error naming the option, exit 2, nothing checked', () => {
  const cases: [string[], RegExp][] = [
    [['trace', HA, '--from', 'web1', '--to', 'db1', '--fail', 'network9'], /NP602 unknown host in a failure scenario at --fail: no host "network9"/],
    [['query', HA, '--from', 'web1', '--to', 'db1', '--cut', 'network1'], /NP601 command-line usage at --cut: --cut takes two hosts, A,B, not "network1"/],
    [['trace', HA, '--from', 'web1', '--to', 'db1', '--cut', 'network1,nowhere'], /NP602 .* at --cut: no host "nowhere"/],
    [['trace', HA, '--from', 'web1', '--to', 'db1', '--master', 'ops-router=network1'], /NP603 not an instance of an HA router at --master: router ops-router is not an HA router/],
    [['query', HA, '--from', 'web1', '--to', 'db1', '--master', 'edge=compute1'], /NP603 .* at --master: compute1 runs no instance of edge/],
    [['trace', HA, '--from', 'web1', '--to', 'db1', '--master', 'edge=network2', '--fail', 'network2'], /NP603 .* at --master: network2 is down in this scenario/],
    [['trace', HA, '--from', 'web1', '--to', 'db1', '--fail', 'compute1'], /NP405 no such endpoint at --from: web1 is on compute1, which is down in this scenario/],
    [['verify', HA, '--fail', 'network9'], /NP602 .* at --fail: no host "network9"/],
  ];
  for (const [argv, err] of cases) {
    it(argv.slice(3).join(' '), async () => {
      const r = await runCli(...argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(err);
      expect(r.stdout).toBe('');
    });
  }
  it('verify --failures takes a number', async () => {
    const r = await runCli('verify', HA, '--failures', 'one');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NP601 command-line usage: --failures must be a number of hosts/);
  });
});

describe('trace through HA routers', () => {
  it('follows the master VRRP elects first and says so; a failover trace goes through the other instance', async () => {
    const healthy = await runCli('trace', HA, '--from', 'web1', '--to', '8.8.8.8', '--no-rules');
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toMatch(/^masters: edge on network2, backend on network2 \(as VRRP elects them first; --master ROUTER=HOST picks another\)\n/);
    expect(healthy.stdout).toMatch(/network2: router namespace qrouter-\S+ \(edge, its VRRP master instance\)/);
    const failed = await runCli('trace', HA, '--from', 'web1', '--to', '8.8.8.8', '--no-rules', '--fail', 'network2');
    expect(failed.stdout).toMatch(/^scenario: network2 down\nmasters: edge on network1, backend on network1/);
    expect(failed.stdout).toMatch(/network1: router namespace qrouter-\S+ \(edge, its VRRP master instance\)/);
    expect(failed.stdout).toMatch(/result: left the cloud through public/);
  });

  it('JSON carries the scenario and the masters; --master pins one', async () => {
    const r = await runCli('trace', HA, '--from', 'web1', '--to', '8.8.8.8', '--format', 'json', '--master', 'edge=network1', '--cut', 'compute2,network2');
    const j = JSON.parse(r.stdout) as { scenario: unknown; disposition: string };
    expect(j.scenario).toEqual({ failed: [], cut: [['compute2', 'network2']], masters: { edge: ['network1'], backend: ['network2'] } });
    expect(j.disposition).toBe('exited');
  });

  it('a packet to a VM on a failed host is sent to its address: no one answers its ARP, the copy towards the host stops at the underlay', async () => {
    const r = await runCli('trace', HA, '--from', 'web1', '--to', 'web2', '--fail', 'compute2', '--format', 'json');
    const j = JSON.parse(r.stdout) as { disposition: string; branches: { dropped_at: { rule: string } | null }[] };
    expect(j.disposition).toBe('no-arp');
    expect(j.branches.map((b) => b.dropped_at?.rule)).toContain('compute2 is down');
  });
});

describe('query under every master', () => {
  it('reachable only if reachable whichever instance is master; a cut that strands one master makes it unreachable, that master named', async () => {
    const ok = await runCli('query', HA, '--from', 'web1', '--to', '8.8.8.8', '--expect', 'reachable');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/verdict: REACHABLE — .*\(asked under each of 2 choices of masters VRRP allows\)/);
    const cut = await runCli('query', HA, '--from', 'web1', '--to', '8.8.8.8', '--cut', 'compute1,network2', '--expect', 'reachable', '--format', 'json');
    expect(cut.code).toBe(1);
    const j = JSON.parse(cut.stdout) as { verdict: string; scenario: { masters: Record<string, string[]> } };
    expect(j.verdict).toBe('unreachable');
    expect(j.scenario.masters['edge']).toEqual(['network2']);
  });
});

describe('verify --failures 1', () => {
  it('on a topology whose routers are all HA and whose DHCP runs on both network nodes: every result holds, in every scenario', async () => {
    const r = await runCli('verify', 'test/ha/topologies/ha-all.yaml', '--failures', '1', '--format', 'json');
    const j = JSON.parse(r.stdout) as { results: { property: string; verdict: string; scenario: { failed: string[] } }[]; summary: Record<string, number> };
    expect(r.code).toBe(0);
    expect(j.summary['violated']).toBe(0);
    expect(j.summary['unknown']).toBe(0);
    const scenarios = new Set(j.results.map((x) => x.scenario.failed.join(',')));
    expect([...scenarios].sort()).toEqual(['', 'compute1', 'compute2', 'network1', 'network2']);
    expect(j.results.filter((x) => x.property === 'ha-failover').length).toBe(3);
  }, 240_000);
  it('--select picks HA invariants by id like any property, in every scenario; --skip leaves them out', async () => {
    const sel = await runCli('verify', HA, '--failures', '1', '--select', 'ha-single-master', '--format', 'json');
    const j = JSON.parse(sel.stdout) as { results: { property: string; subject: string; scenario: { failed: string[] } }[] };
    expect(new Set(j.results.map((x) => x.property))).toEqual(new Set(['ha-single-master']));
    // Two HA routers, in the scenario without failures and in each of the 4 single-host failures.
    expect(j.results.length).toBe(2 * 5);
    const skip = await runCli('verify', HA, '--skip', 'ha-failover,ha-config,ha-vrid-unique,ha-single-master', '--format', 'json');
    const k = JSON.parse(skip.stdout) as { results: { property: string }[] };
    expect(k.results.length).toBeGreaterThan(0);
    expect(k.results.filter((x) => x.property.startsWith('ha-'))).toEqual([]);
  }, 240_000);
});
