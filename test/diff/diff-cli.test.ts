// `netproof diff` and `verify --baseline` as a user runs them: exit codes (0 same or without
// --expect-no-change, 1 with it on a difference, 2 bad input), the text headline an operator reads,
// and the JSON (docs/json.md); a baseline lists exactly the results whose verdict changed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'netproof-diff-cli-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownZ3();
});

const SEED = 'topologies/seed.yaml';
/** Two built-ins are enough to compare runs (and keep the runs short). */
const PICK = ['--select', 'nat-egress,gateway'];
const seedText = readFileSync(SEED, 'utf8');
const opened = join(dir, 'opened.yaml');
writeFileSync(opened, seedText.replace('- { direction: ingress, protocol: icmp }', '- { direction: ingress, protocol: icmp }\n      - { direction: ingress, protocol: tcp, port: 8080 }'));

describe('netproof diff', () => {
  it('names what a new rule allows, as text, and fails --expect-no-change', async () => {
    const r = await runCli('diff', SEED, opened, '--from', '8.8.8.8', '--to', 'vm1', '--no-rules', '--expect-no-change');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('verdict: DIFFERENT');
    expect(r.stdout).toContain('outside(public) → vm1:0: newly delivered — tcp/8080 (security group ssh)');
    expect(r.stdout).toMatch(/before: DROPPED on compute1/);
    expect(r.stdout).toContain('after:  delivered to vm1 (port 0) on compute1');
  });

  it('prints the difference as JSON, each class with its witness and both traces', async () => {
    const r = await runCli('diff', SEED, opened, '--from', '8.8.8.8', '--to', 'vm1', '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { verdict: string; differences: { from: string; to: string; change: string; classes: { packets: string; decided_by: string | null; witness: { dport: number }; before: { disposition: string }; after: { disposition: string } }[] }[]; summary: Record<string, number> };
    expect(j.verdict).toBe('different');
    expect(j.differences).toHaveLength(1);
    const [d] = j.differences;
    expect([d!.from, d!.to, d!.change]).toEqual(['outside(public)', 'vm1:0', 'newly-delivered']);
    expect(d!.classes.map((c) => [c.packets, c.witness.dport, c.before.disposition, c.after.disposition])).toEqual([['tcp/8080', 8080, 'dropped', 'delivered']]);
    expect(d!.classes[0]!.decided_by).toMatch(/^security group ssh rule [0-9a-f-]+$/);
    expect(j.summary).toMatchObject({ differences: 1, classes: 1, senders: 1, senders_unknown: 0 });
  });

  it('proves a sender unchanged: SAME, exit 0 with --expect-no-change', async () => {
    const r = await runCli('diff', SEED, opened, '--from', 'vm2', '--expect-no-change');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('verdict: SAME — no packet meets another fate (proved for 1 sender)');
  });

  it('refuses a file that cannot be read: exit 2, naming it', async () => {
    const r = await runCli('diff', SEED, join(dir, 'missing.yaml'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('missing.yaml');
  });
});

describe('verify --baseline', () => {
  it('lists exactly the results whose verdict changed since the saved run', async () => {
    const saved = await runCli('verify', SEED, ...PICK, '--format', 'json');
    const j = JSON.parse(saved.stdout) as { results: { property: string; subject: string; verdict: string }[] };
    // Pretend the saved run had one violation and a subject that is gone now.
    const first = j.results.find((x) => x.verdict === 'holds')!;
    first.verdict = 'violated';
    j.results.push({ property: 'nat-egress', subject: 'router:gone', verdict: 'holds' });
    const file = join(dir, 'baseline.json');
    writeFileSync(file, JSON.stringify(j));
    const text = await runCli('verify', SEED, ...PICK, '--baseline', file, '--no-rules');
    expect(text.stdout).toContain(`since the baseline (${file}): 2 results changed`);
    expect(text.stdout).toContain(`${first.property} ${first.subject}: fixed (was violated)`);
    expect(text.stdout).toContain('nat-egress router:gone: gone (was holds)');
    const json = JSON.parse((await runCli('verify', SEED, ...PICK, '--baseline', file, '--format', 'json')).stdout) as { baseline: { file: string; changed: unknown[] } };
    expect(json.baseline.changed).toEqual([
      { property: first.property, subject: first.subject, before: 'violated', after: 'holds' },
      { property: 'nat-egress', subject: 'router:gone', before: 'holds', after: null },
    ]);
  });

  it('says so when nothing changed, and refuses a file that is not a verify report', async () => {
    const file = join(dir, 'same.json');
    writeFileSync(file, (await runCli('verify', SEED, ...PICK, '--format', 'json')).stdout);
    expect((await runCli('verify', SEED, ...PICK, '--baseline', file)).stdout).toContain('no result changed');
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ results: [{ property: 'x' }] }));
    const bad = await runCli('verify', SEED, ...PICK, '--baseline', join(dir, 'bad.json'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('NP606 baseline unusable at results[0].subject');
  });
});
