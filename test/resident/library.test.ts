// The library (`import { load } from 'netproof'`, src/index.ts) against the command line: on every shipped
// topology and a cloud directory, a model loaded once answers trace, query and verify with exactly the JSON
// the command prints with `--format json` and the command's exit code — asked several times in a row on
// the same model, so that what the model keeps between questions is held to a fresh command each time.
// Also: errors are values with codes (bad, unknown and missing parameters, unknown endpoints), a topology
// object loads like its file, reload swaps the model only when the new one loads, close ends Z3.
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { load, type ResidentModel } from '../../src/index.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';
import { sameUpToOutsideAddress } from './outside-address.ts';
import { topologyToApi } from '../../src/cloud/generate/api.ts';
import { CLOUD_DIRS } from '../../src/cloud/layout.ts';
import { shippedTopology, writeCloud } from '../cloud/cloud-dir.ts';
import { CLOUD_FIXTURES } from '../cloud/make-fixtures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'netproof-resident-'));
const opened: ResidentModel[] = [];
/** The seed's cloud directory: its API view and the captures of its test cloud. */
const seedCloud = writeCloud(topologyToApi(shippedTopology('seed')));
cpSync(join(CLOUD_FIXTURES, 'seed', CLOUD_DIRS.hosts), join(seedCloud, CLOUD_DIRS.hosts), { recursive: true });
afterAll(async () => {
  for (const m of opened) await m.close();
  await shutdownZ3();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(seedCloud, { recursive: true, force: true });
});

function loaded(source: Parameters<typeof load>[0]): ResidentModel {
  const r = load(source);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  opened.push(r.value);
  return r.value;
}

/** The command's JSON and exit code. */
async function cli(...argv: string[]): Promise<{ json: unknown; code: number }> {
  const r = await runCli(...argv, '--format', 'json');
  return { json: r.stdout === '' ? null : JSON.parse(r.stdout), code: r.code };
}

/** Command-line options of library parameters (`icmpType: 0` → `--icmp-type 0`, lists repeated). */
function argvOf(params: Record<string, unknown>): string[] {
  return Object.entries(params).flatMap(([k, v]) => {
    const flag = `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (v === true) return [flag];
    return Array.isArray(v) ? v.flatMap((x) => [flag, String(x)]) : [flag, String(v)];
  });
}

const SHIPPED = ['seed', 'seed-vlan', 'provider', 'ha'] as const;

describe('trace: the library answers as the command prints, on every shipped topology and a cloud directory', () => {
  const sources = [...SHIPPED.map((n) => `topologies/${n}.yaml`), seedCloud];
  for (const file of sources) {
    it(file === seedCloud ? 'the seed as a cloud directory' : file, async () => {
      const np = loaded(file);
      const { vms, floatingIps, hosts } = np.model.topology;
      const first = vms[0]!.name;
      // Every VM from the first, both ways, a port and an ICMP type, the outside to a floating IP and
      // back out, and the first network node down.
      const asks: Record<string, unknown>[] = [
        ...vms.slice(1).flatMap((v) => [{ from: first, to: v.name }, { from: v.name, to: first, proto: 'tcp', dport: 22 }]),
        { from: first, to: vms[1]!.name, proto: 'udp', sport: 5353, dport: 53 },
        { from: first, to: '8.8.8.8', proto: 'tcp', dport: 443 },
        ...floatingIps.slice(0, 2).map((f) => ({ from: '198.51.100.9', to: f.ip, proto: 'tcp', dport: 22 })),
        { from: first, to: vms.at(-1)!.name, fail: [hosts.find((h) => h.network)!.name] },
        { from: first, to: vms[1]!.name, expect: 'dropped' },
      ];
      expect(asks.length).toBeGreaterThanOrEqual(5);
      for (const p of asks) {
        const want = await cli('trace', file, ...argvOf(p));
        const got = np.trace(p as never);
        expect(got.exitCode, JSON.stringify(p)).toBe(want.code);
        expect(got.ok ? got.value : null, JSON.stringify(p)).toEqual(want.json);
      }
    });
  }
});

describe('query and verify: the library answers as the command prints', () => {
  it('query on seed and ha, several in a row on one model each', async () => {
    for (const name of ['seed', 'ha']) {
      const file = `topologies/${name}.yaml`;
      const np = loaded(file);
      const vms = np.model.topology.vms.map((v) => v.name);
      const asks: Record<string, unknown>[] = [
        { from: vms[0], to: vms[1], proto: 'tcp', dport: 22 },
        { from: vms[0], to: vms.at(-1) },
        { from: vms.at(-1), to: vms[0], proto: 'icmp', expect: 'unreachable' },
        { from: vms[0], to: 'external', proto: 'tcp', dport: 443, bidirectional: true },
        { from: vms[0], to: vms[1], proto: 'tcp', dport: 22 }, // asked again: the answer kept must not change
      ];
      for (const p of asks) {
        const want = await cli('query', file, ...argvOf(p));
        const got = await np.query(p as never);
        expect(got.exitCode, `${name} ${JSON.stringify(p)}`).toBe(want.code);
        expect(sameUpToOutsideAddress(got.ok ? got.value : null, want.json, p.to === 'external', np.model.topology), `${name} ${JSON.stringify(p)}`).toEqual(want.json);
      }
    }
  }, 600_000);

  it('verify on seed, with --select and after queries on the same model', async () => {
    const file = 'topologies/seed.yaml';
    const np = loaded(file);
    expect((await np.query({ from: 'vm1', to: 'vm4' })).ok).toBe(true);
    for (const p of [{}, { select: ['nat-egress', 'dhcp'], onlyFailures: true }, { fail: ['compute2'] }] as Record<string, unknown>[]) {
      const want = await cli('verify', file, ...argvOf(p));
      const got = await np.verify(p as never);
      expect(got.exitCode, JSON.stringify(p)).toBe(want.code);
      expect(got.ok ? got.value : null, JSON.stringify(p)).toEqual(want.json);
    }
  }, 600_000);
});

describe('errors are values with codes', () => {
  const np = loaded('topologies/seed.yaml');

  it('a bad value, an unknown or missing parameter, an unknown endpoint: exit code 2 and the parameter named', async () => {
    const bad = np.trace({ from: 'vm1', to: 'vm4', dport: 70000 });
    expect(bad).toMatchObject({ ok: false, exitCode: 2, errors: [{ code: 'NP601', path: 'params.dport' }] });
    const unknown = np.trace({ from: 'vm1', to: 'vm4', dprot: 22 } as never);
    expect(unknown).toMatchObject({ ok: false, exitCode: 2, errors: [{ code: 'NP601', path: 'params.dprot' }] });
    const missing = await np.query({ from: 'vm1' } as never);
    expect(missing).toMatchObject({ ok: false, exitCode: 2, errors: [{ code: 'NP601', path: 'params.to' }] });
    const wrongType = await np.query({ from: 'vm1', to: 'vm4', bidirectional: 'yes' } as never);
    expect(wrongType).toMatchObject({ ok: false, exitCode: 2, errors: [{ code: 'NP601', path: 'params.bidirectional' }] });
    const nowhere = np.trace({ from: 'vm1', to: 'vm9' });
    expect(nowhere).toMatchObject({ ok: false, exitCode: 2, errors: [{ code: 'NP405' }] });
    const noHost = await np.verify({ fail: ['network9'] });
    expect(noHost).toMatchObject({ ok: false, exitCode: 2, errors: [{ code: 'NP602' }] });
    // The model still answers after every one of them.
    expect(np.trace({ from: 'vm1', to: 'vm4' })).toMatchObject({ ok: true, exitCode: 0, value: { disposition: 'delivered' } });
  }, 120_000);

  it('a file that does not load: its errors, with the file and line', () => {
    const file = join(tmp, 'broken.yaml');
    writeFileSync(file, 'hosts:\n  compute1: { role: compute, tunnel_ip: 10.0.0.300 }\n');
    const r = load(file);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ file, position: { line: expect.any(Number) } });
  });
});

describe('a topology object, reload and close', () => {
  it('a topology object answers as its file does; its errors name field paths', () => {
    const data = parse(readFileSync('topologies/seed.yaml', 'utf8')) as Record<string, unknown>;
    const fromObject = loaded({ topology: data, name: 'seed-object' });
    const fromFile = loaded('topologies/seed.yaml');
    for (const [from, to] of [['vm1', 'vm4'], ['vm3', 'vm2'], ['vm2', '8.8.8.8']] as const) {
      expect(fromObject.trace({ from, to })).toEqual(fromFile.trace({ from, to }));
    }
    const r = load({ topology: { ...data, vms: { vm1: { project: 'demo', host: 'compute9', ports: [{ network: 'net1' }] } } } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.find((e) => e.code === 'NP201')).toMatchObject({ file: '<topology object>', path: 'vms.vm1.host', position: null });
  });

  it('reload reads the file again; one that no longer loads leaves the model before in service', () => {
    const file = join(tmp, 'seed.yaml');
    copyFileSync('topologies/seed.yaml', file);
    const np = loaded(file);
    expect(np.trace({ from: 'vm1', to: 'vm4' })).toMatchObject({ ok: true, value: { disposition: 'delivered' } });
    // vm4 leaves the cloud.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}vm4:.*$/m, '').replace(/^floating_ips:\n(^ {2}- .*\n)+/m, 'floating_ips: []\n'));
    const again = np.reload();
    expect(again.ok, JSON.stringify(again)).toBe(true);
    expect(np.info.vms).toBe(3);
    expect(np.trace({ from: 'vm1', to: 'vm4' })).toMatchObject({ ok: false, errors: [{ code: 'NP405' }] });
    writeFileSync(file, 'hosts: [');
    const broken = np.reload();
    expect(broken).toMatchObject({ ok: false, errors: [{ code: 'NP002', file }] });
    expect(np.info.vms).toBe(3);
    expect(np.trace({ from: 'vm1', to: 'vm2' })).toMatchObject({ ok: true, value: { disposition: 'delivered' } });
  });

  it('a closed model refuses questions', async () => {
    const np = load('topologies/seed.yaml');
    if (!np.ok) throw new Error('seed does not load');
    await np.value.close();
    expect(() => np.value.trace({ from: 'vm1', to: 'vm4' })).toThrow(/closed/);
  });
});
