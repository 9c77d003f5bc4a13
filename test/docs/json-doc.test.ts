// docs/json.md against what the commands print: every field of the JSON that trace, query and verify
// print on the shipped topologies (and verify and drift on the seed's cloud directory, diff of the seed and
// the seed with one more rule, verify --baseline) is documented, and every documented field is printed by one of
// these runs unless its description says when it appears. Packets and traces nested in an answer are
// held to the `<packet>` and trace tables.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topologyToApi } from '../../src/cloud/generate/api.ts';
import { shippedTopology, writeCloud } from '../cloud/cloud-dir.ts';
import { CLOUD_FIXTURES } from '../cloud/make-fixtures.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';
import { tableRows, ticked } from './doc-tables.ts';

afterAll(async () => {
  await shutdownZ3();
});

const PACKET_AT = new Set(['packet', 'final', 'hops[].in', 'hops[].out', 'results[].witness', 'verdicts[].witness', 'differences[].classes[].witness']);
const TRACE_AT = new Set(['branches[]', 'reply', 'results[].trace', 'differences[].classes[].before', 'differences[].classes[].after']);

/** Field paths of a printed answer; nested packets under `<packet>`, nested traces from their root. */
function fieldPaths(v: unknown, at: string, out: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) fieldPaths(x, `${at}[]`, out);
    return;
  }
  if (v === null || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v)) {
    const p = at === '' ? k : `${at}.${k}`;
    out.add(p);
    if (x === null) continue;
    if (PACKET_AT.has(p)) fieldPaths(x, '<packet>', out);
    else if (TRACE_AT.has(p) || (Array.isArray(x) && TRACE_AT.has(`${p}[]`))) for (const t of Array.isArray(x) ? x : [x]) fieldPaths(t, '', out);
    else fieldPaths(x, p, out);
  }
}

async function json(...argv: string[]): Promise<unknown> {
  const r = await runCli(...argv, '--format', 'json');
  expect(r.stderr).toBe('');
  expect(r.stdout, r.stderr).not.toBe('');
  return JSON.parse(r.stdout) as unknown;
}

const cloud = seedCloud({ drop: 'compute2' });
// The seed with one more security-group rule, for diff; and a saved verify run, for --baseline.
const changed = mkdtempSync(join(tmpdir(), 'netproof-json-doc-'));
const opened = join(changed, 'opened.yaml');
writeFileSync(opened, readFileSync('topologies/seed.yaml', 'utf8').replace('- { direction: ingress, protocol: icmp }', '- { direction: ingress, protocol: icmp }\n      - { direction: ingress, protocol: tcp, port: 8080 }'));
afterAll(() => rmSync(changed, { recursive: true, force: true }));
const faulted = seedCloud({ fault: 'sg-rule-missing' });
afterAll(() => {
  for (const d of [cloud, faulted]) rmSync(d, { recursive: true, force: true });
});

/** The seed's cloud directory (its API view and the committed captures), with a host left out or a fault in. */
function seedCloud(o: { drop?: string; fault?: string }): string {
  const dir = writeCloud(topologyToApi(shippedTopology('seed')));
  cpSync(join(CLOUD_FIXTURES, 'seed', 'hosts'), join(dir, 'hosts'), { recursive: true });
  if (o.fault) cpSync(join(CLOUD_FIXTURES, 'seed', 'faults', o.fault, 'hosts'), join(dir, 'hosts'), { recursive: true });
  if (o.drop) rmSync(join(dir, 'hosts', o.drop), { recursive: true });
  return dir;
}

/** verify --baseline against a saved run of itself in which one result was violated. */
async function baselined(): Promise<unknown> {
  const saved = (await json('verify', 'topologies/seed.yaml', '--select', 'gateway')) as { results: { verdict: string }[] };
  saved.results[0]!.verdict = 'violated';
  writeFileSync(join(changed, 'baseline.json'), JSON.stringify(saved));
  return json('verify', 'topologies/seed.yaml', '--select', 'gateway', '--baseline', join(changed, 'baseline.json'));
}

describe('docs/json.md and the JSON the commands print', async () => {
  const seed = 'topologies/seed.yaml';
  const trace = (from: string, to: string, ...more: string[]) => json('trace', seed, '--from', from, '--to', to, ...more);
  const answers = [
    await trace('vm1', 'vm4', '--proto', 'tcp', '--dport', '22'), // delivered to a VM
    await trace('vm1', '192.168.1.1'), // delivered to a namespace (ICMP)
    await trace('vm1', '8.8.8.8', '--proto', 'udp', '--dport', '53'), // exited
    await trace('198.51.100.7', '203.0.113.101', '--proto', 'tcp', '--dport', '22'), // dropped
    await json('query', seed, '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22', '--bidirectional'),
    await json('verify', seed, '--properties', 'properties/seed-isolation.yaml'),
    // A cloud directory: verify adds its notes, and drift prints its own answer (one host not captured, one fault).
    await json('verify', cloud),
    await json('drift', faulted),
    await json('diff', seed, opened, '--from', '8.8.8.8', '--to', 'vm1'),
    await baselined(),
  ];
  const printed = new Set<string>();
  for (const a of answers) fieldPaths(a, '', printed);
  const rows = tableRows('json.md').filter((r) => ticked(r[0]) !== null);
  const documented = new Map(rows.map((r) => [ticked(r[0])!, r[2] ?? '']));

  it(`documents every field printed (${printed.size} paths)`, () => {
    expect(printed.size).toBeGreaterThan(40);
    expect([...printed].filter((p) => !documented.has(p))).toEqual([]);
  });

  it('prints every documented field, or says when it appears', () => {
    const unseen = [...documented].filter(([p, meaning]) => !printed.has(p) && !/\bwhen\b/.test(meaning)).map(([p]) => p);
    expect(unseen).toEqual([]);
  });
});
