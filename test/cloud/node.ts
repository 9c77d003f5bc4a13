// A Neutron node built for real out of one host's rendered artifacts, then captured with the shipped
// collect script — the honest way to get node captures with real counters, cookies and formatting.
// Everything happens in one `unshare --mount --net` process: a fresh network namespace is the node's
// root namespace, and a private tmpfs over /run/netns holds its qrouter-/qdhcp- namespaces, so
// `ip netns list` inside sees only this node's. Open vSwitch runs inside it on the userspace (netdev)
// datapath: OVS internal ports are real tap devices, moved into the namespaces as Neutron's agents do,
// and veth pairs play the VM taps, the qvb/qvo pairs and the physical NICs. The kernel's iptables and
// ipset hold the rendered rulesets. Faults are shell lines run on those real tools before the capture.
// Guarantees: nothing outside the process's own namespaces and temp dir is touched; when the process
// ends the kernel frees its namespaces, and the two OVS daemons (started inside) are ended by PID,
// inside on exit and again from here if the process was killed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBrctlShow, parseIpAddr, parseIpRoute, parseOfctlShow, parseOvsVsctlShow } from '../../src/parse/index.ts';
import type { OvsPort } from '../../src/ir/openflow.ts';
import { run, terminate } from '../oracle/exec.ts';
import { dumpFlowsToAddFlows } from '../oracle/flow-text.ts';

/** One host's inputs: its rendered artifacts by file name, and the files a real node keeps. */
export interface NodeSpec {
  readonly host: string;
  /** Artifact file name (after `<host>/`) → text, as `renderTopology` names them. */
  readonly artifacts: ReadonlyMap<string, string>;
  /** ini file name → text, placed where the collect script looks (NEUTRON_CONF_DIR). */
  readonly etc: Readonly<Record<string, string>>;
  /** Path under Neutron's state_path → text (e.g. `dhcp/<net id>/host`). */
  readonly state: Readonly<Record<string, string>>;
  /** What `neutron-openvswitch-agent --version` prints on the node, or null when it is not installed. */
  readonly agentVersion: string | null;
  /** Shell lines run in the node after it is built and before the capture (fault injection). */
  readonly faults?: readonly string[];
  /** Environment for the collect script on top of the node's (NETPROOF_HOST, NEUTRON_CONF_DIR, …); '' unsets. */
  readonly env?: Readonly<Record<string, string>>;
  /** Snapshot the dataplane before and after the capture (see `captureNode`'s result). */
  readonly checkReadOnly?: boolean;
}

/** What the node's dataplane looked like before and after the capture, when asked for. */
export interface NodeCapture {
  readonly dir: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** Every piece of state a capture could disturb, printed without counters. */
const SNAPSHOT = [
  'for b in $(ovs-vsctl list-br); do echo "== $b"; ovs-ofctl --no-stats --names dump-flows $b | sort; ovs-vsctl list-ports $b; done',
  'ovs-vsctl show',
  'iptables-save | grep -v "^#"; ipset save; ip -o -4 addr; ip -4 route show table all; ip rule; ip -o link | sed "s/ state [A-Z]*//"; ip netns list',
  'for n in $(ip netns list | awk "{print \\$1}"); do echo "== $n"; ip netns exec $n iptables-save | grep -v "^#"; ip -n $n -o -4 addr; ip -n $n -4 route show table all; done',
].join('; ');

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The veth peer of a device playing a VM NIC, a physical wire or the far end of a kernel-only link. */
const peerName = (dev: string): string => `w${dev.slice(1)}`.slice(0, 15);

/** The node's build script, from its artifacts. */
export function buildScript(spec: NodeSpec, dir: string): string {
  const a = spec.artifacts;
  const lines: string[] = [
    process.env.NETPROOF_NODE_TRACE === '1' ? 'set -eux' : 'set -eu',
    'mount --make-rprivate /',
    'mount -t tmpfs netproof-netns /run/netns',
    `D=${q(dir)}`,
    'export OVS_RUNDIR=$D/ovs OVS_LOGDIR=$D/ovs OVS_DBDIR=$D/ovs OVS_SYSCONFDIR=$D/ovs OVS_PKGDATADIR=/usr/share/openvswitch',
    'mkdir -p $D/ovs',
    'stop() { for p in ovs-vswitchd ovsdb-server; do [ -f $D/ovs/$p.pid ] && kill $(cat $D/ovs/$p.pid) 2>/dev/null; done; sleep 0.2; }',
    'trap stop EXIT',
    'ip link set lo up',
  ];
  const sh = (l: string) => lines.push(l);

  // Linux bridges first: the qvo ends of their qvb/qvo pairs must exist before OVS opens them.
  const kernelDevices = new Set<string>();
  const veth = (dev: string, peer: string) => {
    if (kernelDevices.has(dev)) return;
    kernelDevices.add(dev).add(peer);
    sh(`ip link add ${dev} type veth peer name ${peer}; ip link set ${dev} up; ip link set ${peer} up`);
  };
  const brctl = a.get('brctl-show');
  for (const b of brctl ? parseBrctlShow(brctl, 'brctl-show').value : []) {
    sh(`ip link add ${b.name} type bridge; ip link set ${b.name} up`);
    for (const p of b.ports) {
      if (p.startsWith('qvb')) veth(p, `qvo${p.slice(3)}`);
      else veth(p, peerName(p));
      sh(`ip link set ${p} master ${b.name}`);
    }
  }

  // Open vSwitch on the userspace datapath, with the rendered bridges, ports (OpenFlow numbers as
  // rendered) and flows.
  sh('ovsdb-tool create $D/ovs/conf.db /usr/share/openvswitch/vswitch.ovsschema');
  sh('ovsdb-server $D/ovs/conf.db --remote=punix:$D/ovs/db.sock --pidfile=$D/ovs/ovsdb-server.pid --unixctl=$D/ovs/ovsdb-server.ctl --log-file=$D/ovs/ovsdb-server.log -vconsole:off --detach --no-chdir');
  sh('ovs-vsctl --no-wait init');
  sh('ovs-vswitchd unix:$D/ovs/db.sock --disable-system --pidfile=$D/ovs/ovs-vswitchd.pid --unixctl=$D/ovs/ovs-vswitchd.ctl --log-file=$D/ovs/ovs-vswitchd.log -vconsole:off --detach --no-chdir');
  const show = a.get('ovs-vsctl-show');
  const bridges = show ? parseOvsVsctlShow(show, 'ovs-vsctl-show').value.bridges : [];
  const internal: string[] = [];
  for (const b of bridges) {
    sh(`ovs-vsctl add-br ${b.name} -- set bridge ${b.name} datapath_type=netdev fail_mode=secure protocols=OpenFlow10,OpenFlow13,OpenFlow14`);
  }
  for (const b of bridges) {
    const ofports = parseOfctlShow(a.get(`${b.name}.ofctl-show`) ?? '', '').value;
    const args: string[] = [];
    for (const p of b.ports) {
      if (p.name === b.name) continue;
      if (p.type === 'system') veth(p.name, peerName(p.name));
      if (p.type === 'internal') internal.push(p.name);
      args.push(...portArgs(b.name, p, ofports[p.name]));
    }
    if (args.length > 0) sh(`ovs-vsctl ${args.join(' ')}`);
    const flows = a.get(`${b.name}.dump-flows`);
    if (flows) {
      writeFileSync(join(dir, `${b.name}.flows`), `${dumpFlowsToAddFlows(flows).join('\n')}\n`);
      sh(`ovs-ofctl add-flows ${b.name} $D/${b.name}.flows`);
    }
  }
  // OVS creates internal ports' tap devices asynchronously.
  if (internal.length > 0) {
    sh(`for i in $(seq 100); do ok=1; for d in ${internal.join(' ')}; do ip link show $d >/dev/null 2>&1 || ok=0; done; [ $ok = 1 ] && break; sleep 0.05; done`);
  }

  // The host's own firewall: ipsets before the rules that name them.
  const ipset = a.get('ipset-save');
  if (ipset) {
    writeFileSync(join(dir, 'ipset.restore'), ipset);
    sh('ipset restore < $D/ipset.restore');
  }
  const rootRules = a.get('iptables-save');
  if (rootRules) {
    writeFileSync(join(dir, 'root.iptables'), rootRules);
    sh('iptables-restore < $D/root.iptables');
  }

  // Namespaces: internal ports moved in, addressed and routed as rendered, and their rulesets.
  const namespaces = [...a.keys()].filter((f) => f.endsWith('.ip-addr')).map((f) => f.slice(0, -'.ip-addr'.length)).sort();
  for (const ns of namespaces) {
    sh(`ip netns add ${ns}; ip -n ${ns} link set lo up`);
    for (const iface of parseIpAddr(a.get(`${ns}.ip-addr`) ?? '', '').value) {
      if (iface.name === 'lo') continue;
      if (!internal.includes(iface.name)) veth(iface.name, peerName(iface.name));
      sh(`ip link set ${iface.name} netns ${ns}; ip -n ${ns} link set ${iface.name} address ${iface.mac} up`);
      for (const addr of iface.addresses) sh(`ip -n ${ns} addr add ${addr.ip}/${addr.prefixLen} brd + dev ${iface.name}`);
    }
    for (const r of parseIpRoute(a.get(`${ns}.ip-route`) ?? '', '').value) {
      if (r.via === null) continue; // connected routes come with the addresses
      sh(`ip -n ${ns} route replace ${r.origin.text}`);
    }
    const rules = a.get(`${ns}.iptables-save`);
    if (rules) {
      writeFileSync(join(dir, `${ns}.iptables`), rules);
      sh(`ip netns exec ${ns} iptables-restore < $D/${ns}.iptables`);
    }
  }

  for (const f of spec.faults ?? []) sh(f);
  const env: Record<string, string> = { NEUTRON_CONF_DIR: '$D/etc', NEUTRON_STATE_PATH: '$D/state', NETPROOF_HOST: q(spec.host) };
  for (const [k, v] of Object.entries(spec.env ?? {})) env[k] = v === '' ? '' : q(v);
  const assignments = Object.entries(env).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`).join(' ');
  const unset = Object.entries(env).filter(([, v]) => v === '').map(([k]) => `-u ${k}`).join(' ');
  if (spec.checkReadOnly) sh(`(set +e; ${SNAPSHOT}) > $D/before 2>&1`);
  sh(`env ${unset} PATH=$D/bin:$PATH ${assignments} dash $D/collect.sh $D/out`);
  if (spec.checkReadOnly) sh(`(set +e; ${SNAPSHOT}) > $D/after 2>&1`);
  return `${lines.join('\n')}\n`;
}

function portArgs(bridge: string, p: OvsPort, ofport: number | undefined): string[] {
  const args = ['--', 'add-port', bridge, p.name];
  if (p.tag !== null) args.push(`tag=${p.tag}`);
  const iface = ['--', 'set', 'interface', p.name];
  if (ofport !== undefined) iface.push(`ofport_request=${ofport}`);
  switch (p.type) {
    case 'patch':
      iface.push('type=patch', `options:peer=${p.peer ?? ''}`);
      break;
    case 'internal':
      iface.push('type=internal');
      break;
    case 'vxlan':
    case 'gre':
    case 'geneve':
      iface.push(`type=${p.type}`, `options:remote_ip=${p.remoteIp ?? 'flow'}`, 'options:in_key=flow', 'options:out_key=flow', 'options:df_default=true');
      if (p.localIp) iface.push(`options:local_ip=${p.localIp}`);
      break;
    case 'system':
      break;
  }
  return iface.length > 4 ? [...args, ...iface] : args;
}

/** Builds the node, runs `collectScript` in it and returns the captured `<host>/` folder's path under `outRoot`. */
export async function captureNode(spec: NodeSpec, collectScript: string, outRoot: string): Promise<NodeCapture> {
  mkdirSync('/run/netns', { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'npnode-'));
  try {
    writeFileSync(join(dir, 'collect.sh'), collectScript);
    for (const [name, text] of Object.entries(spec.etc)) {
      mkdirSync(join(dir, 'etc'), { recursive: true });
      writeFileSync(join(dir, 'etc', name), text);
    }
    for (const [path, text] of Object.entries(spec.state)) {
      mkdirSync(join(dir, 'state', path, '..'), { recursive: true });
      writeFileSync(join(dir, 'state', path), text);
    }
    mkdirSync(join(dir, 'bin'));
    if (spec.agentVersion !== null) {
      writeFileSync(join(dir, 'bin', 'neutron-openvswitch-agent'), `#!/bin/sh\necho ${q(spec.agentVersion)}\n`, { mode: 0o755 });
    }
    writeFileSync(join(dir, 'build.sh'), buildScript(spec, dir));
    const r = await run('unshare', ['--mount', '--net', 'dash', join(dir, 'build.sh')], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`building ${spec.host} failed (exit ${r.code}${r.timedOut ? ', timed out' : ''}):\n${r.stderr.trim()}\n${r.stdout.trim()}`);
    const captured = join(dir, 'out', spec.host);
    const target = join(outRoot, spec.host);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(outRoot, { recursive: true });
    await run('cp', ['-a', captured, target]);
    const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : null);
    return { dir: target, before: read('before'), after: read('after') };
  } finally {
    for (const p of ['ovs-vswitchd', 'ovsdb-server']) {
      const f = join(dir, 'ovs', `${p}.pid`);
      if (existsSync(f)) await terminate(Number(readFileSync(f, 'utf8').trim()));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
