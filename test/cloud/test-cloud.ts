// The honest test cloud: a topology rendered, each host built for real (test/cloud/node.ts: userspace
// Open vSwitch, iptables, ipset and namespaces) and captured back with the shipped collect script, beside
// the API view in the real responses' shapes (src/cloud/generate/api.ts). Faults are shell lines run on
// a host's real tools before its capture. Hosts are built in parallel, two at a time (the machine has two
// cores).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { collectScript } from '../../src/cloud/collect-script.ts';
import { topologyToApi } from '../../src/cloud/generate/api.ts';
import { agentIniFiles, neutronVersion } from '../../src/cloud/generate/ini.ts';
import { CLOUD_DIRS } from '../../src/cloud/layout.ts';
import { renderTopology } from '../../src/render/index.ts';
import type { Topology } from '../../src/topology/model.ts';
import { captureNode } from './node.ts';

export interface TestCloudOptions {
  /** Host → shell lines run on it before the capture. */
  readonly faults?: Readonly<Record<string, readonly string[]>>;
  /** Only these hosts are built and captured (the API view is always whole). */
  readonly hosts?: readonly string[];
  /** Whether to write the API view (default true). */
  readonly api?: boolean;
}

export async function buildTestCloud(topo: Topology, dir: string, o: TestCloudOptions = {}): Promise<void> {
  if (o.api !== false) {
    for (const [p, body] of topologyToApi(topo)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), body);
    }
  }
  const artifacts = renderTopology(topo);
  const script = collectScript();
  const hosts = topo.hosts.filter((h) => o.hosts === undefined || o.hosts.includes(h.name));
  const one = async (h: Topology['hosts'][number]) => {
    const files = new Map(artifacts.filter((a) => a.path.startsWith(`${h.name}/`)).map((a) => [a.path.slice(h.name.length + 1), a.text]));
    // What the L3 agent keeps for each HA router instance: ha_confs/<router id>/keepalived.conf and its state.
    const state: Record<string, string> = {};
    for (const [file, text] of files) {
      const id = /^qrouter-(.+)\.keepalived\.conf$/.exec(file)?.[1];
      const router = topo.routers.find((r) => r.id === id);
      if (id === undefined || !router?.ha) continue;
      state[`ha_confs/${id}/keepalived.conf`] = text;
      state[`ha_confs/${id}/state`] = router.ha.master === h.name ? 'master' : 'backup';
    }
    await captureNode({ host: h.name, artifacts: files, etc: agentIniFiles(topo, h), state, agentVersion: neutronVersion(topo.release), faults: o.faults?.[h.name] ?? [] }, script, join(dir, CLOUD_DIRS.hosts));
  };
  for (let i = 0; i < hosts.length; i += 2) await Promise.all(hosts.slice(i, i + 2).map(one));
}
