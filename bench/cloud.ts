// The collected-cloud phase of `npm run bench`: a generated size as a cloud directory — its API view
// (src/cloud/generate/api.ts) and a capture of every node in the collect script's layout — loaded and
// verified, against the same size loaded from its topology file, rendered and verified. Medians of `runs`.
// The node captures are synthesised from the rendered artifacts with what the real tools add (per-flow
// durations and counters, iptables-save's per-rule counters, the collect log): building 22 nodes with
// real Open vSwitch and netfilter would take longer than the measurement, and the tests
// (test/cloud/collected.test.ts, recapture.test.ts) show real captures load into the same dataplane.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { topologyToApi } from '../src/cloud/generate/api.ts';
import { agentIniFiles, neutronVersion } from '../src/cloud/generate/ini.ts';
import { CLOUD_DIRS, HOST_FILES, hostPath } from '../src/cloud/layout.ts';
import { loadCloud } from '../src/cloud/load.ts';
import { createEvaluator } from '../src/evaluate/index.ts';
import { BUILTIN_PROPERTIES } from '../src/questions/properties/index.ts';
import { runVerify } from '../src/questions/verify.ts';
import type { Artifact } from '../src/render/artifacts.ts';
import { renderTopology } from '../src/render/index.ts';
import { assembleDataplane } from '../src/dataplane/assemble.ts';
import { loadTopologyText } from '../src/topology/index.ts';
import type { Topology } from '../src/topology/model.ts';
import { generateTopologyText, type BenchSize } from './generate.ts';
import { median } from './stats.ts';
import { getZ3 } from '../src/smt/index.ts';

export interface CloudFigures {
  /** Topology file: load + render + parse/assemble, and verify-all. */
  readonly renderedLoadMs: number;
  readonly renderedVerifyMs: number;
  /** Cloud directory: API view + captures read and assembled, and verify-all. */
  readonly collectedLoadMs: number;
  readonly collectedVerifyMs: number;
  /** (collected load + verify) / (rendered load + verify), medians. */
  readonly ratio: number;
  readonly captureMiB: number;
  readonly unknown: number;
  readonly maxRssMiB: number;
}

const withStats = (line: string, i: number): string => {
  const m = /^ cookie=(0x[0-9a-f]+), (?:table=(\d+), )?(.*)$/.exec(line);
  return m ? ` cookie=${m[1]}, duration=${(1000 + i * 0.013).toFixed(3)}s, table=${m[2] ?? 0}, n_packets=${i % 7}, n_bytes=${(i % 7) * 98}, ${m[3]}` : line;
};
const withCounters = (text: string): string => text.replace(/^-A /gm, '[0:0] -A ');

/** One host's artifacts as the collect script would have written them, under `dir/hosts/<host>/`. */
function writeCapture(dir: string, topo: Topology, host: string, artifacts: readonly Artifact[]): number {
  const out = new Map<string, string>();
  const log: string[] = [`# netproof collect-script (bench synthesis) on ${host}`];
  const put = (file: string, text: string, command: string) => {
    out.set(file, text.endsWith('\n') || text === '' ? text : `${text}\n`);
    log.push(`${file}\t0\t${command}`);
  };
  const mine = artifacts.filter((a) => a.path.startsWith(`${host}/`));
  const namespaces = new Set<string>();
  for (const a of mine) {
    const f = a.path.slice(host.length + 1);
    const ns = /^(q(?:router|dhcp)-[^.]+)\.(ip-addr|ip-route|iptables-save|keepalived\.conf)$/.exec(f);
    if (f === 'ovs-vsctl-show') put(HOST_FILES.ovsVsctlShow, a.text, 'ovs-vsctl show');
    else if (f.endsWith('.dump-flows')) put(hostPath.dumpFlows(f.slice(0, -'.dump-flows'.length)), a.text.split('\n').map(withStats).join('\n'), 'ovs-ofctl -O OpenFlow13 --names dump-flows');
    else if (f.endsWith('.ofctl-show')) put(hostPath.ofctlShow(f.slice(0, -'.ofctl-show'.length)), a.text, 'ovs-ofctl show');
    else if (f === 'brctl-show') put(HOST_FILES.brctlShow, a.text, 'brctl show');
    else if (f === 'iptables-save') put(HOST_FILES.iptablesSave, withCounters(a.text), 'iptables-save -c');
    else if (f === 'ipset-save') put(HOST_FILES.ipsetSave, a.text, 'ipset save');
    else if (ns) {
      const [, name, kind] = ns as unknown as [string, string, string];
      namespaces.add(name);
      if (kind === 'ip-addr') put(hostPath.netns(name, 'ipAddr'), a.text, `ip netns exec ${name} ip -d addr`);
      else if (kind === 'ip-route') put(hostPath.netns(name, 'ipRoute'), a.text, `ip netns exec ${name} ip route show table all`);
      else if (kind === 'iptables-save') put(hostPath.netns(name, 'iptablesSave'), withCounters(a.text), `ip netns exec ${name} iptables-save -c`);
      else put(hostPath.keepalived(name.slice('qrouter-'.length), 'conf'), a.text, 'cat keepalived.conf');
    }
  }
  // What every namespace has even where the rendering writes nothing: its (empty) ruleset, the default rules.
  for (const ns of namespaces) {
    if (!out.has(hostPath.netns(ns, 'iptablesSave'))) put(hostPath.netns(ns, 'iptablesSave'), '', `ip netns exec ${ns} iptables-save -c`);
    put(hostPath.netns(ns, 'ipRule'), '0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n', `ip netns exec ${ns} ip rule`);
  }
  const h = topo.hosts.find((x) => x.name === host);
  if (h) for (const [name, text] of Object.entries(agentIniFiles(topo, h))) put(`etc/${name}`, text, `cat ${name}`);
  put(HOST_FILES.agentVersion, neutronVersion(topo.release), 'neutron-openvswitch-agent --version');
  out.set(HOST_FILES.log, `${log.join('\n')}\n`);
  let bytes = 0;
  for (const [f, text] of out) {
    const p = join(dir, CLOUD_DIRS.hosts, host, f);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    bytes += text.length;
  }
  return bytes;
}

/** Writes the topology's cloud directory (API view and node captures) under `dir`; the captures' size in bytes. */
export function writeBenchCloud(topo: Topology, dir: string): number {
  for (const [p, body] of topologyToApi(topo)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), body);
  }
  const artifacts = renderTopology(topo);
  let bytes = 0;
  for (const h of topo.hosts) bytes += writeCapture(dir, topo, h.name, artifacts);
  return bytes;
}

export async function measureCloud(size: BenchSize, runs: number, timeoutMs: number): Promise<CloudFigures> {
  const text = generateTopologyText(size);
  const first = loadTopologyText(text, `${size.name}.yaml`);
  if (!first.ok) throw new Error(`generated size ${size.name} does not load`);
  const topo = first.value;
  const dir = mkdtempSync(join(tmpdir(), 'npbench-cloud-'));
  try {
    const bytes = writeBenchCloud(topo, dir);

    // Z3's start-up is the same for both and is not what is compared.
    await getZ3();
    const rl: number[] = [];
    const rv: number[] = [];
    const cl: number[] = [];
    const cv: number[] = [];
    let unknown = 0;
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      const loaded = loadTopologyText(text, `${size.name}.yaml`);
      if (!loaded.ok) throw new Error('does not load');
      const dp = assembleDataplane(loaded.value, renderTopology(loaded.value));
      rl.push(performance.now() - t);
      t = performance.now();
      await runVerify({ topology: loaded.value, dataplane: dp, evaluator: createEvaluator(dp), timeoutMs }, BUILTIN_PROPERTIES, []);
      rv.push(performance.now() - t);

      t = performance.now();
      const cloud = loadCloud(dir);
      if (!cloud.ok) throw new Error(`the ${size.name} cloud does not load: ${JSON.stringify(cloud.errors.slice(0, 3))}`);
      cl.push(performance.now() - t);
      t = performance.now();
      const report = await runVerify({ topology: cloud.value.topology, dataplane: cloud.value.dataplane, evaluator: createEvaluator(cloud.value.dataplane), timeoutMs }, BUILTIN_PROPERTIES, []);
      cv.push(performance.now() - t);
      unknown = report.summary.unknown;
    }
    const ratio = (median(cl) + median(cv)) / (median(rl) + median(rv));
    return {
      renderedLoadMs: median(rl), renderedVerifyMs: median(rv), collectedLoadMs: median(cl), collectedVerifyMs: median(cv),
      ratio, captureMiB: bytes / 2 ** 20, unknown, maxRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
