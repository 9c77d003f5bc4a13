// `verify --shard K/N` and `netproof merge`: N shards run as processes of their own, as they run on
// separate machines, merged, and compared with the unsharded run's JSON byte for byte (topologies with
// violations and their witnesses, HA routers under every choice of masters, user properties, waivers,
// --only-failures); the shards partition the results; a subject's shard does not move when the
// topology file is reordered; bad K/N, a shard missing or given twice, and shards of other inputs or
// options exit 2.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument, isMap } from 'yaml';
import { runCli, type CliRun } from '../cli/run.ts';
import { shardOf } from '../../src/shard/assign.ts';

const dir = mkdtempSync(join(tmpdir(), `netproof-shard-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `netproof ARGS` as a process of its own (bin/netproof.cjs), as a shard runs. */
function netproof(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/netproof.cjs', ...args], { maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

type ShardJson = { results: { property: string; subject: string; verdict: string }[]; summary: Record<string, number>; shard: { index: number; count: number; fingerprint: string; run_results: number; positions: number[] } };

/** Runs shard k of n for each k, writes each shard's JSON to a file, and returns the files. */
async function shards(n: number, args: readonly string[], tag: string): Promise<string[]> {
  const files: string[] = [];
  for (let k = 1; k <= n; k++) {
    const r = await netproof('verify', ...args, '--format', 'json', '--shard', `${k}/${n}`);
    // Only what the runtime may print on a slow start (Z3's WebAssembly instantiation), never an error.
    expect(r.stderr).not.toMatch(/netproof:|NP\d{3}|Error/);
    expect([0, 1, 3]).toContain(r.code);
    const f = join(dir, `${tag}-${k}of${n}.json`);
    writeFileSync(f, r.stdout);
    files.push(f);
  }
  return files;
}

const waiverFile = join(dir, 'waivers.yaml');
writeFileSync(waiverFile, [
  '- { property: project-isolation, subject: "project:demo", reason: "shared router, being split" }',
  '- { property: nat-egress, subject: "router:router1", reason: "holds anyway" }',
  '- { property: gateway, subject: "router:nope/x", reason: "no such result" }',
].join('\n'));

const CASES: readonly { name: string; n: number; args: readonly string[] }[] = [
  { name: 'violations with witnesses and traces (two projects), waivers applied, unneeded and unmatched', n: 3, args: ['test/properties/topologies/two-projects.yaml', '--waivers', waiverFile] },
  { name: 'HA routers under every choice of masters', n: 2, args: ['topologies/ha.yaml'] },
  { name: 'user properties', n: 2, args: ['topologies/seed.yaml', '--properties', 'properties/seed.yaml'] },
  { name: '--only-failures', n: 2, args: ['test/properties/topologies/two-projects.yaml', '--only-failures'] },
];

/** Each case's shard files, for the tests of mismatched shards below. */
const made = new Map<string, string[]>();

describe('the merged shards are the whole run', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.n} shards merged = the unsharded JSON`, async () => {
      const whole = await netproof('verify', ...c.args, '--format', 'json');
      const files = await shards(c.n, c.args, c.name.replace(/\W+/g, '-'));
      made.set(c.name, files);
      const parts = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as ShardJson);
      // The shards partition the run's results: every position once.
      const positions = parts.flatMap((p) => p.shard.positions).sort((a, b) => a - b);
      expect(new Set(positions).size).toBe(positions.length);
      if (!c.args.includes('--only-failures')) expect(positions).toEqual(Array.from({ length: parts[0]!.shard.run_results }, (_, i) => i));
      expect(new Set(parts.map((p) => p.shard.fingerprint)).size).toBe(1);
      // Merged in any order of the files.
      const merged = await runCli('merge', ...[...files].reverse());
      expect(merged.stderr).toBe('');
      expect(merged.stdout).toBe(whole.stdout);
      expect(merged.code).toBe(whole.code);
      // Spread over the shards, not all in one.
      if (c.n > 1) expect(parts.filter((p) => p.results.length > 0).length).toBeGreaterThanOrEqual(2);
      // --out writes the same to a file.
      const out = join(dir, `${c.name.replace(/\W+/g, '-')}-merged.json`);
      const written = await runCli('merge', ...files, '--out', out);
      expect([written.code, written.stdout]).toEqual([whole.code, '']);
      expect(readFileSync(out, 'utf8')).toBe(whole.stdout);
    }, 600_000);
  }
});

describe('a subject stays in its shard when the topology file is reordered', () => {
  it('the same results per shard with every map of the topology written in reverse order', async () => {
    const src = 'test/properties/topologies/two-projects.yaml';
    const doc = parseDocument(readFileSync(src, 'utf8'));
    let reversed = 0;
    for (const key of ['hosts', 'networks', 'routers', 'security_groups', 'vms']) {
      const m = doc.get(key);
      if (isMap(m)) {
        m.items.reverse();
        reversed++;
      }
    }
    expect(reversed).toBeGreaterThanOrEqual(4);
    const moved = join(dir, 'reordered.yaml');
    writeFileSync(moved, doc.toString());
    const keys = (f: string) => (JSON.parse(readFileSync(f, 'utf8')) as ShardJson).results.map((r) => `${r.property} ${r.subject} ${r.verdict}`).sort();
    const a = made.get(CASES[0]!.name) ?? (await shards(3, CASES[0]!.args, 'order-a'));
    const b = await shards(3, [moved, ...CASES[0]!.args.slice(1)], 'order-b');
    for (let k = 0; k < 3; k++) expect(keys(b[k]!)).toEqual(keys(a[k]!));
  }, 600_000);

  it('assignment is a function of the names and N alone, and spreads', () => {
    const subjects = Array.from({ length: 3000 }, (_, i) => `port:vm${i}:0`);
    const per = [0, 0, 0, 0];
    for (const s of subjects) per[shardOf(4, 'security-groups', s, '') - 1]!++;
    // 3,000 subjects over 4 shards: each within 15% of 750.
    for (const n of per) expect(Math.abs(n - 750)).toBeLessThan(113);
    expect(shardOf(4, 'security-groups', 'port:vm7:0', '')).toBe(shardOf(4, 'security-groups', 'port:vm7:0', ''));
  });
});

describe('bad input exits 2 and says why', () => {
  for (const bad of ['0/3', '4/3', '1/0', 'a/b', '2', '1/3/4', '-1/3']) {
    it(`--shard ${bad}`, async () => {
      const r = await runCli('verify', 'topologies/seed.yaml', '--format', 'json', '--shard', bad);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('NP601');
      expect(r.stderr).toContain('--shard must be K/N');
    });
  }

  it('--shard without --format json, and with --baseline', async () => {
    const text = await runCli('verify', 'topologies/seed.yaml', '--shard', '1/2');
    expect([text.code, text.stderr]).toEqual([2, expect.stringContaining('give --format json')]);
    const base = await runCli('verify', 'topologies/seed.yaml', '--format', 'json', '--shard', '1/2', '--baseline', waiverFile);
    expect([base.code, base.stderr]).toEqual([2, expect.stringContaining('--baseline')]);
  });

  it('a shard missing, a shard given twice, a file that is no shard', async () => {
    const files = made.get(CASES[0]!.name) ?? (await shards(3, CASES[0]!.args, 'bad'));
    const missing = await runCli('merge', files[0]!, files[2]!);
    expect([missing.code, missing.stdout]).toEqual([2, '']);
    expect(missing.stderr).toMatch(/NP608.*2\/3 missing/);
    const twice = await runCli('merge', files[0]!, files[1]!, files[1]!, files[2]!);
    expect([twice.code, twice.stderr]).toEqual([2, expect.stringMatching(/NP608.*given twice/)]);
    const whole = join(dir, 'whole.json');
    writeFileSync(whole, JSON.stringify({ results: [], summary: { holds: 0 } }));
    const notShard = await runCli('merge', whole, files[1]!);
    expect([notShard.code, notShard.stderr]).toEqual([2, expect.stringMatching(/whole\.json: NP607.*no shard block/)]);
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{ nope');
    const notJson = await runCli('merge', garbage);
    expect([notJson.code, notJson.stderr]).toEqual([2, expect.stringMatching(/NP607.*not JSON/)]);
  }, 600_000);

  it('shards of another topology, other options or another shard count', async () => {
    // Shard 1/2 of the HA topology against shard 2/2 of the seed; shard 1/2 of two projects with
    // --only-failures against shard 2/3 of two projects with waivers; shard 1/2 of two projects with
    // waivers against its shard 2/3 (the shard count is part of the run's fingerprint).
    const get = async (i: number) => made.get(CASES[i]!.name) ?? (await shards(CASES[i]!.n, CASES[i]!.args, `fp-${i}`));
    const [ha, seed, filtered, plain] = [await get(1), await get(2), await get(3), await get(0)];
    const half = join(dir, 'two-projects-1of2.json');
    const r12 = await netproof('verify', ...CASES[0]!.args, '--format', 'json', '--shard', '1/2');
    writeFileSync(half, r12.stdout);
    const otherRun = /NP608 shards of different runs at shard\.fingerprint/;
    const pairs = [['topology', ha[0]!, seed[1]!, otherRun], ['options', filtered[0]!, plain[1]!, otherRun], ['count', half, plain[1]!, otherRun]] as const;
    for (const [what, first, second, field] of pairs) {
      const r = await runCli('merge', first, second);
      expect(r.code, what).toBe(2);
      expect(r.stderr, what).toMatch(/NP608/);
      expect(r.stderr, what).toMatch(field);
      expect(r.stdout, what).toBe('');
    }
  }, 600_000);
});
