// `netproof collect-script` run for real: under dash, on nodes of the seed topology built with real
// userspace Open vSwitch, iptables and ipset in namespaces (test/cloud/node.ts). Checks that the script
// writes exactly the files of the layout (docs/cloud-directory.md) and logs each with the command that
// made it, falls back as documented on a bridge without OpenFlow 1.3 and on an ovs-ofctl without
// --names, removes secrets from the ini files, finds the host name in neutron.conf, leaves the node's
// dataplane exactly as it was, and that every capture parses with netproof's parsers.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectApiScript } from '../../src/cloud/collect-api-script.ts';
import { collectScript } from '../../src/cloud/collect-script.ts';
import { agentIniFiles } from '../../src/cloud/generate/ini.ts';
import { BRIDGE_FILE_PREFIX, DHCP_FILES, HOST_DIRS, HOST_FILES, INI_FILES, KEEPALIVED_FILES, NETNS_FILES } from '../../src/cloud/layout.ts';
import { parseDumpFlows, parseIpAddr, parseIpsetSave, parseIptablesSave, parseOfctlShow, parseOvsVsctlShow } from '../../src/parse/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { loadTopologyFile } from '../../src/topology/index.ts';
import { describeOracle } from '../oracle/prereq.ts';
import { repoRoot } from '../fixtures/samples.ts';
import { captureNode, type NodeCapture } from './node.ts';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

interface LogLine { readonly file: string; readonly status: string; readonly command: string }
function readLog(dir: string): LogLine[] {
  return readFileSync(join(dir, HOST_FILES.log), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [file = '', status = '', command = ''] = l.split('\t');
      return { file, status, command };
    });
}

/** Whether a path (relative to the host folder) is one the layout defines. */
function inLayout(rel: string, bridges: readonly string[]): boolean {
  const parts = rel.split('/');
  if (parts.length === 1) {
    const f = parts[0] as string;
    return (Object.values(HOST_FILES) as string[]).includes(f) ||
      bridges.some((b) => f === `${BRIDGE_FILE_PREFIX.dumpFlows}${b}` || f === `${BRIDGE_FILE_PREFIX.ofctlShow}${b}`);
  }
  const [dir, a, b] = parts;
  if (dir === HOST_DIRS.netns) return parts.length === 3 && (Object.values(NETNS_FILES) as string[]).includes(b ?? '');
  if (dir === HOST_DIRS.keepalived) return parts.length === 3 && (Object.values(KEEPALIVED_FILES) as string[]).includes(b ?? '');
  if (dir === HOST_DIRS.dhcp) return parts.length === 3 && (Object.values(DHCP_FILES) as string[]).includes(b ?? '');
  if (dir === HOST_DIRS.etc) return parts.length === 2 && (Object.values(INI_FILES) as string[]).includes(a ?? '');
  return false;
}

describeOracle('collect-script on real nodes (seed topology, dash, userspace OVS, iptables, ipset)', ['ovs', 'iptables', 'ipset', 'ip', 'dash'], () => {
  const topo = loadTopologyFile(join(repoRoot, 'topologies', 'seed.yaml'));
  if (!topo.ok) throw new Error('seed.yaml does not load');
  const artifacts = renderTopology(topo.value);
  const filesOf = (host: string) => new Map(artifacts.filter((a) => a.path.startsWith(`${host}/`)).map((a) => [a.path.slice(host.length + 1), a.text]));
  const hostT = (name: string) => topo.value.hosts.find((h) => h.name === name)!;
  const net1 = topo.value.networks.find((n) => n.name === 'net1')!;
  const router1 = topo.value.routers.find((r) => r.name === 'router1')!;
  const out = mkdtempSync(join(tmpdir(), 'npcollect-'));
  let network1: NodeCapture;
  let compute1: NodeCapture;

  beforeAll(async () => {
    const ini = agentIniFiles(topo.value, hostT('network1'));
    // Secrets as real ini files hold them; the host name only in neutron.conf.
    ini[INI_FILES.ovsAgent] += '\n[DEFAULT]\ntransport_url = rabbit://openstack:hunter2@ctl:5672/\n';
    ini[INI_FILES.l3Agent] += 'admin_password=hunter2\nmetadata_proxy_shared_secret = hunter2\n';
    ini['neutron.conf'] = '[DEFAULT]\nhost = network1\n[database]\nconnection = mysql+pymysql://neutron:hunter2@ctl/neutron\n';
    // The OVS agent of 2024.1 is neutron 24; br-tun speaks only OpenFlow 1.0 here, so the script must fall back.
    [network1, compute1] = await Promise.all([
      captureNode({
        host: 'network1', artifacts: filesOf('network1'), etc: ini,
        state: {
          [`dhcp/${net1.id}/${DHCP_FILES.host}`]: 'fa:16:3e:2d:0c:fa,host-192-168-1-11.openstacklocal,192.168.1.11\n',
          [`ha_confs/${router1.id}/${KEEPALIVED_FILES.conf}`]: 'vrrp_instance VR_1 {\n    state BACKUP\n    virtual_router_id 1\n}\n',
          [`ha_confs/${router1.id}/${KEEPALIVED_FILES.state}`]: 'master',
        },
        agentVersion: '24.0.0', faults: ['ovs-vsctl set bridge br-tun protocols=OpenFlow10'], env: { NETPROOF_HOST: '' }, checkReadOnly: true,
      }, collectScript(), out),
      // An ovs-ofctl from before OVS 2.8, which has no --names.
      captureNode({
        host: 'compute1', artifacts: filesOf('compute1'), etc: agentIniFiles(topo.value, hostT('compute1')), state: {}, agentVersion: null,
        faults: [
          'mkdir -p $D/oldovs',
          `printf '#!/bin/sh\\nfor a in "$@"; do [ "$a" = --names ] && { echo "ovs-ofctl: unrecognized option --names" >&2; exit 1; }; done\\nexec /usr/bin/ovs-ofctl "$@"\\n' > $D/bin/ovs-ofctl`,
          'chmod +x $D/bin/ovs-ofctl',
        ],
      }, collectScript(), out),
    ]);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('files the capture under the host name from neutron.conf when NETPROOF_HOST is not set', () => {
    expect(relative(out, network1.dir)).toBe('network1');
    expect(readFileSync(join(network1.dir, HOST_FILES.hostname), 'utf8').trim()).toBe('network1');
  });

  it('writes only files of the layout, every one logged with exit status 0, and logs nothing it did not write', () => {
    for (const cap of [network1, compute1]) {
      const bridges = parseOvsVsctlShow(readFileSync(join(cap.dir, HOST_FILES.ovsVsctlShow), 'utf8'), '').value.bridges.map((b) => b.name);
      expect(bridges.length).toBeGreaterThan(1);
      const written = walk(cap.dir).map((p) => relative(cap.dir, p)).sort();
      expect(written.filter((f) => !inLayout(f, bridges))).toEqual([]);
      const log = readLog(cap.dir);
      expect(log.filter((l) => l.status !== '0')).toEqual([]);
      expect(log.map((l) => l.file).sort()).toEqual(written.filter((f) => f !== HOST_FILES.log).sort());
      for (const b of bridges) {
        expect(written).toContain(`${BRIDGE_FILE_PREFIX.dumpFlows}${b}`);
        expect(written).toContain(`${BRIDGE_FILE_PREFIX.ofctlShow}${b}`);
      }
    }
  });

  it('captures every namespace, the DHCP state files, the ini files and the versions', () => {
    const rendered = [...filesOf('network1').keys()].filter((f) => f.endsWith('.ip-addr')).map((f) => f.slice(0, -'.ip-addr'.length)).sort();
    expect(rendered.length).toBe(4);
    const captured = readdirSync(join(network1.dir, HOST_DIRS.netns)).sort();
    expect(captured).toEqual(rendered);
    for (const ns of captured) for (const f of Object.values(NETNS_FILES)) expect(readdirSync(join(network1.dir, HOST_DIRS.netns, ns))).toContain(f);
    expect(readFileSync(join(network1.dir, HOST_DIRS.dhcp, net1.id, DHCP_FILES.host), 'utf8')).toContain('192.168.1.11');
    // L3 HA state, as Neutron keeps it in ha_confs/<router id>/.
    expect(readFileSync(join(network1.dir, HOST_DIRS.keepalived, router1.id, KEEPALIVED_FILES.state), 'utf8')).toBe('master');
    expect(readFileSync(join(network1.dir, HOST_DIRS.keepalived, router1.id, KEEPALIVED_FILES.conf), 'utf8')).toContain('vrrp_instance VR_1');
    expect(readdirSync(join(network1.dir, HOST_DIRS.etc)).sort()).toEqual(Object.values(INI_FILES).sort());
    expect(readFileSync(join(network1.dir, HOST_FILES.agentVersion), 'utf8').trim()).toBe('24.0.0');
    expect(readFileSync(join(network1.dir, HOST_FILES.ovsVersion), 'utf8')).toMatch(/Open vSwitch\) \d+\.\d+/);
    // Not installed on compute1: no file, no log line.
    expect(readdirSync(compute1.dir)).not.toContain(HOST_FILES.agentVersion);
  });

  it('removes secrets from the ini files and keeps everything else', () => {
    const all = readdirSync(join(network1.dir, HOST_DIRS.etc)).map((f) => readFileSync(join(network1.dir, HOST_DIRS.etc, f), 'utf8')).join('\n');
    expect(all).not.toContain('hunter2');
    expect(all).toContain('transport_url = <removed>');
    expect(all).toContain('admin_password= <removed>');
    expect(all).toContain('bridge_mappings = external:br-ex');
    expect(all).toContain('firewall_driver = iptables_hybrid');
  });

  it('falls back to OpenFlow 1.0 on a bridge without 1.3, and to numbered ports on an ovs-ofctl without --names', () => {
    const tun = readLog(network1.dir).find((l) => l.file === `${BRIDGE_FILE_PREFIX.dumpFlows}br-tun`);
    expect(tun?.command).toBe('ovs-ofctl dump-flows br-tun');
    const int = readLog(network1.dir).find((l) => l.file === `${BRIDGE_FILE_PREFIX.dumpFlows}br-int`);
    expect(int?.command).toBe('ovs-ofctl -O OpenFlow13 --names dump-flows br-int');
    const old = readLog(compute1.dir).find((l) => l.file === `${BRIDGE_FILE_PREFIX.dumpFlows}br-int`);
    expect(old?.command).toBe('ovs-ofctl -O OpenFlow13 dump-flows br-int');
    // OpenFlow 1.0 rendering: mod_vlan_vid / strip_vlan, not push_vlan / pop_vlan; numbered ports without names.
    const tunText = readFileSync(join(network1.dir, `${BRIDGE_FILE_PREFIX.dumpFlows}br-tun`), 'utf8');
    expect(tunText).toMatch(/NXST_FLOW reply|mod_vlan_vid:/);
    expect(tunText).not.toContain('push_vlan');
    const oldText = readFileSync(join(compute1.dir, `${BRIDGE_FILE_PREFIX.dumpFlows}br-int`), 'utf8');
    expect(oldText).toMatch(/in_port=\d+/);
    expect(oldText).not.toMatch(/in_port="/);
  });

  it('captures real counters and cookies, and every capture parses without a warning', () => {
    let flows = 0;
    for (const cap of [network1, compute1]) {
      for (const p of walk(cap.dir)) {
        const rel = relative(cap.dir, p);
        const text = readFileSync(p, 'utf8');
        const name = rel.split('/').pop() ?? '';
        const warnings =
          name.startsWith(BRIDGE_FILE_PREFIX.dumpFlows) ? parseDumpFlows(text, rel).warnings
          : name.startsWith(BRIDGE_FILE_PREFIX.ofctlShow) ? parseOfctlShow(text, rel).warnings
          : name === HOST_FILES.iptablesSave ? parseIptablesSave(text, rel).warnings
          : name === HOST_FILES.ipsetSave ? parseIpsetSave(text, rel).warnings
          : name === HOST_FILES.ipAddr ? parseIpAddr(text, rel).warnings
          : name === HOST_FILES.ovsVsctlShow ? parseOvsVsctlShow(text, rel).warnings
          : [];
        expect(warnings, rel).toEqual([]);
        if (name.startsWith(BRIDGE_FILE_PREFIX.dumpFlows)) {
          flows += parseDumpFlows(text, rel).value.length;
          expect(text).toMatch(/cookie=0x[0-9a-f]+, duration=[\d.]+s, table=\d+, n_packets=\d+, n_bytes=\d+/);
        }
      }
    }
    expect(flows).toBeGreaterThan(50);
    expect(readFileSync(join(compute1.dir, HOST_FILES.iptablesSave), 'utf8')).toMatch(/^\[\d+:\d+\] -A /m);
  });

  it('leaves the dataplane exactly as it was', () => {
    expect(network1.before).not.toBeNull();
    expect(network1.before?.length).toBeGreaterThan(1000);
    expect(network1.after).toBe(network1.before);
  });
});

describe('netproof collect-script / collect-api-script', () => {
  it('print POSIX sh that dash accepts, exit 0', async () => {
    const { run } = await import('../oracle/exec.ts');
    const { runCli } = await import('../cli/run.ts');
    for (const [cmd, text] of [['collect-script', collectScript()], ['collect-api-script', collectApiScript()]] as const) {
      const cli = await runCli(cmd);
      expect(cli.code).toBe(0);
      expect(cli.stdout).toBe(text);
      const r = await run('dash', ['-n'], { input: cli.stdout });
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
    }
  });
});
