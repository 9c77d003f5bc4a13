// `netproof example` prints a starter topology that a newcomer can build on: it is commented, it
// loads, and every built-in invariant holds on it (verify exits 0).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopologyText } from '../../src/topology/index.ts';
import { formatInputError } from '../../src/errors.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'netproof-example-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownZ3();
});

describe('netproof example', async () => {
  const printed = await runCli('example');

  it('prints a commented topology', () => {
    expect(printed.code).toBe(0);
    expect(printed.stderr).toBe('');
    expect(printed.stdout.split('\n').filter((l) => /#\s/.test(l)).length).toBeGreaterThan(20);
  });

  it('loads, with hosts, networks, a router, groups, VMs and a floating IP', () => {
    const t = loadTopologyText(printed.stdout, 'example.yaml');
    if (!t.ok) throw new Error(t.errors.map(formatInputError).join('\n'));
    expect(t.value.hosts.length).toBeGreaterThanOrEqual(3);
    expect(t.value.routers.length).toBe(1);
    expect(t.value.floatingIps.length).toBe(1);
    expect(t.value.vms.length).toBeGreaterThanOrEqual(3);
  });

  it('verifies: every built-in invariant holds', async () => {
    const file = join(dir, 'example.yaml');
    writeFileSync(file, printed.stdout);
    const r = await runCli('verify', file, '--format', 'json');
    expect(r.code, r.stdout.slice(0, 2000)).toBe(0);
    const j = JSON.parse(r.stdout) as { results: { verdict: string }[] };
    expect(j.results.length).toBeGreaterThan(10);
    expect(j.results.filter((x) => x.verdict !== 'holds' && x.verdict !== 'n/a')).toEqual([]);
  });
});
