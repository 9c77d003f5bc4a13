// Agents the API reports as not alive: their devices keep what they programmed before they stopped, and
// nothing changed since reaches them. Verified as the API's intent, the verdicts such an agent's devices
// decide are `unknown`, with a note at the agent's line; verified from captures, the capture of its host
// decides and the note only says so.
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_FILES, CLOUD_DIRS } from '../../src/cloud/layout.ts';
import { runCli } from '../cli/run.ts';
import { apiOf, serialise, shippedTopology, writeCloud } from './cloud-dir.ts';
import { CLOUD_FIXTURES } from './make-fixtures.ts';

interface Result { property: string; subject: string; verdict: string; message: string }
interface Note { code: string; file: string; line: number; message: string; makes_unknown: string[] }

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** The seed's API view with the agents `dead` (type and host) reported not alive; with the seed's captures when `captured`. */
function seedCloud(dead: readonly [string, string][], captured = false): string {
  const api = apiOf(shippedTopology('seed'));
  const agents = api.get(`api/${API_FILES.agents}`) as { agents: Record<string, unknown>[] };
  for (const [type, host] of dead) {
    const a = agents.agents.find((x) => x.agent_type === type && x.host === host);
    if (!a) throw new Error(`the seed's API has no ${type} on ${host}`);
    a.alive = false;
  }
  const dir = writeCloud(serialise(api));
  made.push(dir);
  if (captured) cpSync(join(CLOUD_FIXTURES, 'seed', CLOUD_DIRS.hosts), join(dir, CLOUD_DIRS.hosts), { recursive: true });
  return dir;
}

async function verify(dir: string): Promise<{ code: number; verdicts: Map<string, Result>; notes: Note[] }> {
  const r = await runCli('verify', dir, '--format', 'json');
  const json = JSON.parse(r.stdout) as { results: Result[]; notes?: Note[] };
  return { code: r.code, verdicts: new Map(json.results.map((x) => [`${x.property} ${x.subject}`, x])), notes: json.notes ?? [] };
}

const stateNotes = (notes: readonly Note[]) => notes.filter((n) => n.code === 'cloud/state');

describe('agents the API reports as not alive', () => {
  it('a dead OVS agent, verified as intent: a note at its line, and every verdict its host decides unknown', async () => {
    const dir = seedCloud([['Open vSwitch agent', 'compute2']]);
    const { code, verdicts, notes } = await verify(dir);
    const [n, ...more] = stateNotes(notes);
    expect(more).toEqual([]);
    expect(n?.message).toMatch(/^the Open vSwitch agent on host compute2 is not alive .*changes made in the API since are not applied/);
    // The line is the dead agent's own object in the agents file.
    expect(n!.file).toBe(`api/${API_FILES.agents}`);
    const text = readFileSync(join(dir, n!.file), 'utf8').split('\n');
    const object = text.slice(n!.line - 1, text.findIndex((l, i) => i >= n!.line - 1 && /^\s*\},?$/.test(l)) + 1).join('\n');
    expect(object).toMatch(/"agent_type": "Open vSwitch agent"/);
    expect(object).toMatch(/"host": "compute2"/);
    // vm2 and vm4 live on compute2.
    for (const k of ['security-groups port:vm2:0', 'anti-spoofing port:vm4:0', 'loop-free host:compute2', 'dhcp network:net2', 'fip-ingress fip:203.0.113.101']) {
      expect(verdicts.get(k)?.verdict, k).toBe('unknown');
      expect(verdicts.get(k)?.message, k).toMatch(/Open vSwitch agent on host compute2 is not alive/);
    }
    // compute1's ports are decided by compute1's devices, whose agent is alive.
    for (const k of ['security-groups port:vm1:0', 'anti-spoofing port:vm3:0', 'loop-free host:compute1']) expect(verdicts.get(k)?.verdict, k).toBe('holds');
    expect(code).toBe(3);
  });

  it('a dead DHCP agent touches DHCP of the networks it serves and nothing of the ports; a dead metadata agent, which netproof does not model, nothing', async () => {
    const alive = await verify(seedCloud([]));
    const { verdicts, notes } = await verify(seedCloud([['DHCP agent', 'network1'], ['Metadata agent', 'network1']]));
    expect(stateNotes(notes).map((n) => n.message)).toEqual([expect.stringMatching(/^the DHCP agent on host network1 is not alive \(it manages DHCP for network\(s\) public, net1, net2\)/)]);
    expect(stateNotes(notes)[0]?.makes_unknown).toEqual(['network:public', 'network:net1', 'network:net2']);
    for (const [k, r] of alive.verdicts) {
      // A note taints subjects, whatever the property: every per-network result of those networks.
      const touched = /^(dhcp|segment-isolation|east-west) network:(net[12]|public)$/.test(k);
      expect(verdicts.get(k)?.verdict, k).toBe(touched ? 'unknown' : r.verdict);
    }
    expect(verdicts.get('dhcp network:net1')?.verdict).toBe('unknown');
  });

  it('a dead L3 agent makes its routers\' verdicts unknown', async () => {
    const { verdicts, notes } = await verify(seedCloud([['L3 agent', 'network1']]));
    expect(stateNotes(notes)[0]?.message).toMatch(/^the L3 agent on host network1 is not alive \(it manages the namespaces of router\(s\) router1\)/);
    for (const k of ['nat-egress router:router1', 'gateway router:router1/subnet1', 'fip-ingress fip:203.0.113.101']) expect(verdicts.get(k)?.verdict, k).toBe('unknown');
    expect(verdicts.get('security-groups port:vm1:0')?.verdict).toBe('holds');
  });

  it('verified from captures, the capture of the dead agent\'s host decides: the note touches no verdict', async () => {
    const alive = await verify(seedCloud([], true));
    const dead = await verify(seedCloud([['Open vSwitch agent', 'compute2']], true));
    const [n] = stateNotes(dead.notes);
    expect(n?.message).toMatch(/the capture of compute2 shows what runs there now/);
    expect(n?.makes_unknown).toEqual([]);
    expect([...dead.verdicts].map(([k, r]) => `${k} ${r.verdict}`)).toEqual([...alive.verdicts].map(([k, r]) => `${k} ${r.verdict}`));
    expect(dead.code).toBe(alive.code);
  });

  it('netproof import says so on stderr and at the top of the file', async () => {
    const dir = seedCloud([['Open vSwitch agent', 'compute2']]);
    const out = join(dir, 'imported.yaml');
    const r = await runCli('import', dir, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/api\/agents\.json:\d+: the Open vSwitch agent on host compute2 is not alive/);
    expect(readFileSync(out, 'utf8')).toMatch(/^# .*the Open vSwitch agent on host compute2 is not alive/m);
  });
});
