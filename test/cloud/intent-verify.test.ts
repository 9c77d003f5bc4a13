// A cloud directory with `api/` alone is verified as its intent: the same verdicts as the topology file
// its API view was generated from. A router netproof leaves out (DVR) makes the verdicts it touches
// `unknown`, saying why and where, and never `holds`.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { topologyToApi } from '../../src/cloud/generate/api.ts';
import { API_FILES } from '../../src/cloud/layout.ts';
import { repoRoot } from '../fixtures/samples.ts';
import { runCli } from '../cli/run.ts';
import { apiOf, serialise, shippedTopology, writeCloud } from './cloud-dir.ts';

interface Result { property: string; subject: string; verdict: string; message: string }
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

async function verify(target: string): Promise<{ code: number; results: Result[]; notes: { message: string; makes_unknown: string[] }[] }> {
  const r = await runCli('verify', target, '--format', 'json');
  const json = JSON.parse(r.stdout) as { results: Result[]; notes?: { message: string; makes_unknown: string[] }[] };
  return { code: r.code, results: json.results, notes: json.notes ?? [] };
}

const verdicts = (rs: readonly Result[]) => rs.map((r) => `${r.property} ${r.subject} ${r.verdict}`);

describe('verify on a cloud directory with api/ alone', () => {
  it('gives the topology file\'s verdicts, subject by subject (seed)', async () => {
    const dir = writeCloud(topologyToApi(shippedTopology('seed')));
    made.push(dir);
    const cloud = await verify(dir);
    const file = await verify(`${repoRoot}/topologies/seed.yaml`);
    expect(verdicts(cloud.results)).toEqual(verdicts(file.results));
    expect(cloud.results.length).toBeGreaterThan(10);
    expect(cloud.code).toBe(file.code);
    // The one note: the release is netproof's default, since no capture says.
    expect(cloud.notes.map((n) => n.makes_unknown)).toEqual([[]]);
  });

  it('makes every verdict a left-out DVR router touches unknown, with the note', async () => {
    const api = apiOf(shippedTopology('seed'));
    const routers = api.get(`api/${API_FILES.routers}`) as { routers: Record<string, unknown>[] };
    (routers.routers[0] as Record<string, unknown>).distributed = true;
    const dir = writeCloud(serialise(api));
    made.push(dir);
    const { code, results, notes } = await verify(dir);
    expect(notes.some((n) => /DVR/.test(n.message))).toBe(true);
    const touched = results.filter((r) => /^(router:router1|network:(net1|net2|public)|port:|project:demo|host:network1|fip:)/.test(r.subject));
    expect(touched.length).toBeGreaterThan(5);
    for (const r of touched) {
      expect(r.verdict, `${r.property} ${r.subject}`).toBe('unknown');
      expect(r.message).toMatch(/DVR.*api\/routers\.json:\d+/);
    }
    // Nothing claims a proof it does not have: the exit code says unknown.
    expect(code).toBe(3);
    expect(results.some((r) => r.verdict === 'holds' && touched.includes(r))).toBe(false);
  });
});
