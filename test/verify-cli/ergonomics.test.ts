// The CLI as it fits the hand: `n/a` for what is true only because there is nothing to check,
// --select/--skip, waivers (applied, expired, unmatched, unneeded), --only-failures, colour and width
// on a terminal only (NO_COLOR honoured), trace --expect as an exit code, --version.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { styleFor, wrapText } from '../../src/report/style.ts';
import { verifyText } from '../../src/report/verify-text.ts';
import { verifyJunit } from '../../src/report/verify-junit.ts';
import { summarize } from '../../src/questions/verify.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import type { PropertyResult } from '../../src/questions/property.ts';
import { labelsFor } from '../../src/report/labels.ts';
import { loadModel } from '../../src/pipeline.ts';
import { runCli } from '../cli/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'netproof-hand-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownZ3();
});
const seed = 'topologies/seed.yaml';
const VIOLATION = 'demo-isolated-from-outside';
const SUBJECT = 'isolate:external->project:demo';

function waivers(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

type VerifyJson = { results: { property: string; subject: string; verdict: string; message: string }[]; summary: Record<string, number>; waivers?: { status: string }[] };

describe('n/a: true only because there is nothing to check', () => {
  it('project-isolation on a one-project cloud is n/a, counted, and exits 0', async () => {
    const r = await runCli('verify', seed, '--select', 'project-isolation', '--format', 'json');
    const j = JSON.parse(r.stdout) as VerifyJson;
    expect(j.results).toEqual([expect.objectContaining({ property: 'project-isolation', subject: 'project:demo', verdict: 'n/a' })]);
    expect(j.summary).toEqual({ holds: 0, violated: 0, unknown: 0, 'n/a': 1, waived: 0 });
    expect(r.code).toBe(0);
  });

  it('counts the ports on shared networks that isolation leaves out', async () => {
    const r = await runCli('verify', 'topologies/provider.yaml', '--select', 'project-isolation', '--format', 'json');
    const j = JSON.parse(r.stdout) as VerifyJson;
    expect(j.results[0]!.message).toMatch(/\d+ ports? on shared networks left out/);
  });
});

describe('--select and --skip', () => {
  it('--select runs only the named properties', async () => {
    const r = await runCli('verify', seed, '--select', 'gateway,dhcp', '--format', 'json');
    expect(new Set((JSON.parse(r.stdout) as VerifyJson).results.map((x) => x.property))).toEqual(new Set(['gateway', 'dhcp']));
  });
  it('--skip leaves the named ones out', async () => {
    const others = BUILTIN_PROPERTIES.map((b) => b.id).filter((id) => id !== 'gateway');
    const r = await runCli('verify', seed, '--skip', others.join(','), '--format', 'json');
    expect(new Set((JSON.parse(r.stdout) as VerifyJson).results.map((x) => x.property))).toEqual(new Set(['gateway']));
  });
});

describe('waivers', () => {
  const run = (file: string, ...more: string[]) => runCli('verify', seed, '--properties', 'properties/seed-isolation.yaml', '--select', VIOLATION, '--waivers', file, ...more);

  it('a waiver in force turns the violation into waived: shown with its reason, exit 0', async () => {
    const r = await run(waivers('w.yaml', `- { property: ${VIOLATION}, subject: "${SUBJECT}", reason: ssh is open on purpose, expires: 2999-12-31 }\n`), '--format', 'json');
    const j = JSON.parse(r.stdout) as VerifyJson;
    expect(j.results[0]).toMatchObject({ verdict: 'waived' });
    expect(j.results[0]!.message).toContain('waived: ssh is open on purpose (until 2999-12-31)');
    expect(j.waivers).toEqual([expect.objectContaining({ status: 'applied' })]);
    expect(r.code).toBe(0);
  });

  it('an expired waiver waives nothing and says so; an unmatched one is reported', async () => {
    const file = waivers('old.yaml', [`- { property: ${VIOLATION}, subject: "${SUBJECT}", reason: was fine, expires: 2020-01-01 }`, '- { property: nat-egress, subject: "router:nowhere", reason: typo }', ''].join('\n'));
    const r = await run(file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/VIOLATED/);
    expect(r.stdout).toMatch(/expired on 2020-01-01: not applied/);
    expect(r.stdout).toMatch(/nat-egress router:nowhere \(.*old\.yaml:2\): matches no result/);
  });

  it('a waiver file with an unknown field is NP801 at its line, exit 2', async () => {
    const r = await run(waivers('bad.yaml', `- { property: x, subject: y, reason: z, until: 2030-01-01 }\n`));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:1:\d+: NP801 waiver: unknown field at \[0\]\.until/);
  });
});

describe('--only-failures', () => {
  it('shows only the failing rows, and the summary still counts all', async () => {
    const r = await runCli('verify', seed, '--properties', 'properties/seed-isolation.yaml', '--select', `${VIOLATION},gateway`, '--only-failures', '--no-rules');
    const table = r.stdout.split('\n\n')[0]!.split('\n');
    expect(table.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([VIOLATION]);
    expect(r.stdout.trimEnd()).toMatch(/4 results: 3 hold, 1 violated, 0 unknown$/);
  });
});

describe('colour and width: on a terminal only', () => {
  const results: PropertyResult[] = [
    { property: 'gateway', subject: 'router:r/s', verdict: 'holds', witness: null, trace: null, message: 'all 2 VM ports of s reach 10.0.0.1 in qrouter-x (ICMP echo request) and a long tail of words to wrap around' },
    { property: 'project-isolation', subject: 'project:p', verdict: 'n/a', witness: null, trace: null, message: 'nothing to be isolated from' },
  ];
  const report = { results, summary: summarize(results) };
  const model = loadModel(seed);
  const labels = labelsFor(model.ok ? model.value.topology : (undefined as never));

  it('colours verdicts only when the style says so, and NO_COLOR or a pipe turns it off', () => {
    expect(verifyText(report, labels, { rules: false, style: { color: true, width: null } })).toContain('\u001b[32mholds\u001b[0m');
    expect(verifyText(report, labels, { rules: false })).not.toContain('\u001b[');
    expect(styleFor({ isTTY: true, columns: 100 }, {})).toEqual({ color: true, width: 100 });
    expect(styleFor({ isTTY: true, columns: 100 }, { NO_COLOR: '1' }).color).toBe(false);
    expect(styleFor({ isTTY: false }, {})).toEqual({ color: false, width: null });
    expect(styleFor({ isTTY: false }, { FORCE_COLOR: '1' }).color).toBe(true);
  });

  it('fits the table to the width, wrapping messages under their column; unwrapped when piped', () => {
    const text = verifyText(report, labels, { rules: false, style: { color: false, width: 72 } });
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(72);
    expect(text).toContain('a long tail');
    const piped = verifyText(report, labels, { rules: false });
    expect(piped.split('\n')[1]).toContain('and a long tail of words to wrap around');
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
  });

  it('JUnit marks n/a and waived results skipped', () => {
    const x = verifyJunit(report, labels);
    expect(x).toContain('skipped="1"');
    expect(x).toContain('<skipped message="n/a: nothing to be isolated from"/>');
  });
});

describe('trace --expect and --version', () => {
  it('exit 1 when the packet ends otherwise, 0 when as expected', async () => {
    const args = ['trace', seed, '--from', '198.51.100.7', '--to', '203.0.113.101', '--proto', 'tcp', '--dport', '22', '--no-rules'];
    expect((await runCli(...args, '--expect', 'delivered')).code).toBe(1);
    expect((await runCli(...args, '--expect', 'dropped')).code).toBe(0);
  });

  it('--version prints the package version', async () => {
    const r = await runCli('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });
});
