// Node captures as they come from real clouds, imperfect: a truncated dump, a failed command, policy
// routing, a host folder with nothing recognisable, a host Neutron has ports on but nobody captured, a
// capture of a host Neutron does not know. Each is a note naming the file and line, the devices it
// concerns become opaque or the verdicts it touches `unknown` — never a silent drop taken as a proof —
// and exit 2 when nothing can be verified at all.
import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readSample } from '../fixtures/samples.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { topologyToApi } from '../../src/cloud/generate/api.ts';
import { CLOUD_DIRS, HOST_FILES, hostPath } from '../../src/cloud/layout.ts';
import { loadCloud, type CloudModel } from '../../src/cloud/load.ts';
import { taintReport } from '../../src/cloud/taint-report.ts';
import { formatInputError } from '../../src/errors.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import { runVerify } from '../../src/questions/verify.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';
import { shippedTopology, writeCloud } from './cloud-dir.ts';
import { CLOUD_FIXTURES } from './make-fixtures.ts';

const made: string[] = [];
afterAll(async () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
  await shutdownZ3();
});

const seed = shippedTopology('seed');
function seedCloud(): string {
  const dir = writeCloud(topologyToApi(seed));
  made.push(dir);
  cpSync(join(CLOUD_FIXTURES, 'seed', CLOUD_DIRS.hosts), join(dir, CLOUD_DIRS.hosts), { recursive: true });
  return dir;
}
const host = (dir: string, h: string) => join(dir, CLOUD_DIRS.hosts, h);

function load(dir: string): CloudModel {
  const r = loadCloud(dir);
  if (!r.ok) throw new Error(r.errors.map(formatInputError).join('\n'));
  return r.value;
}

async function verdicts(c: CloudModel): Promise<Map<string, { verdict: string; message: string }>> {
  const report = taintReport(await runVerify({ topology: c.topology, dataplane: c.dataplane, evaluator: createEvaluator(c.dataplane), timeoutMs: 10_000 }, BUILTIN_PROPERTIES, []), c.notes ?? []);
  return new Map(report.results.map((r) => [`${r.property} ${r.subject}`, { verdict: r.verdict, message: r.message }]));
}

describe('imperfect node captures', () => {
  it('a dump that stops mid-line makes its bridge opaque: every path through it is unknown', async () => {
    const dir = seedCloud();
    const f = join(host(dir, 'compute2'), hostPath.dumpFlows('br-tun'));
    const text = readFileSync(f, 'utf8');
    writeFileSync(f, text.slice(0, text.indexOf('table=22') + 20));
    const c = load(dir);
    const n = c.notes.find((x) => x.file === 'hosts/compute2/ovs-ofctl_dump-flows_br-tun');
    expect(n?.message).toMatch(/br-tun on compute2: the capture stops mid-line \(truncated\?\); every path through it is unknown/);
    expect(n?.line).toBeGreaterThan(10);
    const v = await verdicts(c);
    // vm2 and vm4 live on compute2: whatever reaches them crosses the opaque br-tun.
    expect(v.get('dhcp network:net1')?.verdict).toBe('unknown');
    expect(v.get('dhcp network:net1')?.message).toMatch(/capture of br-tun on compute2 is incomplete|compute2/);
    // Nothing claims a proof through it, and the missing flows are not taken for drops either (no violation).
    // In the seed nearly every path may cross compute2 (vm1's ARP floods reach it too): what still holds is
    // what no packet decides (one project, no VM port on public or network1), anti-spoofing, asked of
    // each port's own firewall bridge, which the truncated br-tun is not part of, and the router's
    // gateway answering the outside world (public is a flat network on network1: no tunnel crossed).
    expect([...v].filter(([, x]) => x.verdict !== 'unknown').map(([k, x]) => `${k}: ${x.verdict}`).sort()).toEqual([
      'anti-spoofing port:vm1:0: holds',
      'anti-spoofing port:vm2:0: holds',
      'anti-spoofing port:vm3:0: holds',
      'anti-spoofing port:vm4:0: holds',
      'gateway router:router1/public-v4: holds',
      'loop-free host:network1: holds',
      'project-isolation project:demo: n/a',
      'segment-isolation network:public: holds',
    ]);
    expect(v.get('security-groups port:vm1:0')?.message).toMatch(/crosses something not modelled.*compute2\/br-tun.*truncated/);
  });

  it('a failed command and policy routing make their namespace opaque, with the log line or the rule', () => {
    const dir = seedCloud();
    const router = seed.routers[0]!;
    const ns = `qrouter-${router.id}`;
    const log = join(host(dir, 'network1'), HOST_FILES.log);
    writeFileSync(log, readFileSync(log, 'utf8').replace(new RegExp(`^(netns/${ns}/iptables-save)\\t0\\t`, 'm'), '$1\t1\t'));
    appendFileSync(join(host(dir, 'network1'), hostPath.netns(`qdhcp-${seed.networks[1]!.id}`, 'ipRule')), '32765:\tfrom 192.168.1.0/24 lookup 16\n');
    const c = load(dir);
    const router1 = c.notes.find((x) => x.file === `hosts/network1/netns/${ns}/iptables-save`);
    expect(router1?.message).toMatch(/exited 1, so the output may be partial; every path through it is unknown/);
    expect(router1?.taints).toEqual(expect.arrayContaining(['router:router1', 'network:net1', 'network:public']));
    const dhcp = c.notes.find((x) => /ip_rule$/.test(x.file));
    expect(dhcp?.message).toMatch(/policy routing \(32765:\s+from 192\.168\.1\.0\/24 lookup 16\) is not modelled/);
    expect(dhcp?.line).toBe(4);
    // The opaque rule sits first in raw PREROUTING of the namespace, where every packet meets it.
    const nsIr = c.dataplane.hosts.find((h) => h.name === 'network1')?.namespaces.find((x) => x.name === ns);
    expect(nsIr?.netfilter.tables[0]?.chains.find((ch) => ch.name === 'PREROUTING')?.rules[0]?.matches[0]?.kind).toBe('unsupported');
  });

  it('a host with no capture: noted with what it holds, and every verdict about it unknown', async () => {
    const dir = seedCloud();
    rmSync(host(dir, 'compute2'), { recursive: true });
    const c = load(dir);
    const n = c.notes.find((x) => x.code === 'cloud/coverage');
    expect(n?.message).toMatch(/Neutron has 2 port\(s\) on host compute2 \(servers vm2, vm4\), but there is no capture of it/);
    expect(n?.taints).toEqual(expect.arrayContaining(['host:compute2', 'port:vm2:0', 'port:vm4:0', 'network:net1', 'network:net2', 'fip:203.0.113.101', 'project:demo']));
    const v = await verdicts(c);
    for (const k of ['security-groups port:vm4:0', 'fip-ingress fip:203.0.113.101', 'project-isolation project:demo', 'dhcp network:net2']) {
      expect(v.get(k)?.verdict, k).toBe('unknown');
      expect(v.get(k)?.message, k).toMatch(/no capture of it \(hosts\/compute2\/\) \(hosts\/compute2:1\)/);
    }
    // compute1's port is decided by compute1's firewall alone.
    expect(v.get('security-groups port:vm1:0')?.verdict).toBe('holds');
    // query and trace between endpoints the missing host holds say so, and exit 3.
    const q = await runCli('query', dir, '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22', '--format', 'json');
    expect(q.code).toBe(3);
    expect(JSON.parse(q.stdout)).toMatchObject({ verdict: 'unknown', reason: expect.stringMatching(/^unreachable in the modelled part, but Neutron has 2 port\(s\) on host compute2/) });
    const t = await runCli('trace', dir, '--from', 'vm1', '--to', 'vm4');
    expect(t.code).toBe(3);
    expect(t.stderr).toMatch(/this trace is not the whole story: Neutron has 2 port\(s\) on host compute2/);
  });

  it('a capture of a host Neutron does not know is modelled as captured and noted; a folder with nothing recognisable is left out', () => {
    const dir = seedCloud();
    cpSync(host(dir, 'compute2'), host(dir, 'compute9'), { recursive: true });
    writeFileSync(join(dir, CLOUD_DIRS.hosts, 'README'), 'not a host');
    cpSync(join(dir, 'api'), host(dir, 'junk'), { recursive: true });
    const c = load(dir);
    expect(c.notes.find((x) => x.file === 'hosts/compute9')?.message).toMatch(/host compute9 was captured but Neutron binds nothing there/);
    expect(c.dataplane.hosts.map((h) => h.name)).toContain('compute9');
    expect(c.notes.find((x) => x.file === 'hosts/junk')).toMatchObject({ code: 'cloud/capture', taints: ['host:junk'] });
  });

  it('real captures as they come (a Newton all-in-one node of the samples): read, the unsupported parts said by line, the unknown pieces opaque', () => {
    const dir = seedCloud();
    const h = host(dir, 'allinone');
    const samples: [string, string][] = [
      [HOST_FILES.ovsVsctlShow, 'hybrid_allinone_newton_ovs-vsctl_show.txt'],
      [hostPath.dumpFlows('br-tun'), 'hybrid_allinone_newton_dump-flows_br-tun.txt'],
      [HOST_FILES.iptablesSave, 'hybrid_allinone_newton_iptables-save.txt'],
      [HOST_FILES.brctlShow, 'hybrid_allinone_newton_brctl_show.txt'],
    ];
    for (const [file, sample] of samples) {
      mkdirSync(dirname(join(h, file)), { recursive: true });
      writeFileSync(join(h, file), readSample(sample));
    }
    const c = load(dir);
    const node = c.dataplane.hosts.find((x) => x.name === 'allinone');
    expect(node?.ovsBridges.find((b) => b.name === 'br-tun')?.flows.length).toBeGreaterThan(10);
    expect(node?.linuxBridges.length).toBeGreaterThan(0);
    expect(node?.namespaces.find((n) => n.name === 'root')?.netfilter.tables.length).toBeGreaterThan(1);
    expect(c.notes.find((n) => n.file === 'hosts/allinone')?.message).toMatch(/captured but Neutron binds nothing there/);
    // Bridges the node has but did not dump (br-int, br-ex) are opaque, each said once with the file.
    const opaque = c.notes.filter((n) => n.code === 'cloud/capture' && n.file.startsWith('hosts/allinone/'));
    expect(opaque.map((n) => n.file)).toEqual(expect.arrayContaining(['hosts/allinone/ovs-ofctl_dump-flows_br-int']));
    for (const n of opaque) expect(n.message).toMatch(/every path through it is unknown/);
    // What the parsers do not model is a warning with its line, never an error.
    for (const w of c.dataplane.warnings.filter((x) => x.file.startsWith('hosts/allinone/'))) expect(w.line).toBeGreaterThan(0);
  });

  it('no usable host folder at all is NP904, exit 2', async () => {
    const dir = writeCloud(topologyToApi(seed));
    made.push(dir);
    cpSync(join(dir, 'api'), host(dir, 'compute1'), { recursive: true });
    const r = await runCli('verify', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NP904 cloud: no usable host capture/);
  });
});
