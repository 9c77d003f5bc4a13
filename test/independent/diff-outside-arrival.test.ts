// `diff --from` an address out on the internet, in a cloud with two external networks and a provider
// network: the address may arrive through any of them (as query's does), so a change reached through the
// second external network is found. Asking only the first written proved "no change" for a rule that
// newly lets that address into a database VM behind the second.
import { writeFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';

const before = join(import.meta.dirname, 'topologies', 'two-projects.yaml');
const dir = mkdtempSync(join(tmpdir(), 'np-diff-outside-'));
const after = join(dir, 'after.yaml');
// db's group newly admits PostgreSQL from 8.8.8.0/24; db1 has a floating IP on public2, the second external network.
const rule = '      - { direction: ingress, protocol: tcp, port: 22, remote_ip_prefix: 172.17.0.0/24 }\n';
const text = readFileSync(before, 'utf8');
if (!text.includes(rule)) throw new Error('two-projects.yaml no longer has the db group rule this test edits after');
writeFileSync(after, text.replace(rule, `${rule}      - { direction: ingress, protocol: tcp, port: 5432, remote_ip_prefix: 8.8.8.0/24 }\n`));

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownZ3();
});

interface Diff { verdict: string; differences: { from: string; to: string; change: string }[] }

async function diff(...extra: string[]): Promise<{ code: number; out: Diff }> {
  const r = await runCli('diff', before, after, '--format', 'json', ...extra);
  if (r.stdout.trim() === '') throw new Error(`no output (exit ${r.code}): ${r.stderr}`);
  return { code: r.code, out: JSON.parse(r.stdout) as Diff };
}

describe('diff --from an outside address, with several external networks', () => {
  it('finds the change reached through the second external network without --via', async () => {
    const { out } = await diff('--from', '8.8.8.8');
    expect(out.verdict).toBe('different');
    expect(out.differences.map((d) => `${d.from} → ${d.to} ${d.change}`).sort()).toEqual([
      'outside(public2) → db1:0 newly-delivered',
      'outside(public2) → db2:0 newly-delivered',
    ]);
  });

  it('an address the rule does not admit: no change, proved through every external network', async () => {
    const { out } = await diff('--from', '9.9.9.9');
    expect(out.verdict).toBe('same');
  });

  it('--via still decides: through the first external network nothing changed', async () => {
    const { out } = await diff('--from', '8.8.8.8', '--via', 'public');
    expect(out.verdict).toBe('same');
  });
});
